"""Subgroup analysis: the exposure's effect within each level of chosen subgroup variables.

Within a level, the model is the tab's own (logistic, linear, count or Cox) of the outcome on
the exposure and the same adjustment covariates, fitted on that level's patients; a covariate
that does not vary there is left out of that level's model and named. Each subgroup variable
gets the likelihood-ratio p of exposure × subgroup on all patients (analyses/interactions.py):
the test of whether the effect differs between levels, which the levels' own CIs are not.
The first row is the effect in all patients (the same covariates, no subgroup).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress
from analyses.effect_models import Response, design, fit, interval
from analyses.encoding import Covariate, Factor
from analyses.errors import AnalysisError
from analyses.interactions import check_levels, interaction_effects
from analyses.modifier_columns import ALL_PATIENTS, SUBGROUP_COLUMNS


def _varies(cov: Covariate, rows: np.ndarray) -> bool:
    x = cov.design(rows)
    return x.shape[0] > 1 and bool(np.all(np.ptp(x, axis=0) > 0))


def _effect_rows(response, exposure, others, rows, subgroup, level, p_interaction, notes):
    """The exposure's rows of a model on `rows` (others that do not vary there left out)."""
    kept = [c for c in others if _varies(c, rows)]
    dropped = [c.name for c in others if c not in kept]
    if dropped:
        notes.append(
            f"In {subgroup} = '{level}', {', '.join(dropped)} did not vary and "
            "was left out of that subgroup's model."
        )
    x = np.hstack([exposure.design(rows), design(kept, rows)])
    fitted = fit(response, x, rows)
    if fitted is None:
        where = "all patients" if subgroup == ALL_PATIENTS else f"{subgroup} = '{level}'"
        raise AnalysisError(
            f"The model in {where} could not be fitted: too few patients for the number of "
            "covariates. Use fewer covariates or fewer subgroups."
        )
    events = response.events(rows)
    out = []
    for j, exposure_level in enumerate(exposure.columns):
        se = float(np.sqrt(fitted.covariance[j, j]))
        est, low, high, p = interval(response, float(fitted.params[j]), se, fitted.df_resid)
        out.append(
            {
                "subgroup": subgroup,
                "subgroup_level": level,
                "variable": exposure.name,
                "level": exposure_level,
                "is_reference": False,
                "n": int(rows.sum()),
                "events": np.nan if events is None else events,
                "estimate": est,
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
                "interaction_p": p_interaction,
            }
        )
    return out


def subgroup_effects(
    response: Response,
    covariates: list[Covariate],
    exposure: Covariate,
    subgroups: list[Factor],
    base: np.ndarray,
) -> tuple[pd.DataFrame, list[str]]:
    """SUBGROUP_COLUMNS rows: all patients, then each level of each subgroup; and notes.

    Every model uses the complete cases of the exposure, the covariates and all the subgroup
    variables, so the levels of each variable add up to the first row's patients.
    """
    others = [c for c in covariates if c.name != exposure.name]
    rows = base & response.known() & exposure.present()
    for cov in [*others, *subgroups]:
        rows &= cov.present()
    if not rows.any():
        raise AnalysisError(
            "No patient has the outcome, the exposure, the covariates and the subgroup "
            "variables all known. Choose fewer variables or fill in missing values."
        )
    notes: list[str] = []
    progress("Subgroups: all patients")
    table = _effect_rows(response, exposure, others, rows, ALL_PATIENTS, "", np.nan, notes)
    for sub in subgroups:
        present = check_levels(response, exposure, sub, rows)
        adjust = [c for c in others if c.name != sub.name]
        effects, _full = interaction_effects(response, adjust, exposure, sub, rows)
        p_interaction = effects[0]["interaction_p"]
        for i, k in enumerate(present, start=1):
            progress(f"Subgroup {sub.name}: level {i} of {len(present)}")
            mine = rows & (sub.codes == k)
            table += _effect_rows(
                response, exposure, adjust, mine, sub.name, sub.levels[k], p_interaction, notes
            )
    return pd.DataFrame(table, columns=list(SUBGROUP_COLUMNS)), notes
