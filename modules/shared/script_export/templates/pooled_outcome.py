"""Template: the Outcome tab's model pooled over the imputed data sets (templates/pooled.py)."""

from __future__ import annotations

import numpy as np

from .coding import Numeric, binary_outcome, per_increment
from .outcome import outcome_covariates
from .pooled import pooled_covariates, pooled_model

# --- SCRIPT ---


def logistic_inputs(outcome, event, covariates, categorical, reference):
    """A function of one data set: (the model's outcome, its covariates)."""
    names = [c for c in dict.fromkeys(covariates) if c != outcome]

    def inputs(data):
        y = binary_outcome(data[outcome], event)[0]
        return {"y": y}, pooled_covariates(data, names, categorical, reference)

    return inputs


def pooled_odds_ratios(df, imputed, outcome, event, covariates, categorical=(), reference=None,
                       effect_scale="unit", method="logit"):  # fmt: skip
    """Tables: the Outcome tab's full model (every chosen covariate) pooled over the imputed
    data sets, odds ratios per the tab's increments; and its counts."""
    reference = reference or {}
    y, _ = binary_outcome(df[outcome], event)
    known = ~np.isnan(y)
    per = {
        c.name: per_increment(c, known, effect_scale)
        for c in outcome_covariates(df, outcome, y, covariates, categorical, reference)
        if isinstance(c, Numeric)
    }
    inputs = logistic_inputs(outcome, event, covariates, categorical, reference)
    return pooled_model(df, imputed, inputs, "firth" if method == "firth" else "logistic", per)
