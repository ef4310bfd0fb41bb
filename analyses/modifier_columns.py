"""The columns of the subgroup and interaction tables a result carries (analyses/subgroups.py,
analyses/interactions.py), apart from the models that fill them: analyses/results.py needs
them at import, and the app imports the results long before it fits anything (the statistics
stack is imported when the first session opens, logic.warm_up)."""

from __future__ import annotations

import pandas as pd

ALL_PATIENTS = "All patients"  # the first row of a subgroup table: the whole model

SUBGROUP_COLUMNS = (
    "subgroup",  # the subgroup variable ("All patients" on the first row)
    "subgroup_level",  # its level ("" on the first row)
    "variable",  # the exposure
    "level",  # the exposure's level compared with its reference ("" for a number)
    "is_reference",  # always False (kept so effect-scale rescaling applies)
    "n",  # patients in the level's model
    "events",  # events among them (logistic and Cox; NaN otherwise)
    "estimate",  # OR / HR / rate ratio, or coefficient (linear)
    "ci_low",
    "ci_high",
    "p_value",  # Wald p within the level
    "interaction_p",  # LR p of exposure × subgroup (same on every row of the variable)
)

INTERACTION_COLUMNS = (
    "variable",  # the exposure
    "level",  # the exposure's level compared with its reference ("" for a number)
    "modifier",  # the modifying factor
    "modifier_level",  # the level of the modifier this row's effect is in
    "is_reference",  # always False (kept so effect-scale rescaling applies)
    "n",  # patients in that level of the modifier (complete cases of the model)
    "events",  # events among them (logistic and Cox; NaN otherwise)
    "estimate",  # OR / HR / rate ratio, or coefficient (linear), of the exposure there
    "ci_low",
    "ci_high",
    "p_value",  # Wald p of the effect in that level
    "interaction_p",  # likelihood-ratio p of all the exposure × modifier products
    "interaction_df",  # their number
)


def empty_subgroups() -> pd.DataFrame:
    return pd.DataFrame(columns=list(SUBGROUP_COLUMNS))


def empty_interactions() -> pd.DataFrame:
    return pd.DataFrame(columns=list(INTERACTION_COLUMNS))
