"""Bland–Altman agreement of two measurements of the same subjects.

Bias (mean difference) with its t interval; 95% limits of agreement (bias ± 1.96 SD) with two
CIs each: the approximate one of Bland & Altman (1999, Stat Methods Med Res 8:135; SE of a
limit ≈ sqrt(3 s²/n)) and the exact one by the non-central t (Carkeet 2015, Optom Vis Sci
92:e71); proportional bias as the least-squares regression of the differences on the means.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

Z95 = float(stats.norm.ppf(0.975))


class ProportionalBias(NamedTuple):
    """Regression of the differences on the means: slope (its CI and p) and intercept."""

    slope: float
    ci_low: float
    ci_high: float
    p_value: float
    intercept: float


def limits_table(diff: np.ndarray) -> tuple[pd.DataFrame, float]:
    """Rows bias, lower, upper: estimate, ci_low, ci_high, exact_low, exact_high; and the SD."""
    n = len(diff)
    bias, sd = float(diff.mean()), float(diff.std(ddof=1))
    t = float(stats.t.ppf(0.975, n - 1))
    half_bias = t * sd / np.sqrt(n)
    half_limit = t * np.sqrt(3 * sd**2 / n)
    nct = stats.nct.ppf([0.025, 0.975], n - 1, Z95 * np.sqrt(n)) / np.sqrt(n)
    rows = [("bias", bias, bias - half_bias, bias + half_bias, bias - half_bias, bias + half_bias)]
    lower, upper = bias - Z95 * sd, bias + Z95 * sd
    rows.append(
        (
            "lower",
            lower,
            lower - half_limit,
            lower + half_limit,
            bias - sd * nct[1],
            bias - sd * nct[0],
        )
    )
    rows.append(("upper", upper, upper - half_limit, upper + half_limit,
                 bias + sd * nct[0], bias + sd * nct[1]))  # fmt: skip
    columns = ["quantity", "estimate", "ci_low", "ci_high", "exact_low", "exact_high"]
    table = pd.DataFrame(rows, columns=columns)
    for c in columns[1:]:
        table[c] = table[c].astype(float)
    return table, sd


def proportional_bias(means: np.ndarray, diff: np.ndarray) -> ProportionalBias:
    """Least-squares slope of the differences on the means, with its t CI and p."""
    nan = float("nan")
    n = len(diff)
    centred = means - means.mean()
    sxx = float((centred**2).sum())
    if n < 3 or sxx <= 0:
        return ProportionalBias(nan, nan, nan, nan, nan)
    if np.ptp(diff) == 0:  # a constant difference: no slope, and nothing to test
        return ProportionalBias(0.0, 0.0, 0.0, nan, float(diff[0]))
    slope = float((centred * (diff - diff.mean())).sum() / sxx)
    intercept = float(diff.mean() - slope * means.mean())
    resid = diff - intercept - slope * means
    se = float(np.sqrt((resid**2).sum() / (n - 2) / sxx))
    t = float(stats.t.ppf(0.975, n - 2))
    p = float(2 * stats.t.sf(abs(slope / se), n - 2)) if se > 0 else 0.0
    return ProportionalBias(slope, slope - t * se, slope + t * se, p, intercept)
