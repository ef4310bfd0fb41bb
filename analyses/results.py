"""Typed analysis results: tidy DataFrames and numbers, never HTML."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Columns of OutcomeResult.univariable, in order.
UNIVARIABLE_COLUMNS = (
    "variable",  # column name in the user's data
    "level",  # factor level; "" for a continuous covariate
    "is_reference",  # True on the reference-level row (estimate 1, no CI)
    "n",  # patients with this level (or with a value, for continuous) and the outcome known
    "events",  # of those, how many had the event
    "summary_no_event",  # "n (%)" of the no-event group, or "mean (SD)" / "median [IQR]"
    "summary_event",  # the same for the event group
    "estimate",  # crude odds ratio
    "ci_low",
    "ci_high",
    "p_value",  # Wald p (logit) or penalized LR p (Firth) for this row
    "global_p",  # likelihood-ratio p for the whole variable (factors with >2 levels; else = p)
    "method",  # "logit" or "firth", the fit that produced this variable's row
)

# Columns of OutcomeResult.multivariable, in order.
MULTIVARIABLE_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "n",
    "events",
    "estimate",  # adjusted odds ratio
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",
)


@dataclass(frozen=True)
class OutcomeResult:
    """Univariable screening and multivariable logistic regression for one binary outcome.

    `model` holds the multivariable fit statistics as plain numbers and strings:
    method, event, n_total, n_used, n_excluded, events, non_events, n_parameters,
    events_per_variable, log_likelihood, aic, mcfadden_r2, nagelkerke_r2, auc,
    auc_ci_low, auc_ci_high, hosmer_lemeshow_chi2, hosmer_lemeshow_df, hosmer_lemeshow_p,
    screen_p (None = all candidates), covariates_in_model (tuple of names).
    `vif` has columns variable, vif. `warnings` are plain-language sentences.
    """

    univariable: pd.DataFrame
    multivariable: pd.DataFrame
    model: dict
    warnings: tuple[str, ...] = ()
    vif: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["variable", "vif"]))
