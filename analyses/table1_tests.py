"""Table 1 statistics per variable: summary choice, group comparison test, standardised difference.

Pure functions on numpy arrays. Test keys are stored in Table1Result.variables["test"]; the page
turns them into names (modules/table1/view.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from analyses.fisher_rxc import fisher_exact_rxc

# Test keys.
CHI2 = "chi2"  # Pearson's chi-squared test, no continuity correction (gtsummary's default)
FISHER = "fisher"  # Fisher's exact test, 2x2
FISHER_EXACT_RXC = "fisher_exact_rxc"  # Fisher-Freeman-Halton exact test, exact p (r x c)
FISHER_MC = "fisher_mc"  # the same test, Monte Carlo p (r x c beyond the exact work bound)
WELCH = "welch"  # Welch two-sample t-test
MANN_WHITNEY = "mann_whitney"  # Wilcoxon rank-sum / Mann-Whitney U
ANOVA = "anova"  # one-way ANOVA (equal variances)
KRUSKAL = "kruskal"  # Kruskal-Wallis rank-sum test

# The automatic choice between mean (SD) and median [IQR].
SHAPIRO_ALPHA = 0.05
SKEW_LIMIT = 1.0
SHAPIRO_MAX_N = 5000  # scipy's Shapiro-Wilk p is unreliable above this; skewness alone decides
NORMALITY_RULE = (
    "median [IQR] when the Shapiro–Wilk test of the values (centred on their group means) "
    f"gives p < {SHAPIRO_ALPHA:g} or |skewness| > {SKEW_LIMIT:g}; otherwise mean (SD)"
)
EXPECTED_MIN = 5.0
# Monte Carlo tables for the r x c test when its exact p would take more than
# fisher_rxc.MAX_WORK; seeded so that a result never changes on re-run.
FISHER_RESAMPLES = 9999
FISHER_SEED = 20240607


@dataclass(frozen=True)
class Comparison:
    """One group comparison: which test, its statistic, degrees of freedom and p-value."""

    test: str = ""
    statistic: float = np.nan
    df: float = np.nan
    df2: float = np.nan
    p_value: float = np.nan


@dataclass(frozen=True)
class Choice:
    """How a numeric variable is summarised, and the evidence for it."""

    summary: str  # "mean" or "median"
    reason: str
    normality_p: float = np.nan
    skewness: float = np.nan


def choose_summary(values: np.ndarray, groups: np.ndarray, forced: str | None) -> Choice:
    """Mean or median for one numeric variable (values without NaN, their group codes)."""
    if len(values) and np.ptp(values) == 0:
        return Choice(forced or "mean", "constant")
    centred = values - _group_means(values, groups)
    skew = float(stats.skew(centred, bias=False)) if len(values) >= 3 else np.nan
    p = np.nan
    if 3 <= len(values) <= SHAPIRO_MAX_N and np.ptp(centred) > 0:
        p = float(stats.shapiro(centred).pvalue)
    if forced is not None:
        return Choice(forced, "user", p, skew)
    if len(values) < 3:
        return Choice("mean", "few", p, skew)
    if np.isfinite(p) and p < SHAPIRO_ALPHA:
        return Choice("median", "shapiro", p, skew)
    if np.isfinite(skew) and abs(skew) > SKEW_LIMIT:
        return Choice("median", "skewness", p, skew)
    return Choice("mean", "normal", p, skew)


def _group_means(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Each value's group mean (the overall mean when there is one group)."""
    sums = np.bincount(groups, weights=values)
    counts = np.bincount(groups)
    means = np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)
    return means[groups]


