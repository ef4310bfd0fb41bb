"""Kappa statistics: Cohen's (unweighted and weighted, two raters) and Fleiss' (many raters).

Cohen's kappa uses the large-sample variance of Fleiss, Cohen & Everitt (1969, Psychol Bull
72:323) for its SE and CI (the non-null variance) and for its z test (the null variance).
psych 2.2.9 computes a wrong variance for weighted kappa; tests/r/agreement.R computes this
formula in R, and with identity weights it equals psych's (correct) unweighted variance.
Fleiss' kappa (Fleiss 1971) has the null SE of Fleiss, Nee & Landis (1979) for its z test, as
irr::kappam.fleiss, and a jackknife SE over subjects for its CI (the null SE holds only under
no agreement).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


class Kappa(NamedTuple):
    """One kappa with its SE (for the CI), null SE (for the z test), CI, z and p."""

    estimate: float
    se: float
    se_null: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float


def agreement_weights(k: int, kind: str) -> np.ndarray:
    """k x k agreement weights, 1 on the diagonal: "none", "linear" or "quadratic".

    Categories are equally spaced by position (as psych and irr), not by their numeric codes."""
    if kind == "none" or k < 2:
        return np.eye(k)
    dist = np.abs(np.subtract.outer(np.arange(k), np.arange(k))) / (k - 1)
    return 1.0 - (dist if kind == "linear" else dist**2)


def _kappa(estimate: float, se: float, se_null: float) -> Kappa:
    z = estimate / se_null if se_null > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")
    # A Wald interval can pass 1 (or -1), which kappa cannot: cut there, as psych does.
    low, high = max(estimate - Z95 * se, -1.0), min(estimate + Z95 * se, 1.0)
    return Kappa(float(estimate), float(se), float(se_null), float(low), float(high), float(z), p)


def cohen_kappa(counts: np.ndarray, weights: np.ndarray) -> Kappa:
    """Cohen's (weighted) kappa of a k x k table of counts (rows rater 1, columns rater 2)."""
    n = counts.sum()
    p = counts / n
    rows, cols = p.sum(axis=1), p.sum(axis=0)
    expected = np.outer(rows, cols)
    po = float((weights * p).sum())
    pe = float((weights * expected).sum())
    kappa = (po - pe) / (1.0 - pe)
    w_row = weights @ cols  # mean weight of each row category over rater 2's margin
    w_col = weights.T @ rows
    both = np.add.outer(w_row, w_col)
    spread = float((p * (weights - both * (1.0 - kappa)) ** 2).sum())
    var = (spread - (kappa - pe * (1.0 - kappa)) ** 2) / (n * (1.0 - pe) ** 2)
    var0 = (float((expected * (weights - both) ** 2).sum()) - pe**2) / (n * (1.0 - pe) ** 2)
    return _kappa(kappa, np.sqrt(max(var, 0.0)), np.sqrt(max(var0, 0.0)))


def _fleiss_estimate(counts: np.ndarray) -> float:
    n, m = counts.shape[0], counts[0].sum()
    per_subject = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    pj = counts.sum(axis=0) / (n * m)
    pe = float((pj**2).sum())
    return (float(per_subject.mean()) - pe) / (1.0 - pe)


def fleiss_leave_one_out(counts: np.ndarray) -> np.ndarray:
    """Fleiss' kappa with each subject left out in turn (vectorised: n x k work)."""
    n, m = counts.shape[0], float(counts[0].sum())
    per_subject = ((counts**2).sum(axis=1) - m) / (m * (m - 1))
    p_bar = (per_subject.sum() - per_subject) / (n - 1)
    pj = (counts.sum(axis=0)[None, :] - counts) / ((n - 1) * m)
    pe = (pj**2).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (p_bar - pe) / (1.0 - pe)


def fleiss_kappa(counts: np.ndarray) -> Kappa:
    """Fleiss' kappa of an n x k table: how many of the m raters put subject i in category j."""
    n, m = counts.shape[0], float(counts[0].sum())
    kappa = _fleiss_estimate(counts)
    pj = counts.sum(axis=0) / (n * m)
    pq = pj * (1.0 - pj)
    total = float(pq.sum())
    var0 = 2.0 * (total**2 - float((pq * (1.0 - 2.0 * pj)).sum())) / (total**2 * n * m * (m - 1))
    loo = fleiss_leave_one_out(counts)
    loo = loo[np.isfinite(loo)]
    se = float(np.sqrt((len(loo) - 1) / len(loo) * ((loo - loo.mean()) ** 2).sum()))
    return _kappa(kappa, se if len(loo) > 1 else float("nan"), np.sqrt(max(var0, 0.0)))
