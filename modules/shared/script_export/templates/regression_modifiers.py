"""Template: the Regression analysis's subgroup and interaction tables, copied into scripts."""

from __future__ import annotations

from analyses.effect_models import Response

from .modifiers import Modifiers, effect_modification
from .regression import adjusted_model, fit_regression, regression_inputs

# --- SCRIPT ---


def regression_modifiers(df, outcome, covariates, family, categorical=(), reference=None,
                         exposure=None, scales=None, subgroup_exposure=None, subgroups=(),
                         interactions=(), **_):  # fmt: skip
    """Tables: the exposure's estimate in all patients and within each level of each subgroup
    variable, and per level of each modifier from the model with the products (with the
    likelihood-ratio p for interaction); every model adjusts for `covariates`, those of the
    adjusted model, with its offset; a negative binomial model keeps the adjusted model's
    alpha."""
    reference = reference or {}
    y, offset, known, covs = regression_inputs(
        df, outcome, covariates, categorical, reference, exposure
    )
    alpha = None
    if family == "negbin":
        _, X, _, yy, off, _ = adjusted_model(
            df, outcome, covariates, family, categorical, reference, exposure
        )
        alpha = fit_regression(family, X, yy, off).alpha
    response = Response(family, y, offset=None if family == "linear" else offset, alpha=alpha)
    chosen = Modifiers(subgroup_exposure, subgroups, interactions, categorical, reference)
    ratio = family != "linear"
    return effect_modification(df, chosen, response, covs, known, scales, ratio=ratio)
