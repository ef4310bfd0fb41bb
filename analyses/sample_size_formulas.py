"""Power as a function of sample size, one function per test, as the references compute it.

Each `power_*` takes the size that its family varies (per group, or in all) as a float, so a
root finder can invert it as R's uniroot does in pwr; `sample_size.py` does that and rounds up.
References: R pwr 1.3 (pwr.2p.test, pwr.t.test, pwr.t2n.test, pwr.r.test, pwr.chisq.test) and
stats::power.prop.test; Fleiss, Tytun & Ury 1980 (continuity correction); Schoenfeld 1983 and
Freedman 1982 (log-rank events); Hsieh, Bloch & Larsen 1998 (logistic regression); Buderer
1996 (diagnostic accuracy); Chow, Shao & Wang 2008, sections 3.2 and 4.2 (non-inferiority and
equivalence).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special


def z_upper(p: float) -> float:
    """The standard normal quantile with p above it (z_upper(0.025) = 1.96)."""
    return float(-special.ndtri(p))


def _phi(x: float) -> float:
    # scipy.special directly (here and below): scipy.stats's argument checks cost ~10x the
    # function itself, and a curve and a root search call these a few hundred times.
    return float(special.ndtr(x))


# --- two proportions ----------------------------------------------------------------------------
def power_two_proportions(
    n: float, p1: float, p2: float, alpha: float, sides: int, ratio: float = 1.0
) -> float:
    """Normal approximation, pooled variance under H0 (stats::power.prop.test, strict=FALSE, when
    ratio is 1); n in group 1 and ratio * n in group 2 (Fleiss, Tytun & Ury 1980)."""
    d = abs(p1 - p2)
    pbar = (p1 + ratio * p2) / (1 + ratio)
    null_sd = math.sqrt(pbar * (1 - pbar) * (1 + 1 / ratio))
    alt_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) / ratio)
    return _phi((math.sqrt(n) * d - z_upper(alpha / sides) * null_sd) / alt_sd)


def uncorrected_n(n_corrected: float, d: float, ratio: float = 1.0) -> float:
    """The n without continuity correction that Fleiss, Tytun & Ury's n' corrects:
    n' = n/4 (1 + sqrt(1 + 2 (k + 1) / (k n d)))^2 inverted (0 when n' is too small for any)."""
    x = math.sqrt(n_corrected)
    return max(x - (ratio + 1) / (2 * ratio * d * x), 0.0) ** 2


def corrected_n(n: float, d: float, ratio: float = 1.0) -> float:
    """Fleiss, Tytun & Ury's continuity-corrected n' from the uncorrected n."""
    return n / 4 * (1 + math.sqrt(1 + 2 * (ratio + 1) / (ratio * n * d))) ** 2


def power_two_proportions_cc(
    n: float, p1: float, p2: float, alpha: float, sides: int, ratio: float = 1.0
) -> float:
    """The normal approximation with Fleiss, Tytun & Ury's continuity correction."""
    base = uncorrected_n(n, abs(p1 - p2), ratio)
    return power_two_proportions(base, p1, p2, alpha, sides, ratio) if base > 0 else 0.0


def cohen_h(p1: float, p2: float) -> float:
    return 2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2))


def power_arcsine(
    n: float, p1: float, p2: float, alpha: float, sides: int, ratio: float = 1.0
) -> float:
    """pwr.2p.test (pwr.2p2n.test with n2 = ratio * n): Cohen's h on the arcsine scale."""
    h = abs(cohen_h(p1, p2))
    shift = h * math.sqrt(n * ratio / (1 + ratio))
    z = z_upper(alpha / sides)
    upper = 1 - _phi(z - shift)
    return upper + _phi(-z - shift) if sides == 2 else upper


# --- means ----------------------------------------------------------------------------------------
def _power_t(ncp: float, df: float, alpha: float, sides: int) -> float:
    q = float(-special.stdtrit(df, alpha / sides))
    upper = _finite(1 - special.nctdtr(df, ncp, q), 1.0)
    # The far tail underflows (NaN there for large ncp): it is then 0.
    return upper + _finite(special.nctdtr(df, ncp, -q), 0.0) if sides == 2 else upper


def _finite(x: float, fallback: float) -> float:
    return float(x) if math.isfinite(float(x)) else fallback


def power_two_means(n1: float, d: float, alpha: float, sides: int, ratio: float = 1.0) -> float:
    """pwr.t2n.test with n2 = ratio * n1 (pwr.t.test when ratio is 1); d = |difference| / SD."""
    n2 = ratio * n1
    return _power_t(abs(d) / math.sqrt(1 / n1 + 1 / n2), n1 + n2 - 2, alpha, sides)


def power_paired(n: float, d: float, alpha: float, sides: int) -> float:
    """pwr.t.test(type = "paired"): n pairs, d = mean difference / SD of the differences."""
    return _power_t(math.sqrt(n) * abs(d), n - 1, alpha, sides)


# --- correlation, chi-square ----------------------------------------------------------------------
def power_correlation(n: float, r: float, alpha: float, sides: int) -> float:
    """pwr.r.test: Fisher's z with the bias term r / (2 (n - 1)) and a t-based critical r."""
    r = abs(r)
    t = float(-special.stdtrit(n - 2, alpha / sides))
    rc = math.sqrt(t**2 / (t**2 + n - 2))
    zr = math.atanh(r) + r / (2 * (n - 1))
    zrc = math.atanh(rc)
    upper = _phi((zr - zrc) * math.sqrt(n - 3))
    return upper + _phi((-zr - zrc) * math.sqrt(n - 3)) if sides == 2 else upper


