"""Template: what MedStat's subgroup and interaction code needs around it, copied into scripts.

That code itself (analyses/effect_modifiers.py, subgroups.py, interactions.py, effect_models.py,
modifier_columns.py) is copied unchanged at the end of the script (its `encode_factor` is in
coding.py, which MedStat's propensity code uses too); the tabs' parts
(outcome_modifiers.py, regression_modifiers.py, survival_modifiers.py) give it each model's
response and covariates, as each tab does."""

from __future__ import annotations

from dataclasses import dataclass

from analyses.effect_modifiers import modifier_tables
from analyses.effect_scale import rescale

# --- SCRIPT ---


@dataclass(frozen=True)
class Modifiers:
    """The analysis's choices the subgroup and interaction code reads: the exposure and the
    subgroup variables, the (exposure, modifier) pairs, and how columns are coded."""

    subgroup_exposure: str | None
    subgroups: tuple
    interactions: tuple
    categorical: tuple
    reference: dict


def effect_modification(df, modifiers, response, covariates, base, scales, ratio):
    """Tables: the subgroup table and the interaction table of the model with `covariates` on
    the rows `base` may use, a continuous exposure per the increment of the scales table."""
    subgroups, interactions, _ = modifier_tables(df, modifiers, response, covariates, base)
    return rescale(subgroups, scales, ratio), rescale(interactions, scales, ratio)
