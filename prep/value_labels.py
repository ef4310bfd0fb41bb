"""Value labels: the codes of a column replaced by what they mean (1 -> Male, 2 -> Female).

The step writes the labels into the data, so every table, plot and download shows them; the
column becomes a factor (binary for two labels). Codes without a label stay as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prep.values import column_of, derived, factor_kind, relabelled
from utils.column_kinds import levels_of, natural_key
from utils.data_error import DataError
from utils.dataset import Dataset

MAX_VALUES = 50  # more distinct values than this are measurements or identifiers, not codes
LABEL_MAX = 80
NOT_CODED = ("id", "text", "date")


@dataclass(frozen=True)
class ValueLabels:
    """column's values (as text) -> their labels; only the values that change."""

    column: str
    labels: tuple[tuple[str, str], ...]

    def apply(self, dataset: Dataset) -> Dataset:
        series = relabelled(column_of(dataset, self.column), dict(self.labels))
        note = f"'{self.column}': {len(self.labels)} value label(s) set."
        kinds = {self.column: factor_kind(series)}
        return derived(dataset, self, {self.column: series}, kinds=kinds, notes=(note,))

    def describe(self) -> str:
        shown = ", ".join(f"{v} = {lab}" for v, lab in self.labels[:3])
        more = f" and {len(self.labels) - 3} more" if len(self.labels) > 3 else ""
        return f"{self.column}: value labels {shown}{more}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.column, value, label, "value label") for value, label in self.labels]

    def as_json(self) -> dict:
        return {"step": "value labels", "column": self.column, "labels": dict(self.labels)}


def codable_values(dataset: Dataset, column: str) -> tuple[str, ...]:
    """The distinct values a column's labels are typed for, in natural order; a DataError
    when the column is not a coded one (an identifier, free text, dates, too many values)."""
    series = column_of(dataset, column)
    kind = dataset.meta(column).kind
    if kind in NOT_CODED:
        raise DataError(
            f"'{column}' is {'an identifier' if kind == 'id' else kind}: value labels are for "
            "columns of codes (1 = Male, 2 = Female)."
        )
    values = levels_of(series)
    if len(values) > MAX_VALUES:
        raise DataError(
            f"'{column}' has {len(values)} different values; value labels are for columns of "
            f"at most {MAX_VALUES} codes. Cut it into groups on the Data cleaning tab instead."
        )
    return values


def value_labels_step(dataset: Dataset, column: str, labels: Mapping[str, str]) -> ValueLabels:
    """The step for the labels typed (blank = keep the value); a DataError says what to fix."""
    values = codable_values(dataset, column)
    typed = {str(v).strip(): " ".join(str(lab or "").split()) for v, lab in labels.items()}
    unknown = [v for v, lab in typed.items() if lab and v not in values]
    if unknown:
        raise DataError(f"'{unknown[0]}' is not a value of '{column}'. Reload the list of values.")
    long = [lab for lab in typed.values() if len(lab) > LABEL_MAX]
    if long:
        raise DataError(f"Keep labels under {LABEL_MAX} characters ('{long[0][:30]}…').")
    changes = {v: lab for v, lab in typed.items() if lab and lab != v}
    if not changes:
        raise DataError("Type a label for at least one value: nothing changed.")
    order = sorted(changes, key=natural_key)
    return ValueLabels(column=column, labels=tuple((v, changes[v]) for v in order))
