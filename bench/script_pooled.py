"""Script export of the pooled and propensity analyses: how long writing the script takes (on
the event loop, in the download), and how long the script takes to impute, pool and match
beside the app's own computation of the same tables.

Run: .venv/bin/python -m bench.script_pooled   (writes bench/results/script_pooled.json)
The example data (500 patients): the Outcome model also on the imputed data (12 variables,
m = 20, 10 iterations, every pooled fit) and the propensity scores of diabetes (matching in a
0.2 caliper, the odds ratio of a complication).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from analyses import imputation, mi_models, outcome, propensity
from analyses.specs import ImputationSpec, OutcomeSpec, PropensitySpec
from bench import harness
from bench.script_export import EXAMPLE, beside_the_app, report
from modules.shared.script_export import script_for
from utils.data_io import read_table
from utils.dataset import FACTOR_KINDS

FACTORS = ("sex", "smoking", "diabetes", "asa_class")
REPEATS = 5


def specs(dataset) -> tuple[OutcomeSpec, PropensitySpec]:
    names = [c for c in dataset.columns if dataset.meta(c).kind not in ("id", "text", "date")]
    factors = tuple(c for c in names if dataset.meta(c).kind in FACTOR_KINDS)
    settings = ImputationSpec(tuple(names), factors, m=20, iterations=10)
    model = OutcomeSpec("complication", ("age", *FACTORS, "albumin", "crp"), "Yes", "logit",
                        categorical=FACTORS, imputation=settings)  # fmt: skip
    score = PropensitySpec("diabetes", ("age", "sex", "bmi", "smoking", "asa_class"),
                           ("sex", "smoking", "asa_class"), treated="Yes",
                           outcome="complication", outcome_type="binary", event="Yes")  # fmt: skip
    return model, score


def app_tables(df, model: OutcomeSpec, score: PropensitySpec) -> tuple[Any, Any]:
    """What logic.run computes for the two runs, without its cache."""
    result = outcome.analyze(df, model)
    imputed = imputation.analyze(df, model.imputation)
    per = dict(zip(result.scales["variable"], result.scales["per"], strict=True))
    pooled = mi_models.pooled_model("outcome", df, imputed, model, "logistic", per)
    return dataclasses.replace(result, pooled=pooled), propensity.analyze(df, score)


def measure() -> dict[str, Any]:
    dataset = read_table(EXAMPLE)
    model, score = specs(dataset)
    first, second = app_tables(dataset.df, model, score)
    runs = [("outcome", model, first), ("propensity", score, second)]
    text = script_for(dataset.read_options, (), runs)
    write = harness.timed(lambda: script_for(dataset.read_options, (), runs), REPEATS)
    return {
        "rows": len(dataset.df),
        "m": model.imputation.m,
        "script_lines": text.count("\n"),
        "script_kb": round(len(text.encode()) / 1024, 1),
        "write_script_ms": write,
        **beside_the_app(text, lambda: app_tables(dataset.df, model, score)),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    result = measure()
    report(result, "pooled + propensity script", "run it: new Python, read, impute, pool, match",
           "the app's same tables, in process")  # fmt: skip
    harness.write_result("script_pooled", "python -m bench.script_pooled", result)
    return result


if __name__ == "__main__":
    main()
