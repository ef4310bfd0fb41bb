"""Tidy a freshly parsed table: usable column names, missing-value codes, numbers and dates."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

import numpy as np
import pandas as pd

from utils.column_kinds import as_dates, level_label

# Excel's error values: a formula that failed has no value (exported as text by Excel).
EXCEL_ERRORS = ("#N/A", "#NA", "#DIV/0!", "#VALUE!", "#REF!", "#NUM!", "#NULL!", "#NAME?")
# Cell values read as missing (compared after stripping spaces, ignoring case).
MISSING_CODES = frozenset({"", "na", "n/a", "nan", ".", "-", "null", "missing"}) | frozenset(
    e.lower() for e in EXCEL_ERRORS
)
# The same codes as pandas' parser sees them, so most are caught while parsing, at C speed.
PARSER_NA_VALUES = ["", "NA", "na", "N/A", "n/a", "N/a", "NaN", "nan", "NAN", ".", "-"]
PARSER_NA_VALUES += ["null", "NULL", "Null", "missing", "Missing", "MISSING", *EXCEL_ERRORS]
# A number with digit groups split by spaces ("1 234 567") and an optional unit after it
# ("12 mg", "98%", "5.5 mmol/L"); DEC is replaced by the file's decimal mark.
_GROUPED = r"[-+]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:DEC\d+)?"
_UNIT = r"%|(?:[^\W\d_]|°)[^\s\d]*(?:\d[^\s\d]*)?"
_NUMBER_WORDS = ("", "one", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine")


def _quoted_list(names: list[str]) -> str:
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def clean_names(raw: Iterable[object], strip: bool = True) -> tuple[list[str], list[str], set]:
    """Column names as text: spaces trimmed, blanks named column_N, repeats made unique.

    Returns the names, notes on repeats, and the names given to nameless columns (whose note,
    from `unnamed_note`, waits until empty ones have been dropped).
    """
    names, unnamed = [], set()
    for position, value in enumerate(raw, start=1):
        blank = value is None or (isinstance(value, float) and math.isnan(value))
        text = "" if blank else level_label(value) if strip else str(value)
        if strip:
            text = " ".join(text.split())  # line breaks inside a header cell become spaces
        if not text.strip():
            text = f"column_{position}"
            unnamed.add(position)
        names.append(text)
    notes = []
    used = set(names)
    seen: Counter[str] = Counter()
    renamed: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        seen[name] += 1
        if seen[name] == 1:
            continue
        suffix = seen[name]
        while f"{name}_{suffix}" in used:
            suffix += 1
        names[i] = f"{name}_{suffix}"
        used.add(names[i])
        renamed.setdefault(name, [name]).append(names[i])
    for name, new in renamed.items():
        count = _NUMBER_WORDS[len(new)] if len(new) < len(_NUMBER_WORDS) else str(len(new))
        both = "both" if len(new) == 2 else "all"
        notes.append(
            f"{count} columns were {both} called '{name}'; renamed to {_quoted_list(new)}."
        )
    return names, notes, {names[p - 1] for p in unnamed}


def unnamed_note(names: list[str]) -> list[str]:
    """The note for columns that had no name, e.g. "Column 3 had no name; ..."."""
    if not names:
        return []
    positions = [n.removeprefix("column_") for n in names]
    cols = " and ".join(", ".join(positions).rsplit(", ", 1))
    if len(names) == 1:
        return [f"Column {cols} had no name; it is called {_quoted_list(names)}."]
    return [f"Columns {cols} had no name; they are called {_quoted_list(names)}."]


def _spread(distinct: object, codes: np.ndarray, like: pd.Series) -> pd.Series:
    """Per-distinct-value results back onto the rows (code -1, a missing cell, gives NaN)."""
    values = pd.api.extensions.take(distinct, codes, allow_fill=True)
    return pd.Series(values, index=like.index, name=like.name)


def tidy_column(series: pd.Series, decimal: str, keep_text: bool) -> tuple[pd.Series, dict]:
    """One text column with spaces trimmed, missing codes as NaN, then as numbers or dates.

    Every step works on the distinct values and is spread back once, so a column of 10^6
    rows with three levels costs three string operations, not three million.
    """
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    if len(uniques) == 0:
        return pd.Series(np.nan, index=series.index, name=series.name), {}
    written = [v if isinstance(v, str) else level_label(v) for v in uniques]
    trimmed = [v.strip() for v in written]
    missing = np.array([v.lower() in MISSING_CODES for v in trimmed])
    info: dict = {
        "spaces": written != trimmed,
        "codes": {v for v, gone in zip(trimmed, missing) if gone and v},
    }
    distinct = pd.Series(trimmed, dtype="str").mask(missing)
    unchanged = pd.api.types.is_string_dtype(series) and not info["spaces"] and not missing.any()
    if missing.all():
        return pd.Series(np.nan, index=series.index, name=series.name), info
    if not keep_text:
        numbers = pd.to_numeric(
            distinct.str.replace(",", ".", regex=False) if decimal == "," else distinct,
            errors="coerce",
        )
        if int(numbers.notna().sum()) == int(distinct.notna().sum()):
            column = _spread(numbers.to_numpy(), codes, series)
            # Integers stay integers when no cell is missing, as pandas' own parser does.
            whole = numbers.dtype.kind in "iu" and column.notna().all()
            return (column.astype(np.int64) if whole else column), info
        if not any(ch.isdigit() for v in trimmed for ch in v):
            pass  # words only ('yes', 'a'): no unit or date to read (cheap for a wide file)
        elif (measured := numbers_with_unit(distinct, decimal)) is not None:
            info["unit"] = measured[1]
            return _spread(measured[0].to_numpy(), codes, series), info
        elif (dates := as_dates(distinct)) is not None:
            info["dates"] = dates[1]
            return _spread(dates[0].array, codes, series), info
    if unchanged:
        return series, info  # nothing to change: keep the parsed column, no copy
    return _spread(distinct.array, codes, series), info


def numbers_with_unit(distinct: pd.Series, decimal: str) -> tuple[pd.Series, str] | None:
    """Values like "12 mg" or "1 234" as numbers, and the unit ("" for grouped digits alone).

    Only when every value has the same unit (or none has one): "5 mg" next to "1 g" stays
    text, since reading both as numbers would mix units without saying so.
    """
    values = distinct.dropna()
    if values.empty:
        return None
    number = _GROUPED.replace("DEC", re.escape(decimal))
    parts = values.str.extract(rf"^({number})\s*({_UNIT})?$")
    if parts[0].isna().any():
        return None
    units = set(parts[1].fillna(""))
    if len(units) != 1:
        return None
    digits = parts[0].str.replace(r"[ \u00a0\u202f]", "", regex=True)
    if decimal == ",":
        digits = digits.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(digits, errors="coerce")
    if numbers.isna().any():
        return None
    return numbers.reindex(distinct.index), units.pop()


def infinite_to_missing(df: pd.DataFrame) -> list[str]:
    """Infinite numbers ('inf', or beyond 1.8e308) as missing, in place; a note names them."""
    changed = []
    for name in df.columns:
        column = df[name]
        if column.dtype.kind == "f" and np.isinf(column.to_numpy()).any():
            df[name] = column.mask(np.isinf(column.to_numpy()))
            changed.append(str(name))
    if not changed:
        return []
    return [
        f"Read infinite values ('inf', or numbers too large to hold) in "
        f"{_quoted_list(changed[:5])} as missing."
    ]


def tidy_frame(
    df: pd.DataFrame, decimal: str, keep_text: set[str], codes_seen: Iterable[str] = ()
) -> tuple[pd.DataFrame, list[str]]:
    """Tidy every text column of a frame; returns the tidied frame (a new one if any changed).

    `codes_seen` are missing codes the parser already turned into NaN (seen in a sample).
    """
    codes = set(codes_seen)
    spaced, dated, measured = [], [], []
    replaced = {}
    for position, name in enumerate(df.columns):
        series = df.iloc[:, position]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        tidied, info = tidy_column(series, decimal, name in keep_text)
        if tidied is not series:
            replaced[position] = tidied
        codes |= info.get("codes", set())
        if info.get("spaces"):
            spaced.append(name)
        if "dates" in info:
            dated.append((name, info["dates"]))
        if "unit" in info:
            measured.append((name, info["unit"]))
    if replaced:  # one new frame: a column set at a time costs a copy per column when wide
        names = list(df.columns)
        df = pd.concat([replaced.get(i, df.iloc[:, i]) for i in range(len(names))], axis=1)
        df.columns = names
    notes = []
    if codes:
        found = _quoted_list(sorted({c.upper(): c for c in sorted(codes)}.values(), key=str.lower))
        notes.append(f"Read codes such as {found} as missing values.")
    if spaced:
        notes.append(f"Removed spaces around values in {_quoted_list(spaced[:5])}.")
    for name, order in dated:
        notes.append(f"Read '{name}' as dates ({order}).")
    for name, unit in measured:
        how = f"without the unit '{unit}'" if unit else "with the spaces between digits removed"
        notes.append(f"Read '{name}' as numbers, {how}.")
    if keep_text:
        kept = _quoted_list(sorted(keep_text))
        notes.append(f"Kept {kept} as text because values have leading zeros (e.g. '007').")
    return df, notes


def drop_empty(df: pd.DataFrame, unnamed: set[str]) -> tuple[pd.DataFrame, list[str]]:
    """Drop rows with no values and nameless columns with no values (trailing separators)."""
    notes = []
    empty_cols = [c for c in df.columns if c in unnamed and df[c].isna().all()]
    if empty_cols:
        df = df.drop(columns=empty_cols)
        notes.append(
            f"Dropped {len(empty_cols)} empty column(s) without a name "
            "(often a separator at the end of each line)."
        )
    blank_rows = df.isna().all(axis=1)
    n_blank = int(blank_rows.sum())
    if n_blank and n_blank < len(df):
        df = df.loc[~blank_rows].reset_index(drop=True)
        notes.append(f"Dropped {n_blank} empty row(s).")
    elif n_blank:
        df = df.iloc[0:0]
    return df, notes
