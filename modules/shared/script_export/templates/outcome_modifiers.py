"""Template: the Outcome analysis's subgroup and interaction tables, copied into scripts."""

from __future__ import annotations

import numpy as np

from analyses.effect_models import Response

from .modifiers import Modifiers, effect_modification
from .outcome import AdjustedModel

# --- SCRIPT ---


def outcome_modifiers(df, outcome, event, covariates, categorical=(), reference=None,
                      scales=None, subgroup_exposure=None, subgroups=(), interactions=(),
                      **_):  # fmt: skip
    """Tables: the exposure's odds ratio in all patients and within each level of each
    subgroup variable, and per level of each modifier from the model with the products (with
    the likelihood-ratio p for interaction); every model adjusts for `covariates`, those of
    the adjusted model, on the patients whose outcome is known."""
    reference = reference or {}
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, None)
    chosen = Modifiers(subgroup_exposure, subgroups, interactions, categorical, reference)
    everyone = np.ones(len(df), dtype=bool)
    response = Response("logistic", model.y_all)
    return effect_modification(df, chosen, response, model.covs, everyone, scales, ratio=True)
