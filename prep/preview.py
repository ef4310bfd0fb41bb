"""What a proposed step does to the data, to show before it is applied: the groups of a new
factor with their counts, or a new number's summary, and the notes the step wrote."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep.values import fmt_number, is_numeric, text_values
from utils.column_kinds import natural_key
from utils.dataset import FACTOR_KINDS, Dataset

COUNT_COLUMNS = ("group", "n", "percent")


@dataclass(frozen=True)
class Preview:
    """column: the new or changed column (None for a filter); counts: group, n, percent of a
    factor; summary: a number's n, missing, min, median, max as text; rows before and after."""

    column: str | None
    counts: pd.DataFrame | None
    summary: tuple[tuple[str, str], ...]
    missing: int
    notes: tuple[str, ...]
    rows: tuple[int, int]


def group_counts(series: pd.Series) -> pd.DataFrame:
    """Rows per group in the column's level order, with their share of the known values."""
    text = text_values(series)
    order = list(series.cat.categories) if isinstance(series.dtype, pd.CategoricalDtype) else None
    counts = text.value_counts(sort=False)
    if order is None:
        order = sorted(counts.index, key=natural_key)
    counts = counts.reindex([c for c in order if c in counts.index])
    total = int(counts.sum())
    percent = (100 * counts / total).round(1) if total else counts * 0.0
    return pd.DataFrame(
        {
            "group": counts.index.astype(str),
            "n": counts.to_numpy(int),
            "percent": percent.to_numpy(),
        }
    )


def number_summary(series: pd.Series) -> tuple[tuple[str, str], ...]:
    x = series.to_numpy(dtype=float, na_value=np.nan)
    present = x[~np.isnan(x)]
    if present.size == 0:
        return (("n", "0"),)
    return (
        ("n", f"{present.size:,}"),
        ("min", fmt_number(float(present.min()))),
        ("median", fmt_number(float(np.median(present)))),
        ("max", fmt_number(float(present.max()))),
    )


def preview(before: Dataset, after: Dataset, column: str | None) -> Preview:
    """The preview of the change from before to after (column: what the step made)."""
    notes = after.notes[len(before.notes) :]
    rows = (len(before.df), len(after.df))
    if column is None:
        return Preview(None, None, (), 0, notes, rows)
    series = after.df[column]
    meta = after.meta(column)
    missing = int(meta.n_missing)
    if meta.kind in FACTOR_KINDS or not is_numeric(series):
        return Preview(column, group_counts(series), (), missing, notes, rows)
    return Preview(column, None, number_summary(series), missing, notes, rows)
