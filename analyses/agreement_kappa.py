"""Kappa statistics: Cohen's (unweighted and weighted, two raters) and Fleiss' (many raters).

Cohen's kappa (statsmodels) uses the large-sample variance of Fleiss, Cohen & Everitt (1969,
Psychol Bull 72:323) for its SE and CI (the non-null variance) and for its z test (the null
variance). psych 2.2.9 computes a wrong variance for weighted kappa; tests/r/agreement.R
computes this formula in R, and with identity weights it equals psych's (correct) unweighted
variance.
Fleiss' kappa (Fleiss 1971) has the null SE of Fleiss, Nee & Landis (1979) for its z test, as
irr::kappam.fleiss, and a jackknife SE over subjects for its CI (the null SE holds only under
no agreement).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import stats
from statsmodels.stats import inter_rater

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


def _kappa(estimate: float, se: float, se_null: float) -> Kappa:
    z = estimate / se_null if se_null > 0 else float("nan")
    p = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else float("nan")
    # A Wald interval can pass 1 (or -1), which kappa cannot: cut there, as psych does.
    low, high = max(estimate - Z95 * se, -1.0), min(estimate + Z95 * se, 1.0)
    return Kappa(float(estimate), float(se), float(se_null), float(low), float(high), float(z), p)


def cohen_kappa(counts: np.ndarray, weights: str) -> Kappa:
    """Cohen's kappa of a k x k table of counts (rows rater 1, columns rater 2), unweighted
    ("none") or with "linear" or "quadratic" weights over the categories' positions.

    statsmodels computes the Fleiss–Cohen–Everitt variances (std_kappa, and std_kappa0 under
    no agreement); tests/r/agreement.R computes the same formula in R."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a rater with one category: 0/0
        res = inter_rater.cohens_kappa(counts, wt=None if weights == "none" else weights)
    return _kappa(float(res.kappa), float(res.std_kappa), float(res.std_kappa0))


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
    kappa = float(inter_rater.fleiss_kappa(counts, method="fleiss"))
    pj = counts.sum(axis=0) / (n * m)
    pq = pj * (1.0 - pj)
    total = float(pq.sum())
    var0 = 2.0 * (total**2 - float((pq * (1.0 - 2.0 * pj)).sum())) / (total**2 * n * m * (m - 1))
    loo = fleiss_leave_one_out(counts)
    loo = loo[np.isfinite(loo)]
    se = float(np.sqrt((len(loo) - 1) / len(loo) * ((loo - loo.mean()) ** 2).sum()))
    return _kappa(kappa, se if len(loo) > 1 else float("nan"), np.sqrt(max(var0, 0.0)))
