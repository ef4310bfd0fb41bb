"""Template: the Propensity scores analysis (score model, matching or weighting, balance, the
treatment effect), copied into scripts.

The analysis itself is MedStat's (analyses/propensity.py and its propensity_*.py modules),
copied unchanged at the end of the script; here is what those modules take from the rest of
MedStat: the spec, the result's records and columns, and the coding of an outcome (its
factors and numbers are templates/coding.py's `encode_factor` and `encode_numeric`)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analyses.propensity import analyze as propensity_analysis

from .coding import binary_outcome

# --- SCRIPT ---


def encode_outcome(series, event):
    """1 (the event), 0 or NaN, the event's label, and (here) no warnings."""
    y, level = binary_outcome(series, event)
    return y, level, []


@dataclass(frozen=True)
class PropensitySpec:
    """The Propensity scores tab's settings (MedStat's analyses/specs.py)."""

    treatment: str = ""
    covariates: tuple = ()
    categorical: tuple = ()
    treated: str | None = None
    method: str = "matching"
    estimand: str = "ATT"
    ratio: int = 1
    replace: bool = False
    caliper: float | None = 0.2
    order: str = "largest"
    seed: int = 12345
    exact: tuple = ()
    stabilise: bool = True
    truncate: float | None = None
    trim: bool = False
    outcome: str | None = None
    outcome_type: str = "continuous"
    event: str | None = None
    time: str | None = None


# The result's records (MedStat's analyses/results.py and fit_records.py): the fit's single
# numbers are one row of a table here, so a dict of them.
PropensityFit = dict


@dataclass(frozen=True)
class PropensityResult:
    model: pd.DataFrame
    scores: pd.DataFrame
    balance: pd.DataFrame
    effects: pd.DataFrame
    summary: dict
    warnings: tuple = ()


PROPENSITY_MODEL_COLUMNS = ("term", "variable", "level", "estimate", "se", "ci_low", "ci_high",
                            "p_value")  # fmt: skip
PROPENSITY_BALANCE_COLUMNS = (
    "variable", "level", "treated_before", "control_before", "smd_before", "vr_before",
    "treated_after", "control_after", "smd_after", "vr_after",
)  # fmt: skip
PROPENSITY_EFFECT_COLUMNS = ("measure", "estimate", "se", "ci_low", "ci_high", "p_value",
                             "n_treated", "n_control", "method")  # fmt: skip


def propensity_tables(df, **settings):
    """The score model, each analysed patient's score and weight, balance before and after,
    the effect (empty without an outcome) and the analysis's single numbers (one row)."""
    result = propensity_analysis(df, PropensitySpec(**settings))
    for warning in result.warnings:
        print(f"Note: {warning}")
    summary = {k: ", ".join(v) if isinstance(v, tuple) else v for k, v in result.summary.items()}
    return result.model, result.scores, result.balance, result.effects, pd.DataFrame([summary])
