"""Controls every regression-type tab shares: candidate covariates, how the multivariable model
is chosen (screening p or all), covariates always in it, and each factor's reference level.

`selection(settings)` hands their values to a spec builder in logic, which validates them.
"""

from __future__ import annotations

from typing import Any

import logic
from modules.shared.controls import Numeric, Radio, Select, Settings, levels_of
from modules.shared.per_column import PerColumn
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, Dataset

SCREEN_MODES = {"p": "Covariates with univariable p below:", "all": "All candidate covariates"}


@per_dataset
def covariate_choices(dataset: Dataset, outcome: str | None) -> dict[str, str]:
    """Eligible covariates (not ids, free text or dates; not the outcome), with their labels."""
    return {name: dataset.label(name) for name in logic.eligible_covariates(dataset, outcome or "")}


def factor_covariates(dataset: Dataset, covariates: list[str] | tuple[str, ...]) -> list[str]:
    """The chosen covariates that are categorical and so need a reference level."""
    return [
        c
        for c in covariates
        if c in dataset.columns
        and dataset.meta(c).kind in FACTOR_KINDS
        and len(dataset.meta(c).levels) >= 2
    ]


def screen_threshold(mode: str, value: object) -> float | None:
    """None for all candidates, else the p threshold; raises ValueError with a clear message."""
    if mode == "all":
        return None
    try:
        p = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        p = float("nan")
    if not 0 < p <= 1:
        raise ValueError("Enter a screening p-value between 0 and 1 (for example 0.20).")
    return p


def covariates_control(default: Any = None, note: Any = None) -> Select:
    """The candidate covariates of the outcome chosen before (never the outcome itself).

    `default(settings, choices)` pre-selects (none when not given); `note(settings, value)`
    adds a line below (what the pre-selection left out, and why)."""
    return Select(
        "covariates",
        "Candidate covariates (ids, free text and dates are left out)",
        choices=lambda s: covariate_choices(s.ds, s["outcome"]),
        default=default or (lambda s, choices: []),
        multiple=True,
        visible=lambda s: s["outcome"] is not None,
        placeholder="choose covariates",
        note=note,
    )


SELECTION_CONTROLS = (
    Radio("screen_mode", "Multivariable model includes", SCREEN_MODES, default="p"),
    Numeric(
        "screen_p",
        None,
        0.20,
        min=0.001,
        max=1,
        step=0.05,
        visible=lambda s: s["screen_mode"] == "p",
    ),
    Select(
        "force",
        "Always include in the multivariable model",
        choices=lambda s: {c: s.ds.label(c) for c in s["covariates"] or ()},
        default=lambda s, choices: [],
        multiple=True,
        placeholder="none",
    ),
    PerColumn(
        "ref",
        columns=lambda s: factor_covariates(s.ds, s["covariates"] or ()),
        label=lambda s, column: s.ds.label(column),
        options=lambda s, column: levels_of(s, column),
        default=lambda s, column, levels: levels[0] if levels else None,
        container="reference-levels",
        heading="Reference level of each categorical covariate",
        empty="No categorical covariates chosen.",
    ),
)


def selection(s: Settings) -> dict[str, Any]:
    """The covariates and model-selection settings, as the spec builders in logic take them."""
    covariates = list(s["covariates"] or ())
    return {
        "covariates": covariates,
        "screen_p": screen_threshold(s["screen_mode"], s["screen_p"]),
        "force": [c for c in s["force"] or () if c in covariates],
        "reference": {k: v for k, v in (s["ref"] or {}).items() if v},
    }
