"""Spearman's rank correlation test with R's p-values (cor.test(method = "spearman")).

R computes the two-sided p from S = sum of squared rank differences = (n³ - n)(1 - rho)/6:
without ties and for n <= 1290, by algorithm AS 89 (Best & Roberts 1975), which counts the
permutations exactly for n <= 9 and uses an Edgeworth series for larger n; with ties, or
above 1290 patients, by the t approximation with n - 2 degrees of freedom. scipy's spearmanr
only has the t approximation, and its permutation version is neither AS 89 nor fast, so AS 89
is written out here.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import stats

EXACT_MAX_N = 9  # R's prho counts permutations up to here (n_small = 9)
AS89_MAX_N = 1290  # cor.test uses AS 89 for n <= 1290 (its help page says n < 1290)
EXACT = "exact (AS 89)"
EDGEWORTH = "Edgeworth series (AS 89)"
T_APPROXIMATION = "t approximation"
# Edgeworth series coefficients c1..c12 of AS 89.
_EDGEWORTH = (
    0.2274, 0.2531, 0.1745, 0.0758, 0.1033, 0.3932,
    0.0879, 0.0151, 0.0072, 0.0831, 0.0131, 4.6e-4,
)  # fmt: skip


@lru_cache(maxsize=EXACT_MAX_N)
def _permutation_counts(n: int) -> np.ndarray:
    """How many permutations of 1..n give each S = sum (i - p(i))² (index = S).

    Positions are filled in order; a state is the set of values used so far (a bit mask), so
    the 2^n states carry count vectors instead of listing n! permutations.
    """
    top = n * (n * n - 1) // 3
    counts = np.zeros((1 << n, top + 1), dtype=np.int64)
    counts[0, 0] = 1
    for mask in range(1 << n):
        if not counts[mask].any():
            continue
        position = mask.bit_count()
        for value in range(n):
            if not mask & (1 << value):
                step = (position - value) ** 2
                counts[mask | (1 << value), step:] += counts[mask, : top + 1 - step]
    return counts[-1]


def prho(n: int, s: float, lower_tail: bool) -> float:
    """AS 89: P(S >= s), or P(S < s) when lower_tail, for Spearman's S with n pairs."""
    if s <= 0:
        return 0.0 if lower_tail else 1.0
    top = n * (n * n - 1.0) / 3.0
    if s > top:
        return 1.0 if lower_tail else 0.0
    if n <= EXACT_MAX_N:
        counts = _permutation_counts(n)
        at_least = counts[int(np.ceil(s)) :].sum()
        total = counts.sum()
        return float((total - at_least if lower_tail else at_least) / total)
    b = 1.0 / n
    x = (6.0 * (s - 1.0) * b / (n * n - 1.0) - 1.0) * np.sqrt(n - 1.0)
    y = x * x
    c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12 = _EDGEWORTH
    # The series in powers of 1/n (b) and of the standardised S (y = x²), innermost first.
    inner = c9 - c10 * b + y * b * (c11 - c12 * y)
    middle = -c4 + b * (c5 + c6 * b) - y * b * (c7 + c8 * b - y * inner)
    u = x * b * (c1 + b * (c2 + c3 * b) + y * middle)
    correction = u / np.exp(y / 2.0)
    p = stats.norm.cdf(x) - correction if lower_tail else stats.norm.sf(x) + correction
    return float(min(1.0, max(0.0, p)))


def spearman_test(x: np.ndarray, y: np.ndarray) -> tuple[float, float, str]:
    """rho, two-sided p and how p was computed, as R's cor.test(x, y, method = "spearman").

    x and y: complete pairs (no NaN), at least 3, neither constant.
    """
    n = len(x)
    rho = float(stats.spearmanr(x, y).statistic)
    ties = min(len(np.unique(x)), len(np.unique(y))) < n
    q = (n**3 - n) * (1.0 - rho) / 6.0
    upper = q > (n**3 - n) / 6.0  # negative rho: the upper tail of S
    if not ties and n <= AS89_MAX_N:
        s = np.round(q) if upper else np.round(q) + 2.0  # as R: S is even without ties
        p = prho(n, s, lower_tail=not upper)
        method = EXACT if n <= EXACT_MAX_N else EDGEWORTH
    else:
        r = 1.0 - q / (n * (n * n - 1.0) / 6.0)
        with np.errstate(divide="ignore"):
            t = r / np.sqrt((1.0 - r * r) / (n - 2))
        p = float(stats.t.cdf(t, n - 2) if upper else stats.t.sf(t, n - 2))
        method = T_APPROXIMATION
    return rho, min(2.0 * p, 1.0), method
