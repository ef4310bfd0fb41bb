"""The subgroup and interaction tables of a tab's result, from its spec and its own model.

The Outcome, Regression and Survival analyses call `modifier_tables` once their adjusted
model is fitted, with the response (analyses/effect_models.Response) and the covariates of
that model; the spec says which exposure and subgroups (`subgroup_exposure`, `subgroups`)
and which exposure × modifier pairs (`interactions`) to report. Nothing is fitted when the
spec asks for none of them, so the tabs' results and timings are unchanged by default.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress
from analyses.effect_models import Response
from analyses.encoding import Covariate, Factor, encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.interactions import interaction_effects
from analyses.modifier_columns import (
    INTERACTION_COLUMNS,
    empty_interactions,
    empty_subgroups,
)
from analyses.subgroups import subgroup_effects


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise AnalysisError(f"The column '{name}' is not in the data. Choose another.")
    return df[name]


def _exposure(df, spec, name: str, by_name: dict[str, Covariate]) -> Covariate:
    """The model's own encoding when the exposure is a covariate, else the spec's kind."""
    if name in by_name:
        return by_name[name]
    series = _column(df, name)
    if name in spec.categorical or not pd.api.types.is_numeric_dtype(series.dtype):
        return encode_factor(series, dict(spec.reference).get(name))[0]
    return encode_numeric(series)


def _modifier(df, spec, name: str, by_name: dict[str, Covariate]) -> Factor:
    known = by_name.get(name)
    if isinstance(known, Factor):
        return known
    if known is not None or (
        name not in spec.categorical and pd.api.types.is_float_dtype(_column(df, name).dtype)
    ):
        raise AnalysisError(
            f"'{name}' is a number: subgroups and interactions need a categorical variable. "
            "Group it first (Data cleaning: cut into groups) or mark it as categorical."
        )
    return encode_factor(_column(df, name), dict(spec.reference).get(name))[0]


def modifier_tables(
    df: pd.DataFrame,
    spec,
    response: Response,
    covariates: list[Covariate],
    base: np.ndarray,
) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """(subgroups, interactions, notes) of the spec on the model's response and covariates.

    `base`: the rows the tab's model may use (for instance those with follow-up).
    """
    subgroups, interactions = empty_subgroups(), empty_interactions()
    notes: list[str] = []
    by_name = {c.name: c for c in covariates}
    exposure_name = getattr(spec, "subgroup_exposure", None)
    wanted = tuple(getattr(spec, "subgroups", ()))
    if exposure_name and wanted:
        if exposure_name in wanted:
            raise AnalysisError(
                f"'{exposure_name}' is both the exposure and a subgroup variable: choose "
                "subgroups other than the exposure."
            )
        exposure = _exposure(df, spec, exposure_name, by_name)
        factors = [_modifier(df, spec, name, by_name) for name in dict.fromkeys(wanted)]
        subgroups, notes = subgroup_effects(response, covariates, exposure, factors, base)
    rows: list[dict] = []
    pairs = tuple(getattr(spec, "interactions", ()))
    for i, (exposure_name, modifier_name) in enumerate(pairs, start=1):
        progress(f"Interaction {i} of {len(pairs)}")
        if exposure_name == modifier_name:
            raise AnalysisError(
                f"An interaction needs two different variables ('{exposure_name}' twice)."
            )
        exposure = _exposure(df, spec, exposure_name, by_name)
        modifier = _modifier(df, spec, modifier_name, by_name)
        effects, _ = interaction_effects(response, covariates, exposure, modifier, base)
        rows += effects
    if rows:
        interactions = pd.DataFrame(rows, columns=list(INTERACTION_COLUMNS))
    return subgroups, interactions, notes
