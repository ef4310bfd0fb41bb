"""Covariates that are the outcome recorded another way, found from the data alone.

A column that reproduces the outcome (the same split of patients under another coding: 'died'
yes/no beside 'death' 0/1, or 'alive'/'dead' as text) or determines it (every value of the
column belongs to one outcome value; a number that splits the outcome at a threshold; a date of
death filled in exactly for the patients who died) predicts the outcome perfectly because it is
the outcome. In a model it gives infinite odds ratios and hides every real covariate, so the
Outcome tab never suggests such a column and the analysis warns when one is chosen.

Every test here holds in any subset of rows when it holds in the whole column, so a strided
sample of SAMPLE_ROWS rows rules out most columns before the full column is read: the check
stays a few milliseconds per column on 100,000 rows (bench figures in the commit message).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.encoding import encode_outcome, level_label, natural_key
from analyses.errors import AnalysisError

MIN_PER_CLASS = 5  # fewer events (or non-events) than this: any split can be chance
THRESHOLD_PER_CLASS = 10  # a strong marker can separate a small sample: ask for more
MAX_LEVELS = 20  # more distinct values than this: a measurement, checked for a threshold
ROWS_PER_LEVEL = 5  # fewer rows per value than this and any outcome splits by chance
SAMPLE_ROWS = 2000  # rows of the quick check that rules most columns out
SHOWN_LEVELS = 4  # levels named in a sentence before "..."


@dataclass(frozen=True)
class Proxy:
    """A covariate that looks like the outcome, and why, as the end of a sentence."""

    column: str
    reason: str

    def warning(self) -> str:
        return (
            f"'{self.column}' looks like the outcome recorded another way: {self.reason}. "
            "Leave it out: a model cannot use the outcome to predict itself."
        )


@dataclass(frozen=True)
class OutcomeScreen:
    """What the defaults need to know about an outcome before any model: its two group sizes
    and the candidates that are the outcome itself."""

    event: str
    events: int
    non_events: int
    proxies: tuple[Proxy, ...]


def screen_outcome(
    df: pd.DataFrame, outcome: str, event: str | None, candidates: Iterable[str]
) -> OutcomeScreen | None:
    """Event counts and proxies of `outcome` as the analysis would read it; None when it cannot
    be read as two groups (one value, or several with no event chosen)."""
    try:
        y, label, _ = encode_outcome(df[outcome], event)
    except AnalysisError:
        return None
    events = int(np.nansum(y))
    non_events = int((~np.isnan(y)).sum()) - events
    others = [c for c in candidates if c != outcome]
    return OutcomeScreen(label, events, non_events, find_proxies(df, y, others))


def find_proxies(df: pd.DataFrame, y: np.ndarray, candidates: Iterable[str]) -> tuple[Proxy, ...]:
    """The candidates that reproduce or determine y (1.0 event, 0.0 no event, NaN unknown)."""
    y = np.asarray(y, dtype=float)
    known = ~np.isnan(y)
    events = int(np.nansum(y))
    if min(events, int(known.sum()) - events) < MIN_PER_CLASS:
        return ()
    step = max(1, len(y) // SAMPLE_ROWS)
    found = []
    for name in dict.fromkeys(candidates):
        if name not in df.columns:
            continue
        series = df[name]
        if step > 1 and _reason(series.iloc[::step], y[::step], quick=True) is None:
            continue
        reason = _reason(series, y, quick=False)
        if reason is not None:
            found.append(Proxy(str(name), reason))
    return tuple(found)


def _reason(series: pd.Series, y: np.ndarray, *, quick: bool) -> str | None:
    """Why the column is the outcome, or None. `quick` drops the size guards: on a sample it
    only rules columns out (a test failing on some rows fails on all of them)."""
    known = ~np.isnan(y)
    event = y == 1
    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return _by_presence(series.notna().to_numpy()[known], event[known])
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
        present = np.isfinite(values)
        reason = _by_presence(present[known], event[known])
        if reason is not None:
            return reason
        rows = known & present
        distinct = len(np.unique(values[rows]))
        if distinct > 2:
            reason = _by_threshold(values[rows], event[rows], quick)
            if reason is not None or distinct > MAX_LEVELS:
                return reason
    codes, labels = _codes(series)
    reason = _by_presence(codes[known] >= 0, event[known])
    if reason is not None or len(labels) > MAX_LEVELS:
        return reason
    rows = known & (codes >= 0)
    return _by_levels(codes[rows], event[rows], labels, quick)


def _codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes (-1 missing) and labels as the analysis reads them (blank is missing, " dead" is
    "dead"), in order of appearance: factorised at C speed, only distinct values in Python."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    position: dict[str, int] = {}
    lookup = np.empty(len(uniques) + 1, dtype=np.int64)
    lookup[-1] = -1
    for i, value in enumerate(uniques):
        label = level_label(value)
        blank = label == "" or label.lower() == "nan"
        lookup[i] = -1 if blank else position.setdefault(label, len(position))
    return lookup[codes], list(position)


def _by_presence(present: np.ndarray, event: np.ndarray) -> str | None:
    """Filled in for exactly the patients with (or without) the event: a date of death."""
    if present.all() or not present.any():
        return None
    if np.array_equal(present, event):
        return "it is filled in for exactly the patients who had the event"
    if np.array_equal(present, ~event):
        return "it is filled in for exactly the patients who did not have the event"
    return None


def _by_threshold(values: np.ndarray, event: np.ndarray, quick: bool) -> str | None:
    """Every event above (or below) every non-event: the outcome split at a cut-off."""
    with_event, without = values[event], values[~event]
    if len(with_event) == 0 or len(without) == 0:
        return "" if quick else None
    if not quick and min(len(with_event), len(without)) < THRESHOLD_PER_CLASS:
        return None
    if without.max() < with_event.min():
        side, cut, rest = "above", without.max(), "at or below"
    elif with_event.max() < without.min():
        side, cut, rest = "below", without.min(), "at or above"
    else:
        return None
    return (
        f"every patient with a value {side} {cut:g} had the event "
        f"and every one {rest} {cut:g} did not"
    )


def _by_levels(codes: np.ndarray, event: np.ndarray, labels: list[str], quick: bool) -> str | None:
    """Every level holds only events or only non-events: the outcome under another coding."""
    k = len(labels)
    if k == 0:
        return None
    table = np.bincount(codes * 2 + event, minlength=2 * k).reshape(k, 2)
    seen = table.sum(axis=1) > 0
    if np.any((table[seen] > 0).sum(axis=1) > 1):
        return None  # some level holds both
    if quick:
        return ""
    n_levels = int(seen.sum())
    events, others = int(table[:, 1].sum()), int(table[:, 0].sum())
    if n_levels < 2 or len(codes) < ROWS_PER_LEVEL * n_levels:
        return None
    if min(events, others) < MIN_PER_CLASS:
        return None
    had = sorted((labels[i] for i in range(k) if table[i, 1] > 0), key=natural_key)
    not_had = sorted((labels[i] for i in range(k) if table[i, 0] > 0), key=natural_key)
    return f"every patient with {_either(had)} had the event and every {_either(not_had)} did not"


def _either(levels: list[str]) -> str:
    quoted = [f"'{level}'" for level in levels[:SHOWN_LEVELS]]
    if len(levels) > SHOWN_LEVELS:
        return ", ".join(quoted) + " or another of its values"
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