def categorical_test(table: np.ndarray) -> Comparison:
    """Chi-square, or Fisher's exact test when an expected count is below 5 (levels x groups)."""
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if table.shape[0] < 2 or table.shape[1] < 2:
        return Comparison()
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    if (expected >= EXPECTED_MIN).all():
        res = stats.chi2_contingency(table, correction=False)
        return Comparison(CHI2, float(res.statistic), float(res.dof), p_value=float(res.pvalue))
    if table.shape == (2, 2):
        return Comparison(FISHER, p_value=float(stats.fisher_exact(table).pvalue))
    # Exact as R's fisher.test where the work is bounded (analyses/fisher_rxc.py; scipy has
    # no exact r x c test). Beyond the bound, scipy's Monte Carlo version samples tables with
    # the observed margins (as R's fisher.test(simulate.p.value = TRUE) does).
    exact = fisher_exact_rxc(table)
    if exact is not None:
        return Comparison(FISHER_EXACT_RXC, p_value=exact)
    method = stats.MonteCarloMethod(
        n_resamples=FISHER_RESAMPLES, rng=np.random.default_rng(FISHER_SEED)
    )
    res = stats.fisher_exact(table, method=method)
    return Comparison(FISHER_MC, p_value=float(res.pvalue))


def numeric_test(samples: list[np.ndarray], summary: str) -> Comparison:
    """Welch t / Mann-Whitney for two groups, ANOVA / Kruskal-Wallis for more, by the summary."""
    samples = [s for s in samples if len(s) > 0]
    if len(samples) < 2 or sum(len(s) for s in samples) <= len(samples):
        return Comparison()
    pooled = np.concatenate(samples)
    if np.ptp(pooled) == 0:
        return Comparison()
    if summary == "median":
        if len(samples) == 2:
            res = stats.mannwhitneyu(samples[0], samples[1], alternative="two-sided")
            return Comparison(MANN_WHITNEY, float(res.statistic), p_value=float(res.pvalue))
        res = stats.kruskal(*samples)
        df = float(len(samples) - 1)
        return Comparison(KRUSKAL, float(res.statistic), df, p_value=float(res.pvalue))
    if len(samples) == 2:
        if min(len(s) for s in samples) < 2:
            return Comparison()
        res = stats.ttest_ind(samples[0], samples[1], equal_var=False)
        return Comparison(WELCH, float(res.statistic), float(res.df), p_value=float(res.pvalue))
    if all(np.ptp(s) == 0 for s in samples if len(s)):
        return Comparison()
    res = stats.f_oneway(*samples)
    k, n = len(samples), len(pooled)
    return Comparison(ANOVA, float(res.statistic), float(k - 1), float(n - k), float(res.pvalue))


def numeric_smd(a: np.ndarray, b: np.ndarray) -> float:
    """|mean difference| / sqrt((var_a + var_b) / 2), as R's tableone computes it."""
    if len(a) < 2 or len(b) < 2:
        return np.nan
    diff = abs(a.mean() - b.mean())
    pooled = np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / 2)
    if pooled == 0:
        return 0.0 if diff == 0 else np.inf
    return float(diff / pooled)


def categorical_smd(counts_a: np.ndarray, counts_b: np.ndarray) -> float:
    """Yang & Dalton (2012) SMD of a factor from its level counts in two groups.

    sqrt(T' S^-1 T), with T the differences in the proportions of every level but the first
    and S the average of the two groups' multinomial covariance matrices; a generalised inverse
    keeps it defined when a level is empty (R's tableone uses MASS::ginv the same way).
    """
    if counts_a.sum() == 0 or counts_b.sum() == 0:
        return np.nan
    p = counts_a / counts_a.sum()
    q = counts_b / counts_b.sum()
    t = (p - q)[1:]
    if len(t) == 0:
        return np.nan
    cov_p = np.diag(p) - np.outer(p, p)
    cov_q = np.diag(q) - np.outer(q, q)
    s = ((cov_p + cov_q) / 2)[1:, 1:]
    if not s.any():  # both groups constant: the SMD is undefined (NaN, as in R's tableone)
        return np.nan
    value = float(t @ np.linalg.pinv(s) @ t)
    return float(np.sqrt(max(value, 0.0)))
