"""What a column is for, read from its name, its label and (cheaply) its values: the ground of
every default the tabs pre-select.

A careful statistician never lets a default be a patient number or a site code, never guesses
a survival event from the first yes/no column, and never pre-selects one outcome as a covariate
of another. Names are matched word by word ("os_status", "OS.time", "vitalStatus"), on the
column name and on its label, so 'prevention' is not an event and 'age (years)' is not a time.
"""

from __future__ import annotations

import itertools
import re
import threading
import weakref
from collections.abc import Iterable

import numpy as np
import pandas as pd
from cachetools import LRUCache

from analyses.encoding import POSITIVE_LEVELS
from modules.shared.per_dataset import per_dataset
from utils.column_kinds import (
    is_code_name,
    is_dense_identifier,
    is_id_name,
    looks_like_date_number,
)
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

# Whole words, and stems that may begin a word ("censored", "progression", "eventfree").
EVENT_WORDS = frozenset(
    {"status", "event", "events", "death", "dead", "died", "deceased", "fustat", "cens",
     "vital", "relapse", "recurrence", "progression", "failure", "fail", "mortality", "mort"}
)  # fmt: skip
EVENT_STEMS = ("censor", "relaps", "recurr", "progress", "deceas", "mortalit", "status")
CENSOR_WORDS = frozenset({"cens", "censor", "censored", "censoring", "censure"})
# Follow-up time: strong words first; unit words ("days") only when nothing says "time".
TIME_WORDS = frozenset(
    {"time", "futime", "follow", "followup", "fu", "fup", "os", "pfs", "dfs", "efs", "rfs",
     "ttp", "survival", "surv", "duration", "stime", "dtime"}
)  # fmt: skip
TIME_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years"})
NOT_TIME = frozenset({"age", "dob", "birth", "date", "dt"})
# A post-baseline result: never a default covariate of another outcome.
OUTCOME_LIKE = frozenset(
    {"death", "dead", "died", "deceased", "mortality", "mort", "fustat", "cens", "vital",
     "complication", "complications", "compl", "readmission", "readmitted", "readmit",
     "relapse", "recurrence", "progression", "event", "events", "outcome", "futime", "follow",
     "followup", "survival", "surv", "los", "pfs", "dfs", "efs", "rfs"}
)  # fmt: skip
OUTCOME_STEMS = ("censor", "relaps", "recurr", "readmi", "mortalit", "deceas", "complicat")
# Numbers that are modelled as an outcome on the Regression tab.
REGRESSION_OUTCOME_WORDS = frozenset(
    {"los", "stay", "score", "level", "count", "visits", "visit", "admissions", "readmissions",
     "days", "episodes", "events", "outcome", "attacks", "exacerbations", "falls", "seizures",
     "lesions", "infections", "cost", "costs", "charges"}
)  # fmt: skip
DATE_WORDS = frozenset({"date", "dob", "dt"})  # a number named so is a date typed as a number
SAMPLE_VALUES = 500  # values looked at before a whole column, to rule out identifiers cheaply
# Defaults are chosen among the first SCAN_COLUMNS candidates: every tab resolves its defaults
# on the event loop all users share, at each change of a control, and reading 16,000 columns
# there took seconds. A wider file's other columns are one search away in the selects.
SCAN_COLUMNS = 200

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^a-z0-9]+|(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")


def words(text: str) -> list[str]:
    """Lower-case words of a name or label: 'OS.time' -> ['os', 'time'], 'vitalStatus' ->
    ['vital', 'status'], 'pfs2' -> ['pfs', '2']."""
    return [w for w in _SPLIT.split(_CAMEL.sub(" ", str(text)).lower()) if w]


def _has(text: str, whole: Iterable[str], stems: Iterable[str] = ()) -> bool:
    tokens = words(text)
    whole = set(whole)
    return any(t in whole or any(t.startswith(s) for s in stems) for t in tokens)


def named(dataset: Dataset, column: str, whole: Iterable[str], stems: Iterable[str] = ()) -> bool:
    """The column's name or its label holds one of the words (or a word starting a stem)."""
    whole = frozenset(whole)
    return _has(column, whole, stems) or _has(dataset.label(column), whole, stems)


def is_event_named(dataset: Dataset, column: str) -> bool:
    """Named like a survival event: status, event, death, fustat, censored, relapse..."""
    return named(dataset, column, EVENT_WORDS, EVENT_STEMS)


def is_censor_named(dataset: Dataset, column: str) -> bool:
    """Named like censoring ('cens', 'censored'): the coding of such columns varies by file."""
    return named(dataset, column, CENSOR_WORDS, ("censor",))


def time_rank(dataset: Dataset, column: str) -> int:
    """How surely the column is a follow-up time, 0 to 3, from its name or label.

    3: nothing but follow-up and event words ('time', 'futime', 'OS.time', 'follow_up_days',
    'time_to_death'); 2: a time word among others ('operating_time'); 1: a unit alone ('week',
    'icu_days'); 0: anything else, and any name that says age or a date ('age_years').
    """
    if named(dataset, column, NOT_TIME):
        return 0
    return max(_time_rank(words(column)), _time_rank(words(dataset.label(column))))


def _time_rank(tokens: list[str]) -> int:
    timed = [t for t in tokens if t in TIME_WORDS]
    if not timed:
        return 1 if any(t in TIME_UNITS for t in tokens) else 0
    plain = TIME_WORDS | TIME_UNITS | EVENT_WORDS | {"to", "of", "in", "up", "until"}
    return 3 if all(t in plain or t.isdigit() for t in tokens) else 2


def is_outcome_like(dataset: Dataset, column: str) -> bool:
    """Another outcome or follow-up measure (death, complication, relapse, 'status' alone,
    los, a follow-up time such as 'time' or 'futime'): results, never covariates, of a baseline
    model."""
    if named(dataset, column, OUTCOME_LIKE, OUTCOME_STEMS) or time_rank(dataset, column) == 3:
        return True
    # 'status' alone or of survival is the event; 'smoking status' is a covariate.
    tokens = set(words(column))
    return "status" in tokens and tokens <= {"status", "os", "pfs", "dfs", "efs", "rfs", "vital"}


def is_code_column(dataset: Dataset, column: str) -> bool:
    """is_code_column, remembered per (values, column, label, kind): every tab asks it of the
    same columns on every change of any control, and it reads the column's values. Keyed by
    the frame itself (a kind or label edit keeps it), so an edit recomputes one column only."""
    meta = dataset.meta(column)
    key = (id(dataset.df), column, meta.label, meta.kind)
    with _codes_lock:
        known = _codes.get(key)
    if known is not None and known[0]() is dataset.df:  # not another frame at a reused id
        return known[1]
    answer = _is_code_column(dataset, column)
    with _codes_lock:
        _codes[key] = (weakref.ref(dataset.df), answer)
    return answer


_codes: LRUCache = LRUCache(maxsize=4 * SCAN_COLUMNS * 8)  # a few tabs' scans of a few files
_codes_lock = threading.Lock()


def _is_code_column(dataset: Dataset, column: str) -> bool:
    """An identifier, a site code or a date typed as a number: never a default anywhere.

    Kind 'id'; a name or label like an id ('patient_id', 'MRN') or a place code ('inst',
    'center', 'zip'); numbers named as a date or that all read as yyyymmdd; or integers that
    are all different and packed (patient numbers) or in row order. The first SAMPLE_VALUES
    values rule most columns out before the whole column is looked at.
    """
    meta = dataset.meta(column)
    if meta.kind == "id":
        return True
    label = dataset.label(column)
    if any(is_id_name(t) or is_code_name(t) for t in (column, label)):
        return True
    series = dataset.df[column]
    if not pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series):
        return False
    if named(dataset, column, DATE_WORDS):
        return True
    head = series.iloc[:SAMPLE_VALUES].to_numpy(dtype=float, na_value=np.nan)
    head = head[~np.isnan(head)]
    if len(head) == 0 or not np.all(np.mod(head, 1) == 0):
        return False
    if looks_like_date_number(head):
        return looks_like_date_number(series.dropna().to_numpy(dtype=float))
    if meta.kind not in NUMERIC_KINDS or len(np.unique(head)) < len(head):
        return False  # repeated values: a measurement or a count
    values = series.dropna().to_numpy(dtype=float)
    distinct = np.unique(values)
    if len(distinct) < len(values):
        return False
    ordered = len(values) >= 20 and bool(np.all(np.diff(values) > 0))
    return ordered or is_dense_identifier(distinct, len(values))


