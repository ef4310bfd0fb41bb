"""What each column is (binary, categorical, continuous, count, date, id, text) and its levels."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pandas as pd

from utils.dataset import ColumnMeta, Kind

MAX_CATEGORIES = 12  # a factor this small is categorical whatever the number of rows
MAX_FACTOR_LEVELS = 50  # more levels than this is an identifier or free text, not a factor
FACTOR_SHARE = 0.05  # ... or up to 5% distinct values in a large table
ID_SHARE = 0.95  # an "id"-named column with this share of distinct values is an identifier
SCALE_MIN_VALUES = 8  # this many evenly spread integers (pain 0-10, GCS) are a scale, not levels
STEP_SCALE_MIN_VALUES = 4  # ... or this many on a step of 2 or more (Karnofsky 50, 60, ... 100)
ID_MIN_ROWS = 20  # fewer distinct integers than this can be measurements by chance
SHORT_COLUMN = 200  # rows up to which counting values in Python beats pandas (wide files)
DATE_SAMPLE = 200  # distinct values checked against the date patterns before parsing all

_DIGITS = re.compile(r"(\d+)")
_ID_TOKENS = frozenset({"id", "hn", "mrn", "uuid", "guid", "pid", "uid"})
_ID_COMPOUND = re.compile(
    r"^(patient|subject|record|case|study|participant|hospital)(id|no|number)$"
)
# Codes of a place (the centre that recruited the patient): labels, never quantities.
_SITE_TOKENS = frozenset(
    {"site", "center", "centre", "inst", "institution", "hospital", "hosp", "clinic", "practice",
     "zip", "zipcode", "postcode", "postal", "record"}
)  # fmt: skip
# Words that may stand beside a site word without changing what it is ("study_site_no").
_CODE_TOKENS = frozenset(
    {"code", "cd", "no", "num", "number", "nr", "id", "name", "study", "trial"}
)
_COUNT_NAME = re.compile(r"(^n_|count|number|num_|_no_of|^no_of|visits|episodes|days)", re.I)
# date patterns -> (pandas format, note); d/m/Y is the default reading of slashed dates.
_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")
_DMY = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})\2(\d{4})$")


def level_label(value: object) -> str:
    """The text shown for one value: 1.0 -> "1", True -> "True", " a " -> "a"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def natural_key(label: str) -> tuple:
    """Sort key: numbers numerically first, then text with embedded numbers in number order."""
    try:
        return (0, float(label), ())
    except ValueError:
        parts = tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in _DIGITS.split(label) if p
        )
        return (1, 0.0, parts)


def levels_of(series: pd.Series) -> tuple[str, ...]:
    """Distinct non-missing values as text, naturally sorted (numbers numerically)."""
    labels = {level_label(v) for v in series.dropna().unique()}
    labels.discard("")
    return tuple(sorted(labels, key=natural_key))


def text_counts(series: pd.Series) -> tuple[pd.Series, int]:
    """Rows per distinct trimmed value (blank excluded), and the number of blank cells.

    Works on the distinct values (a hash count at C speed), never string by string per row;
    a short column (a wide file of few rows) is counted in Python, which is then faster than
    pandas' fixed cost per call.
    """
    if len(series) <= SHORT_COLUMN:
        counted = Counter(level_label(v) for v in series.tolist() if not _missing(v))
        blank = counted.pop("", 0)
        return pd.Series(list(counted.values()), index=list(counted), dtype="int64"), blank
    counts = series.value_counts(dropna=True, sort=False)
    labels = [level_label(v) for v in counts.index]
    merged = pd.Series(counts.to_numpy(), index=labels).groupby(level=0, sort=False).sum()
    blank = int(merged.get("", 0))
    return merged.drop("", errors="ignore"), blank