def power_chisq(n: float, w: float, df: float, alpha: float) -> float:
    """pwr.chisq.test: non-central chi-square with non-centrality n w^2, n in all."""
    k = float(special.chdtri(df, alpha))
    return float(1 - special.chndtr(k, df, n * w**2))


# --- log-rank -------------------------------------------------------------------------------------
def share_of_group1(ratio: float) -> float:
    """The fraction of patients in group 1 when group 2 has `ratio` times as many."""
    return 1 / (1 + ratio)


def power_schoenfeld(events: float, hr: float, alpha: float, sides: int, ratio: float) -> float:
    """Schoenfeld 1983: log HR has variance 1 / (D p (1 - p))."""
    p = share_of_group1(ratio)
    return _phi(math.sqrt(events * p * (1 - p)) * abs(math.log(hr)) - z_upper(alpha / sides))


def power_freedman(events: float, hr: float, alpha: float, sides: int, ratio: float) -> float:
    """Freedman 1982: D = (z_a + z_b)^2 (1 + k HR)^2 / (k (1 - HR)^2), k = n2 / n1."""
    shift = math.sqrt(events * ratio) * abs(1 - hr) / (1 + ratio * hr)
    return _phi(shift - z_upper(alpha / sides))


def event_probability(hazard: float, accrual: float, follow_up: float) -> float:
    """P(event during the study) under an exponential hazard, uniform accrual over `accrual`
    and `follow_up` more after it closes (Schoenfeld 1983; as rms/Hmisc cpower)."""
    if accrual <= 0:
        return 1 - math.exp(-hazard * follow_up)
    tail = math.exp(-hazard * follow_up) - math.exp(-hazard * (follow_up + accrual))
    return 1 - tail / (accrual * hazard)


# --- logistic regression (Hsieh, Bloch & Larsen 1998) ---------------------------------------------
def power_logistic_continuous(
    n: float, p: float, odds_ratio: float, alpha: float, sides: int, r2: float
) -> float:
    """One normal covariate: n = (z_a + z_b)^2 / (p (1 - p) b^2) / (1 - R^2), b = log OR per SD,
    p the event rate at the covariate's mean."""
    b = abs(math.log(odds_ratio))
    return _phi(math.sqrt(n * (1 - r2) * p * (1 - p)) * b - z_upper(alpha / sides))


def exposed_rate(p1: float, odds_ratio: float) -> float:
    """The event rate of the exposed given the unexposed's and the odds ratio."""
    odds = odds_ratio * p1 / (1 - p1)
    return odds / (1 + odds)


def power_logistic_binary(
    n: float, p1: float, odds_ratio: float, exposed: float, alpha: float, sides: int, r2: float
) -> float:
    """One binary covariate, a share `exposed` (B) of patients with it; p1 the event rate
    without it: Hsieh's equation (2) with P = (1 - B) p1 + B p2, over (1 - R^2)."""
    p2 = exposed_rate(p1, odds_ratio)
    pbar = (1 - exposed) * p1 + exposed * p2
    null_sd = math.sqrt(pbar * (1 - pbar) / exposed)
    alt_sd = math.sqrt(p1 * (1 - p1) + p2 * (1 - p2) * (1 - exposed) / exposed)
    shift = math.sqrt(n * (1 - r2) * (1 - exposed)) * abs(p1 - p2)
    return _phi((shift - z_upper(alpha / sides) * null_sd) / alt_sd)


# --- diagnostic accuracy (Buderer 1996) -----------------------------------------------------------
def buderer_n(accuracy: float, width: float, share: float, alpha: float) -> float:
    """Patients for a (1 - alpha) CI of half-width `width` around a sensitivity (share = the
    prevalence) or a specificity (share = 1 - prevalence)."""
    return z_upper(alpha / 2) ** 2 * accuracy * (1 - accuracy) / (width**2 * share)


def buderer_width(n: float, accuracy: float, share: float, alpha: float) -> float:
    """The half-width reached with n patients (Buderer's formula solved for the width)."""
    return z_upper(alpha / 2) * math.sqrt(accuracy * (1 - accuracy) / (n * share))


# --- non-inferiority and equivalence (Chow, Shao & Wang 2008) -------------------------------------
def power_noninferiority(
    n: float, difference: float, variance: float, margin: float, alpha: float
) -> float:
    """H0: new - standard <= -margin, per group n, variance = 2 sigma^2 (means) or
    pT qT + pR qR (proportions); n = (z_a + z_b)^2 variance / (difference + margin)^2."""
    return _phi((difference + margin) / math.sqrt(variance / n) - z_upper(alpha))


def power_equivalence(
    n: float, difference: float, variance: float, margin: float, alpha: float
) -> float:
    """Two one-sided tests within +-margin: n = (z_a + z_{b/2})^2 variance / (margin - |d|)^2,
    so power = 2 Phi((margin - |d|) / se - z_a) - 1 (at least 0)."""
    shift = (margin - abs(difference)) / math.sqrt(variance / n) - z_upper(alpha)
    return max(2 * _phi(shift) - 1, 0.0)


def grid(low: float, high: float, points: int = 60) -> np.ndarray:
    """Whole numbers from low to high for a power curve (fewer when the range is short)."""
    values = np.unique(np.round(np.linspace(low, high, points)))
    return values[values >= low]
