"""The lines of main() that impute as the app did and pool a run's model over the imputed
data sets (templates/imputation.py, templates/pooled.py), and those of a propensity-score
analysis (templates/propensity.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

from analyses.specs import ImputationSpec, PropensitySpec


def imputation_lines(settings: ImputationSpec) -> list[str]:
    """`imputed = impute_data(df, ...)` with the Data cleaning tab's settings."""
    return [
        "# Multiple imputation with the Data cleaning tab's settings (the same seed: the same",
        "# data sets as MedStat's; runs with the same settings share one imputation).",
        "imputed = impute_data(",
        "    df,",
        f"    variables={list(settings.variables)!r},",
        f"    categorical={list(settings.categorical)!r},",
        f"    m={settings.m!r},",
        f"    iterations={settings.iterations!r},",
        f"    seed={settings.seed!r},",
        ")",
    ]


def pooled_lines(
    stem: str,
    function: str,
    arguments: dict[str, Any],
    call: Callable[[str, str, dict[str, Any]], list[str]],
    what: str = "model",
) -> tuple[list[str], tuple[str, ...]]:
    """main()'s lines for `<stem>_pooled` and `<stem>_pooled_fit`, and the tables' names.

    `call` is runs._call (the one way a table's call is written); `what` is pooled: the
    tab's "model" or Table 1's "summaries"."""
    names = (f"{stem}_pooled", f"{stem}_pooled_fit")
    if what == "model":
        comment = [
            "# The full model (every chosen covariate: screening is not defined across",
            "# imputations) on each imputed data set, pooled by Rubin's rules, beside the",
            "# complete cases.",
        ]
    else:
        comment = ["# Means and percentages in each imputed data set, pooled by Rubin's rules."]
    lines = [
        *comment,
        "(",
        *(f"    tables[{name!r}]," for name in names),
        *call(")", function, arguments),
    ]
    return lines, names


PROPENSITY_TABLES = ("model", "scores", "balance", "effect", "fit")


def propensity_lines(spec: PropensitySpec, number: int) -> tuple[list[str], tuple[str, ...]]:
    """main()'s lines for the score model, scores, balance, effect and the fit's numbers."""
    stem = f"propensity_{number}"
    names = tuple(f"{stem}_{t}" for t in PROPENSITY_TABLES)
    how = spec.method if spec.method == "matching" else f"weighting ({spec.estimand})"
    settings = [f"    {f.name}={_literal(getattr(spec, f.name))}," for f in fields(spec)]
    lines = [
        f"# {number}. Propensity scores of {spec.treatment!r}: {how}",
        "(",
        *(f"    tables[{name!r}]," for name in names),
        ") = propensity_tables(",
        "    df,",
        *settings,
        ")",
    ]
    return lines, names


def _literal(value: Any) -> str:
    return repr(list(value)) if isinstance(value, tuple) else repr(value)
