"""Calibration of predicted risks against observed outcomes, as R rms::val.prob reports it.

Pure functions of (y, p): the outcome (0/1) and the predicted probability of each patient.
- Brier score (mean squared error of p) and the scaled Brier (1 - Brier / its value for a
  model that predicts the prevalence to everyone; Steyerberg 2010).
- Calibration-in-the-large: the intercept a of logit P(y) = a + offset(logit p); calibration
  slope: b of logit P(y) = a + b logit p (Cox 1958). Each with a Wald 95% CI.
- The smoothed calibration curve: lowess(p, y, iter = 0) as val.prob draws it (R's defaults:
  span 2/3, delta 1% of the range of p), and from it Eavg, E90 and Emax, the mean, 90th
  centile and maximum of |smoothed observed - predicted| over the patients (Austin &
  Steyerberg 2019, ICI).
- Grouped points: patients in tenths of predicted risk, the observed proportion in each with
  its Wilson 95% CI; and a histogram of the predictions by outcome.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.nonparametric.smoothers_lowess import lowess

Z95 = float(stats.norm.ppf(0.975))
# Predictions are clipped this far from 0 and 1 before taking logits (a separated fit gives
# probabilities that round to exactly 0 or 1, whose logit is infinite).
EDGE = 1e-12

GROUP_COLUMNS = ("group", "n", "events", "predicted", "observed", "ci_low", "ci_high")
CURVE_COLUMNS = ("predicted", "observed")
HISTOGRAM_COLUMNS = ("bin_low", "bin_high", "events", "non_events")


def logit(p: np.ndarray) -> np.ndarray:
    """log(p / (1 - p)) with p kept inside (0, 1)."""
    q = np.clip(p, EDGE, 1.0 - EDGE)
    return np.log(q) - np.log1p(-q)


def brier(y: np.ndarray, p: np.ndarray) -> float:
    """Mean squared difference between the predicted probability and the outcome."""
    return float(np.mean((p - y) ** 2))


def scaled_brier(y: np.ndarray, p: np.ndarray) -> float:
    """1 - Brier / Brier of predicting the prevalence to all; NaN when the outcome is constant."""
    prevalence = float(np.mean(y))
    reference = prevalence * (1.0 - prevalence)
    return 1.0 - brier(y, p) / reference if reference > 0 else float("nan")


def _newton(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Maximum-likelihood logistic coefficients of y on X with an offset, and their SEs.

    A few Newton steps on one or two columns: fast enough to repeat in every bootstrap sample.
    """
    beta = np.zeros(X.shape[1])
    info = np.eye(X.shape[1])
    for _ in range(50):
        eta = offset + X @ beta
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = mu * (1.0 - mu)
        info = (X * w[:, None]).T @ X
        try:
            step = np.linalg.solve(info, X.T @ (y - mu))
        except np.linalg.LinAlgError:
            return np.full(X.shape[1], np.nan), np.full(X.shape[1], np.nan)
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    try:
        se = np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        se = np.full(X.shape[1], np.nan)
    return beta, se


def calibration_intercept(y: np.ndarray, p: np.ndarray) -> tuple[float, float]:
    """Calibration-in-the-large (intercept with logit p as offset) and its SE; 0 is ideal."""
    beta, se = _newton(np.ones((len(y), 1)), y, logit(p))
    return float(beta[0]), float(se[0])


def calibration_slope(y: np.ndarray, p: np.ndarray) -> tuple[float, float, float]:
    """Intercept and slope of logit P(y) on logit p, and the slope's SE; slope 1 is ideal."""
    lp = logit(p)
    beta, se = _newton(np.column_stack([np.ones(len(y)), lp]), y, np.zeros(len(y)))
    return float(beta[0]), float(beta[1]), float(se[1])


