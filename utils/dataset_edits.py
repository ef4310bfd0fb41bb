"""Edits of a Dataset's column meta that the Data tab offers: a kind override, a label."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pandas as pd

from utils.column_kinds import as_dates, column_meta, levels_of
from utils.data_error import DataError
from utils.dataset import KINDS, NUMERIC_KINDS, ColumnMeta, Dataset


def with_kind(dataset: Dataset, column: str, kind: str) -> Dataset:
    """The dataset with one column's kind overridden (levels recomputed); refuses a bad fit."""
    new = _kind_meta(dataset, column, kind)
    return dataset.with_columns({n: new if n == column else m for n, m in dataset.columns.items()})


def _kind_meta(dataset: Dataset, column: str, kind: str) -> ColumnMeta:
    """The column's meta under another kind; a DataError says why the kind does not fit."""
    meta = _meta(dataset, column)
    if kind not in KINDS:
        raise DataError(f"'{kind}' is not a column type. Choose one of: {', '.join(KINDS)}.")
    series = dataset.df[column]
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if kind in NUMERIC_KINDS and not numeric:
        example = next((str(v) for v in series.dropna().unique()[:50] if str(v).strip()), "")
        raise DataError(
            f"'{column}' holds text (for example '{example}'), so it cannot be used as a number. "
            "Correct the values in the file, or choose categorical."
        )
    if kind == "count" and ((series.dropna() < 0).any() or (series.dropna() % 1 != 0).any()):
        raise DataError(
            f"'{column}' has negative or fractional values, so it is not a count. "
            "Choose continuous."
        )
    if kind == "binary" and len(levels := levels_of(series)) > 2:
        shown = ", ".join(f"'{v}'" for v in levels[:4]) + (", ..." if len(levels) > 4 else "")
        raise DataError(
            f"'{column}' has {len(levels)} different values ({shown}), so it cannot be binary. "
            "Choose categorical, or recode it into two groups first."
        )
    dated = pd.api.types.is_datetime64_any_dtype(series)
    if kind == "date" and not dated and (numeric or as_dates(series) is None):
        raise DataError(
            f"'{column}' does not hold dates MedStat can read. Write them as year-month-day "
            "(2024-03-31) or day/month/year (31/03/2024)."
        )
    return column_meta(column, series, kind=kind, label=meta.label)  # type: ignore[arg-type]


def with_label(dataset: Dataset, column: str, label: str) -> Dataset:
    """The dataset with one column's display label changed (blank restores the name)."""
    meta = _meta(dataset, column)
    new = replace(meta, label=" ".join(str(label).split()) or column)
    return dataset.with_columns({n: new if n == column else m for n, m in dataset.columns.items()})


def with_edits(
    dataset: Dataset, kinds: Mapping[str, str], labels: Mapping[str, str]
) -> tuple[Dataset, list[tuple[str, str, str]]]:
    """The dataset with many kind and label edits applied at once (one new Dataset, not one per
    edit: a wide file's edits stay linear), and the refused kinds as (column, kept kind, why).
    Columns the data does not have are skipped; a blank label leaves the label as it is."""
    columns = dict(dataset.columns)
    refused = []
    for column, kind in kinds.items():
        if column not in columns or kind == columns[column].kind:
            continue
        try:
            columns[column] = _kind_meta(dataset, column, kind)
        except DataError as exc:
            refused.append((column, columns[column].kind, str(exc)))
    for column, label in labels.items():
        text = " ".join(str(label).split())
        if column in columns and text:
            columns[column] = replace(columns[column], label=text)
    if columns == dataset.columns:
        return dataset, refused
    return dataset.with_columns(columns), refused


def _meta(dataset: Dataset, column: str) -> ColumnMeta:
    if column not in dataset.columns:
        raise DataError(f"There is no column named '{column}'. Choose one from the list.")
    return dataset.columns[column]
