"""DeLong's nonparametric AUC: placement values, variance, 95% CI, and the paired comparison.

DeLong, DeLong & Clarke-Pearson (1988), Biometrics 44:837, in the mid-rank form of Sun & Xu
(2014, IEEE Signal Process Lett 21:1389): O(n log n) instead of the m x n comparison matrix.
Scores are read as "higher = positive"; negate a score to read it the other way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class Placements:
    """AUC and the structural components: v10 (one per positive), v01 (one per negative)."""

    auc: float
    v10: np.ndarray
    v01: np.ndarray

    @property
    def variance(self) -> float:
        """DeLong's variance of the AUC (NaN with fewer than two of either group)."""
        m, n = len(self.v10), len(self.v01)
        if m < 2 or n < 2:
            return float("nan")
        return float(self.v10.var(ddof=1) / m + self.v01.var(ddof=1) / n)


def placements(positive: np.ndarray, score: np.ndarray) -> Placements:
    """Placement values of the positives among the negatives and vice versa (ties count half)."""
    pos = score[positive]
    neg = score[~positive]
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        return Placements(float("nan"), np.empty(0), np.empty(0))
    all_ranks = stats.rankdata(np.concatenate([pos, neg]))
    # Share of negatives below each positive, and of positives above each negative.
    v10 = (all_ranks[:m] - stats.rankdata(pos)) / n
    v01 = 1.0 - (all_ranks[m:] - stats.rankdata(neg)) / m
    return Placements(float(v10.mean()), v10, v01)


def auc_delong(y: np.ndarray, score: np.ndarray) -> tuple[float, float, float]:
    """C-statistic with its DeLong 95% CI (as pROC::ci.auc's default, clipped to [0, 1])."""
    p = placements(np.asarray(y) > 0.5, np.asarray(score, dtype=float))
    var = p.variance
    if not np.isfinite(var):
        return p.auc, float("nan"), float("nan")
    half = Z95 * np.sqrt(var)
    return p.auc, float(max(0.0, p.auc - half)), float(min(1.0, p.auc + half))


@dataclass(frozen=True)
class PairedComparison:
    """DeLong's test of AUC1 - AUC2 on the same patients (as pROC::roc.test, method="delong")."""

    auc1: float
    auc2: float
    difference: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float


def compare_paired(
    positive: np.ndarray, score1: np.ndarray, score2: np.ndarray
) -> PairedComparison:
    """Two-sided z test of equal AUCs from the placement values' covariance matrix."""
    a = placements(positive, score1)
    b = placements(positive, score2)
    diff = a.auc - b.auc
    m, n = len(a.v10), len(a.v01)
    nan = float("nan")
    if m < 2 or n < 2:
        return PairedComparison(a.auc, b.auc, diff, nan, nan, nan, nan, nan)
    s10 = np.cov(np.vstack([a.v10, b.v10]))
    s01 = np.cov(np.vstack([a.v01, b.v01]))
    cov = s10 / m + s01 / n
    var = float(cov[0, 0] + cov[1, 1] - 2.0 * cov[0, 1])
    se = float(np.sqrt(var)) if var > 0 else 0.0
    if se == 0.0:
        # Identical rankings: pROC reports Z = 0 and p = 1 when the AUCs are equal.
        same = diff == 0
        return PairedComparison(
            a.auc, b.auc, diff, 0.0, diff, diff, 0.0 if same else nan, 1.0 if same else nan
        )
    z = diff / se
    return PairedComparison(
        auc1=a.auc,
        auc2=b.auc,
        difference=diff,
        se=se,
        ci_low=diff - Z95 * se,
        ci_high=diff + Z95 * se,
        z=float(z),
        p_value=float(2.0 * stats.norm.sf(abs(z))),
    )
