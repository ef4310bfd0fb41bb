"""What the preparation steps share: a column read as labels or as numbers, a new column's name
checked, numbers written as the tables write them, and the derived Dataset itself.

A step never changes the Dataset it is given: it returns a new one whose fingerprint derives
from the parent's and the step (its repr: a frozen dataclass of plain values), so cached
results of both stay valid and undo is the parent itself.
"""

from __future__ import annotations

import re
from dataclasses import replace

import numpy as np
import pandas as pd

from utils.column_kinds import column_meta, level_label, natural_key
from utils.data_error import DataError
from utils.dataset import FACTOR_KINDS, ColumnMeta, Dataset, Kind, derive_fingerprint

# Bump when a step's result changes meaning: every fingerprint derived by a step changes.
PREP_VERSION = 1
NAME_MAX = 60
# A letter first; then letters, digits, spaces and a few signs that read well in a table.
_NAME = re.compile(r"[^\W\d_][\w .()/%-]*")
EPOCH = pd.Timestamp("1970-01-01")


def column_of(dataset: Dataset, column: str) -> pd.Series:
    """The column, or a DataError naming it."""
    if column not in dataset.columns:
        raise DataError(f"There is no column named '{column}'. Choose one from the list.")
    return dataset.df[column]


def relabelled(series: pd.Series, mapping: dict[str, str] | None = None) -> pd.Series:
    """Each value as the text tables show (1.0 -> "1"), replaced by mapping where it has one;
    missing and blank cells stay missing. A categorical Series, its levels in natural order.

    Works on the distinct values and indexes the codes, never value by value per row.
    """
    mapping = mapping or {}
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [mapping.get(lab, lab) for lab in (level_label(u) for u in uniques)]
    levels = sorted({lab for lab in labels if lab}, key=natural_key)
    position = {lab: i for i, lab in enumerate(levels)}
    lookup = np.array([position.get(lab, -1) for lab in labels] + [-1], dtype=np.int64)
    values = pd.Categorical.from_codes(lookup[codes], categories=levels)
    return pd.Series(values, index=series.index, name=series.name)


def text_values(series: pd.Series) -> pd.Series:
    """Each value as the text tables show, missing and blank cells missing (object dtype)."""
    return relabelled(series).astype(object)


def is_numeric(series: pd.Series) -> bool:
    """Numbers (not booleans, not text that happens to hold digits)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def numbers(dataset: Dataset, column: str, *, dates: bool = False) -> np.ndarray:
    """The column as float64 (missing = NaN); dates as days since 1970-01-01 when allowed.

    Anything else is a DataError that says what the column holds.
    """
    series = column_of(dataset, column)
    if is_numeric(series):
        return series.to_numpy(dtype=float, na_value=np.nan)
    if dates and pd.api.types.is_datetime64_any_dtype(series):
        return ((series - EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    example = next((str(v) for v in series.dropna().unique()[:20] if str(v).strip()), "")
    holds = f"holds text (for example '{example}')" if example else "has no numbers"
    if pd.api.types.is_datetime64_any_dtype(series):
        holds = "holds dates"
    raise DataError(f"'{column}' {holds}, so it cannot be used as a number here.")


def check_new_name(dataset: Dataset, name: str) -> str:
    """A new column's name, tidied; a DataError says what to change."""
    tidy = " ".join(str(name or "").split())
    if not tidy:
        raise DataError("Type a name for the new column.")
    if len(tidy) > NAME_MAX:
        raise DataError(f"Keep the name under {NAME_MAX} characters; put the rest in the label.")
    if not _NAME.fullmatch(tidy):
        raise DataError(
            f"'{tidy}' cannot be a column name. Start with a letter and use letters, digits, "
            "spaces and _ . - ( ) / % only."
        )
    if tidy in dataset.columns:
        raise DataError(f"A column named '{tidy}' already exists. Choose another name.")
    same = [c for c in dataset.columns if c.casefold() == tidy.casefold()]
    if same:
        raise DataError(
            f"'{tidy}' differs from the column '{same[0]}' only in capitals. Choose a name "
            "that is clearly different."
        )
    return tidy


def fmt_number(value: float) -> str:
    """A boundary or a constant as it is written in a label: 40, 37.5, 0.062, -1.2."""
    if not np.isfinite(value):
        return str(value)
    text = f"{value:.6g}"
    return "0" if text == "-0" else text


def factor_kind(series: pd.Series) -> Kind:
    """Binary for two labels, categorical otherwise: what a labelled or grouped column is."""
    return "binary" if series.dropna().nunique() == 2 else "categorical"


def rows_kept_meta(meta: ColumnMeta, series: pd.Series) -> ColumnMeta:
    """A column's meta once rows were dropped: kind and label kept, the levels still present,
    missing cells counted again. Not described from scratch: counting the distinct values of
    identifiers and free text took a second on 100k rows (bench/prep_steps.py)."""
    text = pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
    if not text and meta.kind not in FACTOR_KINDS:
        return replace(meta, n_missing=int(series.isna().sum()))
    codes, uniques = pd.factorize(series, use_na_sentinel=True)  # distinct values, at C speed
    blank = np.zeros(len(uniques) + 1, bool)
    blank[-1] = True  # code -1: missing
    if text:  # numpy's string kernels, not a Python call per identifier
        blank[:-1] = np.char.str_len(np.char.strip(np.asarray(uniques, dtype=str))) == 0
    levels: tuple[str, ...] = ()
    if meta.levels:
        present = {level_label(u) for u in uniques}
        levels = tuple(lev for lev in meta.levels if lev in present)
    return replace(meta, levels=levels, n_missing=int(blank[codes].sum()))


def derived(
    dataset: Dataset,
    step: object,
    updates: dict[str, pd.Series],
    *,
    kinds: dict[str, Kind | None] | None = None,
    labels: dict[str, str] | None = None,
    notes: tuple[str, ...] = (),
    df: pd.DataFrame | None = None,
) -> Dataset:
    """The dataset with new or replaced columns (meta described again), or another frame.

    pandas 3 copies on write: assigning columns shares the untouched ones with the parent.
    """
    frame = df if df is not None else dataset.df
    frame = frame.assign(**updates) if updates else frame
    columns: dict[str, ColumnMeta] = dict(dataset.columns)
    for name, values in updates.items():
        old = columns.get(name)
        label = (labels or {}).get(name) or (old.label if old else name)
        columns[name] = column_meta(name, values, kind=(kinds or {}).get(name), label=label)
    if df is not None:  # rows changed: every column's missing count and levels may have
        columns = {n: rows_kept_meta(m, frame[n]) for n, m in columns.items()}
    return Dataset(
        df=frame,
        name=dataset.name,
        fingerprint=derive_fingerprint(dataset.fingerprint, ("prep", PREP_VERSION, step)),
        columns=columns,
        notes=(*dataset.notes, *notes),
        separator=dataset.separator,
        decimal=dataset.decimal,
    )
