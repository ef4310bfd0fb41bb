"""What an exported script redoes of each analysis's result, and what it names as left out.

Every table a result carries (each DataFrame field, its fit record, the outcome's calibration)
is either redone by the script (SCRIPTED: the CSV it writes, after the run's stem
`<kind>_<number>_`) or named, in words, at the top of the script and in the download's note
(LEFT_OUT); a record of counts the page shows in sentences is no table (NOT_TABLES). A field
in none of them fails tests/unit/modules/shared/test_script_coverage.py, so a
table added to a result cannot go missing from the script silently.
"""

from __future__ import annotations

from typing import Any

# Result field -> the tables the script writes for it (suffixes after the run's stem).
SCRIPTED: dict[str, dict[str, tuple[str, ...]]] = {
    "outcome": {
        "univariable": ("crude",),
        "multivariable": ("adjusted",),
        "fit": ("fit",),
        "vif": ("vif",),
        # With spec.calibration only; the validation with spec.bootstrap > 0.
        "performance": (
            "calibration",
            "risk_groups",
            "calibration_curve",
            "histogram",
            "decision_curve",
            "validation",
        ),
        "scales": ("scales",),
        # With spec.subgroup_exposure and spec.subgroups; with spec.interactions.
        "subgroups": ("subgroups",),
        "interactions": ("interactions",),
        # With spec.imputation only: the pooled model and its counts.
        "pooled": ("pooled", "pooled_fit"),
    },
    "table1": {
        "cells": ("summaries",),
        "variables": ("tests",),
        "groups": ("groups",),
        "pooled": ("pooled", "pooled_fit"),  # with spec.imputation only
    },
    "correlation": {"pairs": ("pairs",), "matrix": ("matrix",)},
    "regression": {
        "univariable": ("crude",),
        "multivariable": ("adjusted",),
        "fit": ("fit",),
        "vif": ("vif",),
        "scales": ("scales",),
        "subgroups": ("subgroups",),
        "interactions": ("interactions",),
        "pooled": ("pooled", "pooled_fit"),  # with spec.imputation only
    },
    "survival": {
        "curves": ("curves",),
        "at_risk": ("at_risk",),
        "medians": ("medians",),
        "logrank": ("logrank", "logrank_test"),
        "univariable": ("cox_crude",),
        "multivariable": ("cox_adjusted",),
        "ph_test": ("ph_test",),
        "fit": ("fit",),
        "scales": ("scales",),
        "subgroups": ("subgroups",),
        "interactions": ("interactions",),
        "pooled": ("pooled", "pooled_fit"),  # with spec.imputation only
    },
    "propensity": {
        "model": ("model",),
        "scores": ("scores",),
        "balance": ("balance",),
        "effects": ("effect",),
        "summary": ("fit",),
    },
    "diagnostic": {
        "auc": ("auc",),
        "cutoffs": ("cutoffs",),
        "accuracy": ("accuracy",),
        "comparisons": ("comparisons",),
        "roc": ("roc",),
    },
}

# Result field -> (the spec option that makes it, None = always there, "a+b" = both; words
# naming it). "field.part": a part of a field the script otherwise redoes.
LEFT_OUT: dict[str, dict[str, tuple[str | None, str]]] = {
    "correlation": {
        "scatter": (None, "the scatter plot's points"),
        "line": (None, "the scatter plot's fitted line"),
    },
    "regression": {
        "diagnostics": (None, "the residual plots' points"),
    },
}

# Result fields that are no table: records whose numbers the page shows in sentences, each
# also in a table the script writes (why, in words).
NOT_TABLES: dict[str, dict[str, str]] = {
    "table1": {"info": "the grouping and counts: the groups table and the summaries' totals"},
    "correlation": {"summary": "the scatter pair's statistics: a row of the pairs table"},
    "diagnostic": {"info": "the reference standard's counts: the AUC table's"},
}


def left_out(kind: str, spec: Any) -> tuple[str, ...]:
    """The words naming each table of this run that its script does not redo."""
    return tuple(
        words
        for option, words in LEFT_OUT.get(kind, {}).values()
        if option is None or all(getattr(spec, o, None) for o in option.split("+"))
    )
