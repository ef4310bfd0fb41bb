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
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from analyses import imputation, mi_models, outcome, propensity
from analyses.specs import ImputationSpec, OutcomeSpec, PropensitySpec
from bench import harness
from modules.shared.script_export import script_for
from utils.data_io import read_table
from utils.dataset import FACTOR_KINDS

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_clinical.csv"
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
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "analysis.py"
        script.write_text(text, encoding="utf-8")
        header = Path(folder) / "imports.py"  # the docstring and the imports, nothing else
        header.write_text(text[: text.index("# ----")], encoding="utf-8")
        out = str(Path(folder) / "out")
        work = {
            "run_script_ms": [sys.executable, str(script), str(EXAMPLE), out],
            "start_and_import_ms": [sys.executable, str(header)],
        }
        spent: dict[str, list[float]] = {name: [] for name in (*work, "app_analyses_ms")}
        # Interleaved, so that a busy spell of the shared machine falls on all three alike.
        for _ in range(3):
            for name, command in work.items():
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=folder)
                spent[name].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            app_tables(dataset.df, model, score)
            spent["app_analyses_ms"].append((time.perf_counter() - start) * 1000)
    return {
        "rows": len(dataset.df),
        "m": model.imputation.m,
        "script_lines": text.count("\n"),
        "script_kb": round(len(text.encode()) / 1024, 1),
        "write_script_ms": write,
        **{name: harness.summary(values) for name, values in spent.items()},
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    result = measure()
    rows = [
        ("write the script (script_for)", result["write_script_ms"]["median"]),
        ("run it: new Python, read, impute, pool, match", result["run_script_ms"]["median"]),
        ("  of which: start Python and import", result["start_and_import_ms"]["median"]),
        ("the app's same tables, in process", result["app_analyses_ms"]["median"]),
    ]
    title = f"pooled + propensity script, {result['script_lines']} lines (ms, median)"
    harness.table(title, ["what", "ms"], rows)
    fastest = {k: result[k]["min"] for k in ("run_script_ms", "start_and_import_ms")}
    own = fastest["run_script_ms"] - fastest["start_and_import_ms"]
    app = result["app_analyses_ms"]["min"]
    print(f"fastest of 3: script {fastest['run_script_ms']:,.0f} ms = start and imports "
          f"{fastest['start_and_import_ms']:,.0f} + reading and analyses {own:,.0f} ms; "
          f"the app's {app:,.0f} ms ({own / app:.2f}x)")  # fmt: skip
    harness.write_result("script_pooled", "python -m bench.script_pooled", result)
    return result


if __name__ == "__main__":
    main()
