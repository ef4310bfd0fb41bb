"""The controls for subgroups and interactions that the Outcome, Regression and Survival tabs
share, and how their values enter a tab's spec.

The exposure is one of the model's variables; subgroup variables are any categorical columns
(not the outcome's); an interaction pair is (a model variable, a categorical model variable
or chosen subgroup variable), sent as a JSON pair so that any column name survives the trip.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from modules.shared.controls import Select, Settings
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, Dataset

NO_EXPOSURE = ""
HEADING = "Subgroups and interactions"
SUBGROUP_NOTE = (
    "Each subgroup's effect is adjusted for the same covariates; the p for interaction "
    "(likelihood-ratio test of exposure × subgroup) says whether the effect differs between "
    "levels, which overlapping or separate CIs do not."
)


def is_factor(dataset: Dataset, name: str | None) -> bool:
    return bool(
        name
        and name in dataset.columns
        and dataset.meta(name).kind in FACTOR_KINDS
        and len(dataset.meta(name).levels) >= 2
    )


def pair_value(exposure: str, modifier: str) -> str:
    return json.dumps([exposure, modifier])


def read_pair(value: str) -> tuple[str, str] | None:
    """(exposure, modifier) of a pair value; None for anything else."""
    try:
        pair = json.loads(value)
    except (TypeError, ValueError):
        return None
    ok = isinstance(pair, list) and len(pair) == 2 and all(isinstance(p, str) for p in pair)
    return (pair[0], pair[1]) if ok else None


def pair_choices(
    dataset: Dataset, variables: Iterable[str], modifiers: Iterable[str] = ()
) -> dict[str, str]:
    """Every (model variable, categorical model variable or subgroup variable) pair."""
    names = [v for v in dict.fromkeys(variables) if v in dataset.columns]
    others = [m for m in dict.fromkeys([*names, *modifiers]) if is_factor(dataset, m)]
    return {
        pair_value(a, b): f"{dataset.label(a)} × {dataset.label(b)} (effect of "
        f"{dataset.label(a)} per level of {dataset.label(b)})"
        for a in names
        for b in others
        if a != b
    }


@per_dataset
def subgroup_choices(dataset: Dataset, exclude: Iterable[str | None]) -> dict[str, str]:
    skip = set(exclude)
    return {n: dataset.label(n) for n in dataset.columns if n not in skip and is_factor(dataset, n)}


def modifier_controls(
    variables: Callable[[Settings], list[str]], exclude: Callable[[Settings], list[str | None]]
) -> tuple[Select, ...]:
    """The three controls; `variables`: the model's variables (exposure and pair candidates),
    `exclude`: columns that cannot be subgroups (the outcome, time, event...)."""
    return (
        Select(
            "subgroup_exposure",
            f"{HEADING}: exposure for the subgroup forest plot",
            choices=lambda s: {
                NO_EXPOSURE: "None (no subgroup analysis)",
                **{v: s.ds.label(v) for v in variables(s) if v in s.ds.columns},
            },
            default=lambda s, choices: NO_EXPOSURE,
        ),
        Select(
            "subgroups",
            "Subgroup variables (the exposure's effect within each level)",
            choices=lambda s: subgroup_choices(s.ds, [*exclude(s), s["subgroup_exposure"]]),
            default=lambda s, choices: [],
            multiple=True,
            visible=lambda s: bool(s["subgroup_exposure"]),
            placeholder="choose subgroups",
            note=lambda s, value: SUBGROUP_NOTE if value else None,
        ),
        Select(
            "interactions",
            "Interaction terms in the adjusted model (reported per level; modifiers: the "
            "categorical covariates and the subgroup variables)",
            choices=lambda s: pair_choices(s.ds, variables(s), s["subgroups"] or ()),
            default=lambda s, choices: [],
            multiple=True,
            placeholder="none",
        ),
    )


def with_modifiers(spec: Any, s: Settings) -> Any:
    """The tab's spec with the subgroup and interaction choices (a factor exposure that is
    not a covariate is marked categorical, as the covariates are)."""
    exposure = s["subgroup_exposure"] or None
    subgroups = tuple(g for g in s["subgroups"] or () if g != exposure) if exposure else ()
    pairs = tuple(p for p in (read_pair(v) for v in s["interactions"] or ()) if p is not None)
    categorical = tuple(spec.categorical)
    for name in [exposure, *subgroups, *(b for _, b in pairs), *(a for a, _ in pairs)]:
        if name and is_factor(s.ds, name) and name not in categorical:
            categorical += (name,)
    return replace(
        spec,
        subgroup_exposure=exposure if subgroups else None,
        subgroups=subgroups,
        interactions=pairs,
        categorical=categorical,
    )
