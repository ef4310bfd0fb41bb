"""Template: the Survival analysis's subgroup and interaction tables, copied into scripts."""

from __future__ import annotations

from analyses.effect_models import Response

from .modifiers import Modifiers, effect_modification

# --- SCRIPT ---


def survival_modifiers(df, data, categorical=(), reference=None, scales=None,
                       subgroup_exposure=None, subgroups=(), interactions=()):  # fmt: skip
    """Tables: the exposure's hazard ratio in all patients and within each level of each
    subgroup variable, and per level of each modifier from the Cox model with the products
    (with the likelihood-ratio p for interaction); every model adjusts for the Cox model's
    covariates (the group first), within the strata."""
    reference = reference or {}
    response = Response("cox", data.event, time=data.time, strata=data.codes)
    chosen = Modifiers(subgroup_exposure, subgroups, interactions, categorical, reference)
    base = data.followed
    return effect_modification(df, chosen, response, data.covariates, base, scales, ratio=True)
