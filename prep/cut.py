"""A number cut into groups, at cut-offs the user types or at quantiles, boundaries shown.

Groups include their lower boundary and exclude their upper one, as in "[18, 40)", except the
last, which includes the largest value: "[65, 90]". Quantile cut-offs are measured when the
step is made, rounded to 4 significant digits and kept in the step: the boundaries shown are
the ones used. Labels sort in group order everywhere (the analyses sort levels naturally);
when the bare intervals would not (negative or finely decimal boundaries), they are numbered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep.values import check_new_name, derived, fmt_number, numbers
from utils.column_kinds import natural_key
from utils.data_error import DataError
from utils.dataset import Dataset

MAX_CUTOFFS = 19
QUANTILE_GROUPS = (2, 10)
_SEPARATORS = re.compile(r"[;,\s]+")


@dataclass(frozen=True)
class Cut:
    """name = the group of column's value between cut-offs; `quantiles` > 0 when the cut-offs
    were measured as that many groups of about equal size."""

    column: str
    cutoffs: tuple[float, ...]
    name: str
    label: str = ""
    quantiles: int = 0

    def labels(self, low: float, high: float) -> list[str]:
        """One label per group, for data from low to high."""
        edges = [min(low, self.cutoffs[0]), *self.cutoffs, max(high, self.cutoffs[-1])]
        text = [fmt_number(e) for e in edges]
        if len(set(text[1:-1])) < len(self.cutoffs):  # cut-offs closer than 6 digits show
            text = [repr(float(e)) for e in edges]
        labels = [f"[{a}, {b})" for a, b in zip(text[:-2], text[1:-1])]
        labels.append(f"[{text[-2]}, {text[-1]}]")
        if self.quantiles:
            return [f"Q{i} {lab}" for i, lab in enumerate(labels, 1)]
        if sorted(labels, key=natural_key) != labels:
            return [f"{i}: {lab}" for i, lab in enumerate(labels, 1)]
        return labels

    def apply(self, dataset: Dataset) -> Dataset:
        x = numbers(dataset, self.column)
        present = ~np.isnan(x)
        if not present.any():
            raise DataError(f"'{self.column}' has no values to cut into groups.")
        labels = self.labels(float(np.nanmin(x)), float(np.nanmax(x)))
        codes = np.searchsorted(np.asarray(self.cutoffs), x, side="right")
        codes = np.where(present, codes, -1)
        groups = pd.Categorical.from_codes(codes, categories=labels).remove_unused_categories()
        values = pd.Series(groups, index=dataset.df.index, name=self.name)
        notes = [f"'{self.name}': '{self.column}' in {len(labels)} groups ({self.how()})."]
        if self.quantiles and len(labels) < self.quantiles:
            notes.append(
                f"'{self.name}': {len(labels)} groups, not {self.quantiles}: many rows share "
                f"the same value of '{self.column}', so some quantiles coincide."
            )
        return derived(
            dataset,
            self,
            {self.name: values},
            kinds={self.name: "binary" if len(groups.categories) == 2 else "categorical"},
            labels={self.name: self.label or f"{dataset.label(self.column)} (groups)"},
            notes=tuple(notes),
        )

    def how(self) -> str:
        cutoffs = ", ".join(fmt_number(c) for c in self.cutoffs)
        if self.quantiles:
            return f"{self.quantiles} quantile groups, cut at {cutoffs}"
        return f"cut at {cutoffs}"

    def describe(self) -> str:
        return f"New column {self.name}: {self.column} {self.how()}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.name, self.column, self.how(), "derived: groups")]

    def as_json(self) -> dict:
        return {
            "step": "cut",
            "column": self.column,
            "name": self.name,
            "label": self.label,
            "cutoffs": list(self.cutoffs),
            "quantiles": self.quantiles,
            "groups": "lower boundary included, upper excluded; the last group includes both",
        }


def parse_cutoffs(text: str) -> list[float]:
    """Numbers typed as "40, 65" or "40; 65" or "40 65"; a DataError names what is not one."""
    parts = [p for p in _SEPARATORS.split(str(text or "").strip()) if p]
    if not parts:
        raise DataError("Type at least one cut-off, for example 40, 65.")
    values = []
    for part in parts:
        try:
            value = float(part.replace("−", "-"))
        except ValueError:
            raise DataError(
                f"'{part}' is not a number. Type cut-offs separated by commas, for example 40, 65."
            ) from None
        if not np.isfinite(value):
            raise DataError(f"'{part}' is not a cut-off: type a finite number.")
        values.append(value)
    return sorted(set(values))


def _range(x: np.ndarray, column: str) -> tuple[float, float]:
    present = x[~np.isnan(x)]
    if present.size == 0:
        raise DataError(f"'{column}' has no values to cut into groups.")
    return float(present.min()), float(present.max())


def cut_step(
    dataset: Dataset,
    column: str,
    name: str,
    *,
    cutoffs: str | None = None,
    quantiles: int | None = None,
    label: str = "",
) -> Cut:
    """The step for a cut at typed cut-offs, or into `quantiles` groups of about equal size."""
    x = numbers(dataset, column)
    name = check_new_name(dataset, name)
    low, high = _range(x, column)
    span = f"'{column}' goes from {fmt_number(low)} to {fmt_number(high)}"
    if quantiles is not None:
        least, most = QUANTILE_GROUPS
        if not least <= int(quantiles) <= most:
            raise DataError(f"Choose between {least} and {most} groups.")
        probs = np.arange(1, int(quantiles)) / int(quantiles)
        measured = np.quantile(x[~np.isnan(x)], probs)
        chosen = sorted({float(f"{q:.4g}") for q in measured if low < float(f"{q:.4g}") <= high})
        if not chosen:
            raise DataError(f"{span} with too few different values to make groups.")
        return Cut(column, tuple(chosen), name, " ".join(label.split()), int(quantiles))
    values = parse_cutoffs(cutoffs or "")
    if len(values) > MAX_CUTOFFS:
        raise DataError(f"Use at most {MAX_CUTOFFS} cut-offs ({MAX_CUTOFFS + 1} groups).")
    outside = [v for v in values if not low < v <= high]
    if outside:
        raise DataError(
            f"The cut-off {fmt_number(outside[0])} is outside the values: {span}, so a group "
            f"would be empty. Use cut-offs above {fmt_number(low)} and up to {fmt_number(high)}."
        )
    return Cut(column, tuple(values), name, " ".join(label.split()), 0)