def smoothed_observed(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The lowess curve as distinct predictions and the smoothed observed risk at each.

    R: lowess(p, y, iter = 0) then approx(..., ties = mean); statsmodels' lowess is the same
    algorithm (Cleveland 1979) given R's span and delta.
    """
    delta = 0.01 * float(np.ptp(p))
    fitted = lowess(y, p, frac=2.0 / 3.0, it=0, delta=delta, return_sorted=True)
    x, smooth = fitted[:, 0], fitted[:, 1]
    distinct, where = np.unique(x, return_inverse=True)
    mean_at = np.bincount(where, weights=smooth) / np.bincount(where)
    return distinct, mean_at


def calibration_errors(
    y: np.ndarray, p: np.ndarray, smoothed: tuple[np.ndarray, np.ndarray] | None = None
) -> tuple[float, float, float, np.ndarray]:
    """Eavg, E90 and Emax of |smoothed observed - predicted|, and the curve at each patient.

    `smoothed`: smoothed_observed(y, p) when the caller has it already (lowess is the cost)."""
    distinct, smooth = smoothed if smoothed is not None else smoothed_observed(y, p)
    at_patient = np.interp(p, distinct, smooth)
    error = np.abs(at_patient - p)
    return float(error.mean()), float(np.quantile(error, 0.9)), float(error.max()), at_patient


def curve_table(
    y: np.ndarray,
    p: np.ndarray,
    points: int = 101,
    smoothed: tuple[np.ndarray, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The smoothed calibration curve on an even grid of predictions (for the plot).

    A local linear fit can overshoot [0, 1] at the ends; the plotted risk is kept inside it
    (the E figures use the smoother as val.prob does, unclipped)."""
    distinct, smooth = smoothed if smoothed is not None else smoothed_observed(y, p)
    grid = np.linspace(distinct[0], distinct[-1], points) if len(distinct) > 1 else distinct
    observed = np.clip(np.interp(grid, distinct, smooth), 0.0, 1.0)
    return pd.DataFrame({"predicted": grid, "observed": observed})


def wilson_interval(events: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score 95% interval of a proportion (stays inside [0, 1], sound at 0 and n)."""
    n = n.astype(float)
    share = events / n
    centre = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 * np.sqrt(share * (1 - share) / n + Z95**2 / (4 * n**2)) / (1 + Z95**2 / n)
    return np.clip(centre - half, 0.0, 1.0), np.clip(centre + half, 0.0, 1.0)


def risk_groups(y: np.ndarray, p: np.ndarray, groups: int = 10) -> pd.DataFrame:
    """Patients in tenths of predicted risk: mean prediction, observed share and its 95% CI.

    Cut at the quantiles of p (R type 7), as the Hosmer-Lemeshow groups; tied cut points merge
    groups, so data with few distinct predictions give fewer, larger groups.
    """
    breaks = np.unique(np.quantile(p, np.linspace(0.0, 1.0, groups + 1)))
    if len(breaks) < 2:
        breaks = np.array([p.min(), p.max()])
    group = np.clip(np.searchsorted(breaks, p, side="left") - 1, 0, len(breaks) - 2)
    count = np.bincount(group, minlength=len(breaks) - 1)
    keep = count > 0
    events = np.bincount(group, weights=y, minlength=len(breaks) - 1)[keep]
    predicted = np.bincount(group, weights=p, minlength=len(breaks) - 1)[keep] / count[keep]
    n = count[keep]
    low, high = wilson_interval(events, n)
    return pd.DataFrame(
        {
            "group": np.arange(1, len(n) + 1),
            "n": n.astype(int),
            "events": events.round().astype(int),
            "predicted": predicted,
            "observed": events / n,
            "ci_low": low,
            "ci_high": high,
        },
        columns=list(GROUP_COLUMNS),
    )


def prediction_histogram(y: np.ndarray, p: np.ndarray, bins: int = 50) -> pd.DataFrame:
    """Counts of predictions in equal bins of [0, 1], patients with and without the event."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    events = np.bincount(index, weights=y, minlength=bins).round().astype(int)
    total = np.bincount(index, minlength=bins)
    return pd.DataFrame(
        {
            "bin_low": edges[:-1],
            "bin_high": edges[1:],
            "events": events,
            "non_events": total - events,
        },
        columns=list(HISTOGRAM_COLUMNS),
    )
