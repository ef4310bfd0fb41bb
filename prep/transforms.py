"""New numeric columns from one number: per SD, per N units, z-score, logarithms, square root.

The SD and mean a rescaling uses are measured when the step is made and kept in it, so the
recode map states the exact divisor and the same step always gives the same column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep.values import check_new_name, derived, fmt_number, numbers
from utils.data_error import DataError
from utils.dataset import Dataset

# how -> (what the menu says, the default new name)
TRANSFORMS: dict[str, tuple[str, str]] = {
    "per_sd": ("per SD (divided by its standard deviation)", "{c}_per_sd"),
    "per_units": ("per N units (divided by N)", "{c}_per_{n}"),
    "zscore": ("z-score (minus the mean, divided by the SD)", "{c}_z"),
    "log": ("natural log (ln)", "log_{c}"),
    "log2": ("log base 2", "log2_{c}"),
    "log10": ("log base 10", "log10_{c}"),
    "sqrt": ("square root", "sqrt_{c}"),
}
LOGS = {"log": np.log, "log2": np.log2, "log10": np.log10}


@dataclass(frozen=True)
class Transform:
    """name = (column - center) / scale, or a log or square root of column."""

    column: str
    how: str
    name: str
    label: str = ""
    center: float = 0.0
    scale: float = 1.0

    def formula(self) -> str:
        c = self.column
        if self.how == "zscore":
            return f"({c} - {fmt_number(self.center)}) / {fmt_number(self.scale)}"
        if self.how in ("per_sd", "per_units"):
            return f"{c} / {fmt_number(self.scale)}"
        return f"{self.how}({c})"

    def apply(self, dataset: Dataset) -> Dataset:
        x = numbers(dataset, self.column)
        notes = []
        with np.errstate(all="ignore"):
            if self.how in LOGS or self.how == "sqrt":
                bad = ~np.isnan(x) & ((x <= 0) if self.how in LOGS else (x < 0))
                x = np.where(bad, np.nan, x)
                out = LOGS[self.how](x) if self.how in LOGS else np.sqrt(x)
                if bad.any():
                    sign = "zero or negative" if self.how in LOGS else "negative"
                    notes.append(
                        f"'{self.name}': {int(bad.sum())} value(s) of '{self.column}' are "
                        f"{sign}, where {TRANSFORMS[self.how][0]} is not defined; they are "
                        "missing."
                    )
            else:
                out = (x - self.center) / self.scale
        values = pd.Series(out, index=dataset.df.index, name=self.name)
        return derived(
            dataset,
            self,
            {self.name: values},
            kinds={self.name: "continuous"},
            labels={self.name: self.label or self.default_label(dataset)},
            notes=(f"'{self.name}' = {self.formula()}.", *notes),
        )

    def default_label(self, dataset: Dataset) -> str:
        source = dataset.label(self.column)
        if self.how == "per_sd":
            return f"{source} (per SD, {fmt_number(self.scale)})"
        if self.how == "per_units":
            return f"{source} (per {fmt_number(self.scale)})"
        if self.how == "zscore":
            return f"{source} (z-score)"
        return f"{self.how}({source})" if self.how != "sqrt" else f"√{source}"

    def describe(self) -> str:
        return f"New column {self.name} = {self.formula()}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.name, self.column, self.formula(), f"derived: {self.how}")]

    def as_json(self) -> dict:
        return {
            "step": "transform",
            "column": self.column,
            "how": self.how,
            "name": self.name,
            "label": self.label,
            "formula": self.formula(),
        }


def default_name(column: str, how: str, units: float | None = None) -> str:
    """The name offered for a new column: age_per_sd, log_crp, age_per_10."""
    n = fmt_number(units) if units else "N"
    return TRANSFORMS.get(how, ("", "{c}_new"))[1].format(c=column, n=n).replace(".", "_")


def transform_step(
    dataset: Dataset,
    column: str,
    how: str,
    name: str,
    *,
    units: float | None = None,
    label: str = "",
) -> Transform:
    """The step for a transform of a numeric column, its SD or mean measured now."""
    if how not in TRANSFORMS:
        raise DataError(f"Choose a transform from the list (not '{how}').")
    x = numbers(dataset, column)
    name = check_new_name(dataset, name)
    present = x[~np.isnan(x)]
    if present.size == 0:
        raise DataError(f"'{column}' has no values to transform.")
    center, scale = 0.0, 1.0
    if how == "per_units":
        if units is None or not np.isfinite(units) or units <= 0:
            raise DataError("Type the number of units, above 0 (for example 10 for per 10 years).")
        scale = float(units)
    elif how in ("per_sd", "zscore"):
        sd = float(np.std(present, ddof=1)) if present.size > 1 else 0.0
        if not sd > 0:
            raise DataError(f"'{column}' has the same value in every row: it has no SD to use.")
        scale = sd
        center = float(np.mean(present)) if how == "zscore" else 0.0
    elif how in LOGS and not (present > 0).any():
        raise DataError(f"'{column}' has no values above 0, so it has no logarithm.")
    elif how == "sqrt" and not (present >= 0).any():
        raise DataError(f"'{column}' has no values of 0 or more, so it has no square root.")
    return Transform(column, how, name, " ".join(label.split()), center, scale)