def _missing(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def n_missing(series: pd.Series) -> int:
    """Missing cells, counting blank strings as missing (as the analyses do)."""
    missing = int(series.isna().sum())
    if _is_text(series):
        missing += text_counts(series)[1]
    return missing


def date_format(values: pd.Series) -> tuple[str, str] | None:
    """(format, description) when the distinct values look like ISO or day/month/year dates."""
    texts = pd.Series(values.dropna().astype(str).str.strip().unique())
    texts = texts[texts != ""]
    if texts.empty:
        return None
    sample = texts.iloc[:DATE_SAMPLE]
    if sample.str.fullmatch(_ISO.pattern).all():
        return "ISO8601", "year-month-day"
    if sample.str.fullmatch(_YMD_SLASH.pattern).all():
        return "%Y/%m/%d", "year/month/day"
    if not sample.str.fullmatch(_DMY.pattern).all():
        return None
    parts = texts.str.extract(_DMY.pattern)
    if parts[0].isna().any() or parts[1].nunique() != 1:
        return None
    sep = parts[1].iloc[0]
    first, second = parts[0].astype(int), parts[2].astype(int)
    # Day first unless the second number goes past 12 and the first never does.
    if (second > 12).any() and (first <= 12).all():
        return f"%m{sep}%d{sep}%Y", "month/day/year"
    return f"%d{sep}%m{sep}%Y", "day/month/year"


def as_dates(values: pd.Series) -> tuple[pd.Series, str] | None:
    """The column parsed as datetimes and how it was read, or None unless every value parses."""
    found = date_format(values)
    if found is None:
        return None
    texts = values.astype("str").str.strip()
    texts = texts.mask(texts == "")
    parsed = pd.to_datetime(texts, format=found[0], errors="coerce")
    if int(parsed.notna().sum()) != int(texts.notna().sum()):
        return None
    return parsed, found[1]


def is_id_name(name: str) -> bool:
    """Names like 'patient_id', 'PatientID', 'HN', 'MRN' (but not 'covid' or 'lipid')."""
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    tokens = [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]
    joined = "".join(tokens)
    return bool(_ID_TOKENS.intersection(tokens)) or bool(_ID_COMPOUND.match(joined))


def _name_tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def is_code_name(name: str) -> bool:
    """Names of a site, centre or postcode ('inst', 'center', 'site_no', 'Hospital code', 'zip').

    Only when the name is nothing but such a word (and 'code', 'no', 'id'...): 'hospital_days'
    and 'site_of_infection' are clinical variables, not codes.
    """
    tokens = set(_name_tokens(name)) - _CODE_TOKENS
    return bool(tokens) and tokens <= _SITE_TOKENS


def looks_like_date_number(values: np.ndarray) -> bool:
    """Integers that all read as yyyymmdd dates (20210314): dates typed as numbers."""
    if len(values) == 0 or not np.all(np.mod(values, 1) == 0):
        return False
    v = values.astype(np.int64)
    month, day = (v // 100) % 100, v % 100
    return bool(
        np.all((v >= 1900_01_01) & (v <= 2100_12_31) & (month >= 1) & (month <= 12))
        and np.all((day >= 1) & (day <= 31))
    )


def is_numeric_scale(distinct: np.ndarray) -> bool:
    """Sorted distinct integers that measure along a scale rather than name categories.

    Either SCALE_MIN_VALUES or more values that fill at least half of the range between the
    smallest and the largest (a pain score 0-10, months 1-12), or STEP_SCALE_MIN_VALUES or more
    on a common step of 2 or more that fill at least half of that grid (Karnofsky 50, 60, ...,
    100 in R's lung data; minutes by 15). Small consecutive codes (ECOG 0-4, ASA 1-5, stage
    1-4) stay categories; so do codes with a far-off value (1, 2, 3, 99: 99 = unknown).
    """
    u = len(distinct)
    if u < STEP_SCALE_MIN_VALUES:
        return False
    step = _step(distinct)
    filled = u >= ((distinct[-1] - distinct[0]) / step + 1) / 2
    return filled and (u >= SCALE_MIN_VALUES or step >= 2)


def _step(distinct: np.ndarray) -> int:
    """The common step of sorted distinct integers (10 for 50, 60, 80), 1 for fewer than two."""
    if len(distinct) < 2:
        return 1
    return int(np.gcd.reduce(np.diff(distinct).astype(np.int64))) or 1


def is_dense_identifier(distinct: np.ndarray, n: int) -> bool:
    """Every row a different integer, packed into a range hardly wider than the rows: a patient
    or row number (1..n, 1001..1250 with gaps). Measurements this many and all distinct spread
    wider (or repeat), so the rule needs ID_MIN_ROWS rows. Used to keep such columns out of
    defaults; the kind stays a number (only a plain 1..n row number is read as an id)."""
    u = len(distinct)
    if u != n or n < ID_MIN_ROWS:
        return False
    return (distinct[-1] - distinct[0]) / _step(distinct) + 1 <= 2 * n


def _is_text(series: pd.Series) -> bool:
    return pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)


def infer_kind(name: str, series: pd.Series) -> Kind:
    """The kind of one column from its dtype, its distinct values and its name."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    if pd.api.types.is_bool_dtype(series):
        return "binary"
    if _is_text(series):
        return _text_kind(name, text_counts(series)[0])
    values = series.dropna().to_numpy(dtype=float)
    return _numeric_kind(name, values, len(values)) if len(values) else "text"


def _numeric_kind(name: str, values: np.ndarray, n: int) -> Kind:
    """Kind of a numeric column.

    Two values: binary. Fractions: continuous. Integers: an identifier when named so or when
    they are the row numbers 0..n-1 or 1..n; a site code (is_code_name) is categorical; up to
    MAX_CATEGORIES values that repeat are categorical, unless they spread along a scale
    (is_numeric_scale: Karnofsky 50-100 by 10, a pain score 0-10), which is a measurement;
    the rest are counts when they start at 0 or 1 and go by ones, else continuous.
    """
    distinct = np.unique(values)
    u = len(distinct)
    if u == 2:
        return "binary"
    # Floats past 2**53 are whole numbers only because they have no room for fractions.
    integer = bool(np.all(np.mod(distinct, 1) == 0)) and np.abs(distinct).max() < 2.0**53
    if not integer:
        return "continuous" if u > 1 else "categorical"
    if is_id_name(name) and u >= ID_SHARE * n:
        return "id"
    if u == n and n >= 20 and distinct[0] in (0, 1) and distinct[-1] - distinct[0] == n - 1:
        return "id"  # 0..n-1 or 1..n: a row number
    if is_code_name(name):  # a site code is a label: 'inst' 1..33 is never a quantity
        return "categorical" if u <= MAX_FACTOR_LEVELS and 2 * u <= n else "id"
    if u <= MAX_CATEGORIES and 2 * u <= n and not is_numeric_scale(distinct):
        return "categorical"
    # Measured integers (age in years, blood pressure) rarely reach 0 or 1; counts do.
    counting = distinct[0] >= 0 and _step(distinct) == 1  # a score by tens is not a count
    if counting and (distinct[0] <= 1 or _COUNT_NAME.search(name)):
        return "count"
    return "continuous"


def _text_kind(name: str, counts: pd.Series) -> Kind:
    """Kind of a text column from its distinct trimmed values and their counts."""
    n, u = int(counts.sum()), len(counts)
    if n == 0:
        return "text"
    if u == 2:
        return "binary"
    distinct = pd.Series(counts.index, dtype="str")
    if u > 2 and _has_digit(distinct) and as_dates(distinct) is not None:
        return "date"
    if is_id_name(name) and u >= ID_SHARE * n:
        return "id"
    if u <= MAX_CATEGORIES or (u <= FACTOR_SHARE * n and u <= MAX_FACTOR_LEVELS):
        return "categorical"
    if u == n and n >= 10:
        spaced = distinct.str.contains(" ", regex=False).mean()
        if distinct.str.len().max() <= 24 and spaced < 0.5:
            return "id"
    return "text"


def _has_digit(values: pd.Series) -> bool:
    """Any value holds a digit: without one no value is a date (a cheap test first)."""
    return any(ch.isdigit() for v in values for ch in str(v))


def column_meta(
    name: str, series: pd.Series, kind: Kind | None = None, label: str = ""
) -> ColumnMeta:
    """Meta of one column; levels are filled for binary and categorical kinds."""
    missing = int(series.isna().sum())
    if _is_text(series):
        counts, blank = text_counts(series)  # counted once, used for kind, levels and missing
        missing += blank
        kind = kind or _text_kind(name, counts)
        factor = kind in ("binary", "categorical")
        levels = tuple(sorted(counts.index, key=natural_key)) if factor else ()
    else:
        kind = kind or infer_kind(name, series)
        levels = levels_of(series) if kind in ("binary", "categorical") else ()
    return ColumnMeta(name=name, kind=kind, label=label or name, levels=levels, n_missing=missing)


def infer_columns(df: pd.DataFrame) -> dict[str, ColumnMeta]:
    """Meta for every column, in the frame's order."""
    return {str(name): column_meta(str(name), df[name]) for name in df.columns}
