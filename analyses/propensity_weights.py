"""Inverse probability of treatment weights, their truncation, Kish's effective sample size and
the common support of the scores.

ATE: 1/e for the treated, 1/(1-e) for the controls; stabilised, multiplied by the share of
each group (P(T=1), P(T=0)), which keeps the weights' mean near 1 and changes no estimate of
a group difference. ATT: 1 for the treated, e/(1-e) for the controls (already on the treated's
scale, so not stabilised). Truncation at the p-th and (100-p)-th percentiles (R's quantile
type 7) sets the weights beyond them to the percentile; for the ATT only the controls' weights
vary and only they are truncated.
"""

from __future__ import annotations

import numpy as np


def iptw(score: np.ndarray, treated: np.ndarray, estimand: str, stabilise: bool) -> np.ndarray:
    """The weights of every patient (see the module docstring)."""
    t = treated == 1
    if estimand == "ATT":
        return np.where(t, 1.0, score / (1 - score))
    w = np.where(t, 1 / score, 1 / (1 - score))
    if stabilise:
        share = t.mean()
        w = w * np.where(t, share, 1 - share)
    return w


def truncate(weights: np.ndarray, treated: np.ndarray, estimand: str, percent: float) -> np.ndarray:
    """Weights set to the p-th / (100-p)-th percentile beyond them (ATT: the controls')."""
    varying = treated == 0 if estimand == "ATT" else np.ones(len(weights), dtype=bool)
    low, high = np.percentile(weights[varying], [percent, 100 - percent])  # linear = type 7
    out = weights.copy()
    out[varying] = np.clip(weights[varying], low, high)
    return out


def kish_ess(weights: np.ndarray) -> float:
    """Kish's effective sample size, (sum w)^2 / sum w^2 (0 for no weight)."""
    total = weights.sum()
    return float(total**2 / (weights**2).sum()) if total > 0 else 0.0


def outside_support(score: np.ndarray, treated: np.ndarray) -> np.ndarray:
    """Patients whose score lies outside the range both groups share (MatchIt's
    discard = "both"): below the larger of the two minimums or above the smaller maximum."""
    t = treated == 1
    low = max(score[t].min(), score[~t].min())
    high = min(score[t].max(), score[~t].max())
    return (score < low) | (score > high)
