"""Per-outcome-group summaries for the univariable table, as formatted strings."""

from __future__ import annotations

import math

import numpy as np


def _decimals(scale: float) -> int:
    """One decimal for everyday clinical scales, more for small ones (0.35 -> 2)."""
    if not np.isfinite(scale) or scale <= 0:
        return 1
    return int(min(4, max(1, 1 - math.floor(math.log10(scale)))))


def _number(value: float, decimals: int) -> str:
    return "—" if not np.isfinite(value) else f"{value:.{decimals}f}"


def factor_summaries(
    codes: np.ndarray, y: np.ndarray, n_levels: int
) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Per level: n, events, and "n (%)" within the no-event and the event group.

    Percentages are column percentages of the patients in that outcome group who have a value
    for this covariate (finalfit's default), with one decimal.
    """
    n = np.bincount(codes, minlength=n_levels)
    events = np.bincount(codes, weights=y, minlength=n_levels).round().astype(np.int64)
    non_events = n - events
    cells = []
    for counts in (non_events, events):
        total = counts.sum()
        pct = counts / total * 100 if total else np.full(n_levels, np.nan)
        cells.append([f"{c} ({_number(p, 1)})" for c, p in zip(counts, pct, strict=True)])
    return n, events, cells[0], cells[1]


def numeric_summary(values: np.ndarray, y: np.ndarray, kind: str) -> tuple[str, str]:
    """ "mean (SD)" or "median [Q1–Q3]" of the no-event and the event group."""
    groups = (values[y <= 0.5], values[y > 0.5])
    if kind == "median":
        quartiles = [
            np.percentile(g, [25, 50, 75]) if len(g) else np.full(3, np.nan) for g in groups
        ]
        spread = np.nanmax([q[2] - q[0] for q in quartiles] + [0.0])
        d = _decimals(spread if spread > 0 else np.nanmax(np.abs(values)) / 10)
        return tuple(  # type: ignore[return-value]
            f"{_number(q[1], d)} [{_number(q[0], d)}–{_number(q[2], d)}]" for q in quartiles
        )
    means = [g.mean() if len(g) else np.nan for g in groups]
    sds = [g.std(ddof=1) if len(g) > 1 else np.nan for g in groups]
    spread = np.nanmax(sds + [0.0])
    d = _decimals(spread if spread > 0 else np.nanmax(np.abs(values)) / 10)
    return tuple(f"{_number(m, d)} ({_number(s, d)})" for m, s in zip(means, sds, strict=True))  # type: ignore[return-value]
