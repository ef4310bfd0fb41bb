"""The typed result of a sample size calculation: numbers and tidy tables, never text for a page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

# Columns of SampleSizeResult.curve: one row per size on the curve and series.
CURVE_COLUMNS = (
    "n",  # the size the family varies (per group, pairs, or in all; see `unit`)
    "value",  # power at that size (diagnostic accuracy: the CI half-width reached)
    "series",  # "power", or "sensitivity" / "specificity" for diagnostic accuracy
)
# Columns of SampleSizeResult.quantities: what the calculation found on its way.
QUANTITY_COLUMNS = (
    "quantity",  # a key: "events", "effect_size", "n_sensitivity", "p_event_group1", ...
    "value",
)


@dataclass(frozen=True)
class SampleSizeResult:
    """Patients needed for a power (solve "n"), or the power of a given size (solve "power").

    `n_exact`: the unrounded size of the varied unit (`unit`: "per group", "pairs" or
    "in all"); `n1`, `n2` the sizes rounded up (n2 = 0 with one group), `total` their sum;
    `recruit1`, `recruit2`, `recruit_total` the sizes after dropout (n / (1 - dropout),
    rounded up per group). `power`: the target (solve "n") or the power of the given size;
    `achieved_power`: the power at the rounded sizes.
    """

    family: str
    method: str
    solve: str
    unit: str
    n_exact: float
    n1: int
    n2: int
    total: int
    recruit1: int
    recruit2: int
    recruit_total: int
    power: float
    achieved_power: float
    quantities: pd.DataFrame
    curve: pd.DataFrame
    warnings: tuple[str, ...] = ()

    def quantity(self, key: str, default: float = float("nan")) -> float:
        """One of the quantities by key."""
        rows = self.quantities.loc[self.quantities["quantity"] == key, "value"]
        return float(rows.iloc[0]) if len(rows) else default
