"""Row filters and exclusions (age ≥ 18, outcome known, a level excluded), each counted.

A comparison (≥ > ≤ < = between) and "is one of" exclude rows whose value is missing: an
unknown age is not known to be 18 or more. "≠" and "is not one of" keep them: an unknown level
is not the excluded one. The flow counts say how many rows went for being missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep.flow import FlowStep
from prep.values import EPOCH, column_of, derived, fmt_number, is_numeric, numbers, text_values
from utils.column_kinds import as_dates
from utils.data_error import DataError
from utils.dataset import Dataset

# op -> (what the kept rows meet, what the excluded ones are), {c} the column, {a} {b} values
OPS: dict[str, tuple[str, str]] = {
    ">=": ("{c} ≥ {a}", "{c} < {a}"),
    ">": ("{c} > {a}", "{c} ≤ {a}"),
    "<=": ("{c} ≤ {a}", "{c} > {a}"),
    "<": ("{c} < {a}", "{c} ≥ {a}"),
    "==": ("{c} = {a}", "{c} ≠ {a}"),
    "!=": ("{c} ≠ {a}", "{c} = {a}"),
    "between": ("{a} ≤ {c} ≤ {b}", "{c} < {a} or > {b}"),
    "known": ("{c} known", "{c} missing"),
    "in": ("{c} is {a}", "{c} is not {a}"),
    "not_in": ("{c} is not {a}", "{c} is {a}"),
}
COMPARISONS = (">=", ">", "<=", "<", "==", "!=", "between")
LEVEL_OPS = ("in", "not_in")
KEEPS_MISSING = ("!=", "not_in", "known")  # "known" handles missing itself


@dataclass(frozen=True)
class RowFilter:
    """Keep the rows where `column op values`; `reason` names the excluded in the diagram."""

    column: str
    op: str
    values: tuple[str, ...] = ()
    reason: str = ""

    def _words(self, which: int) -> str:
        if self.op in LEVEL_OPS:
            a = " or ".join(self.values)
        else:
            a = self.values[0] if self.values else ""
        b = self.values[1] if len(self.values) > 1 else ""
        return OPS[self.op][which].format(c=self.column, a=a, b=b)

    def condition(self) -> str:
        return self._words(0)

    def exclusion(self) -> str:
        return self.reason or self._words(1)

    def masks(self, dataset: Dataset) -> tuple[np.ndarray, np.ndarray]:
        """(rows kept, rows whose value is missing)."""
        series = column_of(dataset, self.column)
        if self.op in LEVEL_OPS or self.op == "known":
            text = text_values(series)
            missing = text.isna().to_numpy()
            if self.op == "known":
                return ~missing, missing
            member = text.isin(self.values).to_numpy()
            return (member if self.op == "in" else ~member), missing
        x = numbers(dataset, self.column, dates=True)
        missing = np.isnan(x)
        a, b = (_as_number(series, v) for v in (*self.values, self.values[0])[:2])
        with np.errstate(invalid="ignore"):
            keep = {
                ">=": x >= a,
                ">": x > a,
                "<=": x <= a,
                "<": x < a,
                "==": x == a,
                "!=": x != a,
                "between": (x >= a) & (x <= b),
            }[self.op]
        if self.op not in KEEPS_MISSING:
            keep = keep & ~missing
        return keep, missing

    def counted(self, dataset: Dataset) -> tuple[np.ndarray, FlowStep]:
        """The rows kept, and the counts for the flow diagram (without filtering: a preview)."""
        keep, missing = self.masks(dataset)
        before, after = len(keep), int(keep.sum())
        excluded_missing = int((~keep & missing).sum())
        flow = FlowStep(
            self.condition(), self.exclusion(), before, before - after, excluded_missing, after
        )
        return keep, flow

    def apply_with_flow(self, dataset: Dataset) -> tuple[Dataset, FlowStep]:
        keep, flow = self.counted(dataset)
        df = dataset.df.loc[keep].reset_index(drop=True)
        note = f"Filter {flow.condition}: {flow.excluded} row(s) excluded, {flow.after} remain."
        return derived(dataset, self, {}, df=df, notes=(note,)), flow

    def apply(self, dataset: Dataset) -> Dataset:
        return self.apply_with_flow(dataset)[0]

    def describe(self) -> str:
        return f"Rows kept where {self.condition()}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.column, self.exclusion(), f"kept: {self.condition()}", "row filter")]

    def as_json(self) -> dict:
        return {
            "step": "row filter",
            "column": self.column,
            "op": self.op,
            "values": list(self.values),
            "kept": self.condition(),
            "excluded": self.exclusion(),
        }


def _as_number(series: pd.Series, value: str) -> float:
    if pd.api.types.is_datetime64_any_dtype(series):
        return (pd.Timestamp(value) - EPOCH) / pd.Timedelta(days=1)
    return float(value)


def ops_for(dataset: Dataset, column: str) -> tuple[str, ...]:
    """The conditions that fit a column: comparisons for numbers and dates, levels for factors."""
    series = column_of(dataset, column)
    kind = dataset.meta(column).kind
    levels = LEVEL_OPS if kind in ("binary", "categorical") else ()
    if pd.api.types.is_datetime64_any_dtype(series):
        return (">=", ">", "<=", "<", "between", "known")
    if is_numeric(series):
        return (*COMPARISONS, "known", *levels)
    return (*LEVEL_OPS, "known")


def _tidy_values(dataset: Dataset, column: str, op: str, values: Sequence[str]) -> tuple[str, ...]:
    typed = [" ".join(str(v).split()) for v in values if str(v).strip()]
    if op == "known":
        return ()
    if op in LEVEL_OPS:
        if not typed:
            raise DataError("Choose at least one level.")
        present = set(text_values(dataset.df[column]).dropna())
        unknown = [v for v in typed if v not in present]
        if unknown:
            raise DataError(f"'{unknown[0]}' is not a value of '{column}'.")
        return tuple(dict.fromkeys(typed))
    wanted = 2 if op == "between" else 1
    if len(typed) != wanted:
        what = "two values (from and to)" if wanted == 2 else "a value"
        raise DataError(f"Type {what} to compare '{column}' with.")
    if pd.api.types.is_datetime64_any_dtype(dataset.df[column]):
        parsed = as_dates(pd.Series(typed, dtype=object))
        if parsed is None:
            raise DataError(
                f"'{typed[0]}' is not a date MedStat can read. Write it as 2024-03-31 or "
                "31/03/2024."
            )
        tidy = [f"{d:%Y-%m-%d}" for d in parsed[0]]
    else:
        try:
            numbers_typed = [float(v.replace("−", "-").replace(",", ".")) for v in typed]
        except ValueError:
            raise DataError(
                f"Type a number to compare '{column}' with (not '{typed[0]}')."
            ) from None
        if not all(np.isfinite(numbers_typed)):
            raise DataError("Type a finite number.")
        tidy = [fmt_number(v) for v in numbers_typed]
    if op == "between" and _as_number(dataset.df[column], tidy[0]) > _as_number(
        dataset.df[column], tidy[1]
    ):
        tidy = tidy[::-1]
    return tuple(tidy)


def filter_step(
    dataset: Dataset, column: str, op: str, values: Sequence[str] = (), *, reason: str = ""
) -> RowFilter:
    """The step for a filter as typed, checked against the column (checked_filter counts it).
    One that excludes no row is allowed: an eligibility criterion every row meets still
    belongs in the flow diagram (n = 0)."""
    allowed = ops_for(dataset, column)
    if op not in allowed:
        raise DataError(f"That condition does not fit '{column}'; choose one from the list.")
    step = RowFilter(
        column, op, _tidy_values(dataset, column, op, values), " ".join(reason.split())
    )
    return step


def checked_filter(
    dataset: Dataset, column: str, op: str, values: Sequence[str] = (), *, reason: str = ""
) -> tuple[RowFilter, FlowStep]:
    """The step and its counts on dataset; refused when it would leave no rows."""
    step = filter_step(dataset, column, op, values, reason=reason)
    _, flow = step.counted(dataset)
    if flow.after == 0:
        raise DataError(
            f"Keeping rows where {step.condition()} leaves no rows (all {flow.before} would be "
            "excluded). Nothing changed: check the value."
        )
    return step, flow
