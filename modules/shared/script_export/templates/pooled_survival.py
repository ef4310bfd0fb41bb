"""Template: the Survival tab's Cox model pooled over the imputed data sets
(templates/pooled.py)."""

from __future__ import annotations

import numpy as np

from analyses.survival_cox import fit_cox

from .coding import Numeric, per_increment
from .pooled import model_rows, pooled_covariates, pooled_model
from .survival import SurvivalData

# --- SCRIPT ---


def cox_inputs(survival, group, covariates, categorical, reference):
    """A function of one data set: (follow-up, event and strata as SurvivalData reads them
    with the arguments `survival`; the group and covariates)."""
    names = [c for c in dict.fromkeys([group, *covariates]) if c]

    def inputs(data):
        followed = SurvivalData(data, **survival)
        response = {"y": followed.event, "time": followed.time, "strata": followed.codes}
        return response, pooled_covariates(data, names, categorical, reference)

    return inputs


def fit_one_cox(family, response, covs):
    """A Cox model (Efron ties, strata) of one data set: complete-data df infinite."""
    rows, x = model_rows(response, covs)
    if x.shape[1] == 0 or np.nansum(response["y"][rows]) < 1:
        return None
    strata = None if response["strata"] is None else response["strata"][rows]
    with np.errstate(all="ignore"):
        cox = fit_cox(response["time"][rows], response["y"][rows], x, strata=strata)
    if cox.covariance is None or not np.all(np.isfinite(cox.covariance)):
        return None
    return cox.params, np.diag(cox.covariance), float("inf"), int(rows.sum())


def pooled_hazard_ratios(df, imputed, event, time=None, start=None, end=None, event_level=None,
                         group=None, covariates=(), categorical=(), reference=None,
                         effect_scale="unit", strata=(), **_):  # fmt: skip
    """Tables: the Survival tab's Cox model of the group and every covariate pooled over the
    imputed data sets (hazard ratios per the tab's increments); and its counts."""
    reference = reference or {}
    survival = {"event": event, "time": time, "start": start, "end": end,
                "event_level": event_level, "strata": strata}  # fmt: skip
    data = SurvivalData(df, group=group, covariates=covariates, categorical=categorical,
                        reference=reference, **survival)  # fmt: skip
    per = {
        c.name: per_increment(c, data.followed, effect_scale)
        for c in data.covariates
        if isinstance(c, Numeric)
    }
    inputs = cox_inputs(survival, group, covariates, categorical, reference)
    return pooled_model(df, imputed, inputs, "cox", per, fit=fit_one_cox)
