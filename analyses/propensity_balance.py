"""Covariate balance before and after matching or weighting, MatchIt's formulas (summary.matchit).

Standardised mean difference = (weighted mean treated - weighted mean control) / SD, where the
SD is always the full sample's (every analysed patient, unweighted), so before and after share
one denominator and only the means move: for the ATT the treated group's SD (MatchIt's
"treated"); for the ATE the pooled sqrt((s1^2 + s0^2) / 2) (its "pooled"). A 0/1 column's
variance is p(1 - p); a number's is the unbiased sum w(x - m)^2 / (1 - sum w^2) with weights
summing to 1. The variance ratio (treated / control, weighted) is given for numbers only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.results import PROPENSITY_BALANCE_COLUMNS

IMBALANCE = 0.1  # |SMD| above this is the usual sign of remaining imbalance (Austin 2009)
_TINY = np.sqrt(np.finfo(float).eps)


def weighted_mean(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Column means of x with weights w."""
    return (w[:, None] * x).sum(axis=0) / w.sum()


def weighted_var(x: np.ndarray, w: np.ndarray, binary: np.ndarray) -> np.ndarray:
    """Column variances: p(1-p) for 0/1 columns, the unbiased weighted variance otherwise."""
    w = w / w.sum()
    m = (w[:, None] * x).sum(axis=0)
    spread = (w[:, None] * (x - m) ** 2).sum(axis=0)
    denom = 1 - (w**2).sum()
    unbiased = np.divide(spread, denom, out=np.full_like(spread, np.nan), where=denom > 0)
    return np.where(binary, m * (1 - m), unbiased)


def _side(x, t, w, binary, sd):
    kept = w > 0
    t1, t0 = t & kept, ~t & kept
    m1, m0 = weighted_mean(x[t1], w[t1]), weighted_mean(x[t0], w[t0])
    diff = m1 - m0
    smd = np.where(np.abs(diff) > _TINY, diff / np.where(sd > 0, sd, np.nan), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        vr = weighted_var(x[t1], w[t1], binary) / weighted_var(x[t0], w[t0], binary)
    return m1, m0, smd, np.where(binary, np.nan, vr)


def denominators(x: np.ndarray, treated: np.ndarray, binary: np.ndarray, estimand: str):
    """The SD of each column that divides its mean difference (module docstring)."""
    t = treated == 1
    ones1, ones0 = np.ones(t.sum()), np.ones((~t).sum())
    v1 = weighted_var(x[t], ones1, binary)
    if estimand == "ATT":
        return np.sqrt(v1)
    return np.sqrt((v1 + weighted_var(x[~t], ones0, binary)) / 2)


def balance_table(
    x: np.ndarray,
    terms: tuple[tuple[str, str], ...],
    treated: np.ndarray,
    weights: np.ndarray,
    binary: np.ndarray,
    estimand: str,
) -> pd.DataFrame:
    """One row per balance column: means, SMD and variance ratio, before and after."""
    t = treated == 1
    sd = denominators(x, treated, binary, estimand)
    before = _side(x, t, np.ones(len(t)), binary, sd)
    after = _side(x, t, weights, binary, sd)
    return pd.DataFrame({
        "variable": [v for v, _ in terms], "level": [lev for _, lev in terms],
        "treated_before": before[0], "control_before": before[1],
        "smd_before": before[2], "vr_before": before[3],
        "treated_after": after[0], "control_after": after[1],
        "smd_after": after[2], "vr_after": after[3],
    }, columns=list(PROPENSITY_BALANCE_COLUMNS))  # fmt: skip
