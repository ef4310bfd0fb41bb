"""Accuracy of a 2x2 table: sensitivity, specificity, predictive values, likelihood ratios.

Proportions get exact Clopper-Pearson (default) or Wilson 95% intervals from statsmodels;
likelihood ratios get the log-method interval of Simel, Samsa & Matchar (1991), J Clin
Epidemiol 44:763, as most diagnostic software (and Stata's diagti) reports it.
"""

from __future__ import annotations

import math

from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analyses.diagnostic_roc import Counts

Z95 = float(stats.norm.ppf(0.975))
# Our CI names -> statsmodels proportion_confint methods.
CI_METHODS = {"exact": "beta", "wilson": "wilson"}
MEASURES = (
    "sensitivity",
    "specificity",
    "ppv",
    "npv",
    "lr_positive",
    "lr_negative",
    "accuracy",
    "prevalence",
)
NAN = float("nan")


def proportion(count: int, total: int, ci_method: str) -> tuple[float, float, float]:
    """count / total with its 95% CI (NaN when the denominator is zero)."""
    if total <= 0:
        return NAN, NAN, NAN
    low, high = proportion_confint(count, total, alpha=0.05, method=CI_METHODS[ci_method])
    return count / total, float(low), float(high)


def likelihood_ratio(
    hits_a: int, total_a: int, hits_b: int, total_b: int
) -> tuple[float, float, float]:
    """(hits_a/total_a) / (hits_b/total_b) with the log-method 95% CI.

    LR+ = sens / (1 - spec): a = positives testing positive, b = negatives testing positive.
    LR- = (1 - sens) / spec: a = positives testing negative, b = negatives testing negative.
    A zero count makes the ratio 0 or infinite and its interval undefined (left as NaN).
    """
    if total_a <= 0 or total_b <= 0:
        return NAN, NAN, NAN
    if hits_b == 0:
        return (math.inf if hits_a > 0 else NAN), NAN, NAN
    ratio = (hits_a / total_a) / (hits_b / total_b)
    if hits_a == 0:
        return 0.0, NAN, NAN
    se = math.sqrt(1 / hits_a - 1 / total_a + 1 / hits_b - 1 / total_b)
    log_ratio = math.log(ratio)
    return ratio, math.exp(log_ratio - Z95 * se), math.exp(log_ratio + Z95 * se)


def accuracy_rows(variable: str, c: Counts, ci_method: str) -> list[dict]:
    """One tidy row per measure: estimate, CI, and the counts a proportion is made of."""
    diseased, healthy = c.tp + c.fn, c.fp + c.tn
    n = diseased + healthy
    fractions = {
        "sensitivity": (c.tp, diseased),
        "specificity": (c.tn, healthy),
        "ppv": (c.tp, c.tp + c.fp),
        "npv": (c.tn, c.tn + c.fn),
        "accuracy": (c.tp + c.tn, n),
        "prevalence": (diseased, n),
    }
    ratios = {
        "lr_positive": likelihood_ratio(c.tp, diseased, c.fp, healthy),
        "lr_negative": likelihood_ratio(c.fn, diseased, c.tn, healthy),
    }
    rows = []
    for measure in MEASURES:
        if measure in fractions:
            num, den = fractions[measure]
            estimate, low, high = proportion(num, den, ci_method)
            numerator, denominator = float(num), float(den)
        else:
            estimate, low, high = ratios[measure]
            numerator = denominator = NAN
        rows.append(
            {
                "variable": variable,
                "measure": measure,
                "estimate": estimate,
                "ci_low": low,
                "ci_high": high,
                "numerator": numerator,
                "denominator": denominator,
            }
        )
    return rows
