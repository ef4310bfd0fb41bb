"""Template: the Regression tab's model pooled over the imputed data sets
(templates/pooled.py)."""

from __future__ import annotations

import numpy as np

from .coding import Numeric, per_increment
from .pooled import pooled_covariates, pooled_model
from .regression import regression_inputs

# --- SCRIPT ---


def count_inputs(outcome, covariates, categorical, reference, exposure, family):
    """A function of one data set: (the outcome and log(exposure) as the offset, none for a
    linear model; the covariates)."""
    names = [c for c in dict.fromkeys(covariates) if c not in {outcome, exposure}]

    def inputs(data):
        offset = np.zeros(len(data))
        if exposure:
            values = Numeric(data[exposure]).values
            with np.errstate(divide="ignore", invalid="ignore"):
                offset = np.where(np.isnan(values) | (values <= 0), np.nan, np.log(values))
        response = {"y": Numeric(data[outcome]).values,
                    "offset": None if family == "linear" else offset}  # fmt: skip
        return response, pooled_covariates(data, names, categorical, reference)

    return inputs


def pooled_regression(df, imputed, outcome, covariates, family, categorical=(), reference=None,
                      exposure=None, effect_scale="unit"):  # fmt: skip
    """Tables: the Regression tab's full model pooled over the imputed data sets (coefficients,
    or IRRs of a count model, per the tab's increments); and its counts."""
    reference = reference or {}
    _, _, known, covs = regression_inputs(df, outcome, covariates, categorical, reference,
                                          exposure)  # fmt: skip
    per = {c.name: per_increment(c, known, effect_scale) for c in covs if isinstance(c, Numeric)}
    inputs = count_inputs(outcome, covariates, categorical, reference, exposure, family)
    return pooled_model(df, imputed, inputs, family, per)