def scanned(columns: Iterable[str]) -> list[str]:
    """The first SCAN_COLUMNS of the columns: those a default may be chosen among."""
    return list(itertools.islice(columns, SCAN_COLUMNS))


def without_codes(dataset: Dataset, columns: Iterable[str]) -> list[str]:
    """The columns that are not identifiers or site codes, in order."""
    return [c for c in columns if not is_code_column(dataset, c)]


# Column names that usually hold the outcome of a clinical data set.
OUTCOME_WORDS = re.compile(
    r"outcome|death|died|dead|mortality|complication|event|readmi|infection|relapse|recurr|"
    r"response|failure|status",
    re.IGNORECASE,
)


@per_dataset
def outcome_choices(dataset: Dataset) -> dict[str, str]:
    """Columns that can be a binary outcome (binary, or categorical with an event chosen)."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if meta.kind in FACTOR_KINDS and len(meta.levels) >= 2
    }


def default_outcome(dataset: Dataset) -> str | None:
    """A binary column that reads as a result (death, complication, 'status' alone:
    is_outcome_like), else one whose name holds an outcome word, else the first binary column;
    never an identifier or site code. 'smoking_status' is not chosen over a later 'died'."""
    candidates = outcome_choices(dataset)
    choices = {n: candidates[n] for n in scanned(candidates)
               if not is_code_column(dataset, n)}  # fmt: skip
    binary = [n for n in choices if dataset.meta(n).kind == "binary"] or list(choices)
    result = [n for n in binary if is_outcome_like(dataset, n)]
    named = [n for n in binary if OUTCOME_WORDS.search(n) or OUTCOME_WORDS.search(choices[n])]
    return (result or named or binary or [None])[0]


def default_event(levels: tuple[str, ...] | list[str]) -> str | None:
    """The positive-looking level, else the second of two, else the last."""
    for level in levels:
        if str(level).strip().lower() in POSITIVE_LEVELS:
            return level
    if not levels:
        return None
    return levels[1] if len(levels) == 2 else levels[-1]
