"""Interaction terms reported as effects per level, and their likelihood-ratio test.

For an exposure E and a categorical modifier M, the model adds M and the products E × M
to the tab's covariates. The effect of E in the reference level of M is E's coefficient;
in level m it is E's coefficient plus the product's, with a standard error from the
covariance matrix (as R's `contrast`/`glht` or a hand-made `c' V c`). The p for the
interaction is the likelihood-ratio test of the products on the same patients (R's
`anova(reduced, full, test = "LRT")`). Raw product coefficients are never shown: a doctor
reads "OR of smoking in women 2.1, in men 1.2, p for interaction 0.04".
"""

from __future__ import annotations

import numpy as np

from analyses.effect_models import Fitted, Response, design, fit, interval, lr_p
from analyses.encoding import Covariate, Factor
from analyses.errors import AnalysisError


def product_columns(exposure: np.ndarray, modifier: Factor, rows: np.ndarray) -> np.ndarray:
    """Exposure column j times the dummy of modifier level l (l >= 1), j-major."""
    dummies = modifier.design(rows)
    return np.hstack([exposure[:, [j]] * dummies for j in range(exposure.shape[1])])


def check_levels(
    response: Response, exposure: Covariate, modifier: Factor, rows: np.ndarray
) -> list[int]:
    """The modifier's levels present among rows; an AnalysisError for what cannot be fitted."""
    codes = modifier.codes[rows]
    present = [k for k in range(len(modifier.levels)) if np.any(codes == k)]
    if len(present) < 2:
        only = modifier.levels[present[0]] if present else "no value"
        raise AnalysisError(
            f"'{modifier.name}' has one level ('{only}') among the patients analysed: effects "
            "cannot be compared between its levels. Choose a variable with two or more levels."
        )
    x = exposure.design(rows)
    for k in present:
        mine = codes == k
        level = modifier.levels[k]
        if response.has_events:
            events = np.nansum(response.y[rows][mine])
            if events == 0:
                raise AnalysisError(
                    f"No patient with {modifier.name} = '{level}' has the event: the effect of "
                    f"'{exposure.name}' cannot be estimated there. Combine that level with "
                    "another (Data cleaning) or choose another variable."
                )
            if response.family == "logistic" and events == mine.sum():
                raise AnalysisError(
                    f"Every patient with {modifier.name} = '{level}' has the event: the effect "
                    f"of '{exposure.name}' cannot be estimated there. Combine that level with "
                    "another (Data cleaning) or choose another variable."
                )
        if np.any(np.ptp(x[mine], axis=0) == 0):
            raise AnalysisError(
                f"'{exposure.name}' is the same for every patient with {modifier.name} = "
                f"'{level}': its effect there cannot be estimated. Combine that level with "
                "another (Data cleaning) or choose another variable."
            )
    return present


def _rows_of(covs: list[Covariate], response: Response, base: np.ndarray) -> np.ndarray:
    rows = base & response.known()
    for cov in covs:
        rows &= cov.present()
    return rows


def interaction_effects(
    response: Response,
    covariates: list[Covariate],
    exposure: Covariate,
    modifier: Factor,
    base: np.ndarray,
) -> tuple[list[dict], Fitted]:
    """Rows of INTERACTION_COLUMNS (one per exposure column and modifier level) and the
    model with the products. `covariates`: the adjustment set (exposure and modifier are
    taken out of it and entered themselves); `base`: rows eligible for the model."""
    others = [c for c in covariates if c.name not in (exposure.name, modifier.name)]
    rows = _rows_of([exposure, modifier, *others], response, base)
    present = check_levels(response, exposure, modifier, rows)
    e = exposure.design(rows)
    main = np.hstack([e, modifier.design(rows), design(others, rows)])
    products = product_columns(e, modifier, rows)
    full = fit(response, np.hstack([main, products]), rows)
    reduced = fit(response, main, rows)
    if full is None or reduced is None:
        raise AnalysisError(
            f"The model with the interaction of '{exposure.name}' and '{modifier.name}' could "
            "not be fitted: too few patients for the number of terms. Use fewer covariates."
        )
    n_levels = len(modifier.levels) - 1
    interaction_df = int(products.shape[1])
    p_interaction = lr_p(full, reduced, interaction_df)
    codes = modifier.codes[rows]
    y_rows = np.flatnonzero(rows)
    out = []
    exposure_levels = exposure.columns
    for j, exposure_level in enumerate(exposure_levels):
        for k in present:
            weights = np.zeros(full.params.shape[0])
            weights[j] = 1.0
            if k > 0:
                weights[main.shape[1] + j * n_levels + (k - 1)] = 1.0
            estimate, se = full.combination(weights)
            est, low, high, p = interval(response, estimate, se, full.df_resid)
            mine = np.zeros(len(rows), dtype=bool)
            mine[y_rows[codes == k]] = True
            events = response.events(mine)
            out.append(
                {
                    "variable": exposure.name,
                    "level": exposure_level,
                    "modifier": modifier.name,
                    "modifier_level": modifier.levels[k],
                    "is_reference": False,
                    "n": int(mine.sum()),
                    "events": np.nan if events is None else events,
                    "estimate": est,
                    "ci_low": low,
                    "ci_high": high,
                    "p_value": p,
                    "interaction_p": p_interaction,
                    "interaction_df": interaction_df,
                }
            )
    return out, full
