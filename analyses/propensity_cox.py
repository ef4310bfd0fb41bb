"""The hazard ratio of the treatment in a matched or weighted sample: a Cox model of the
treatment alone with case weights, Efron's ties as R's coxph (each tied death's share weighted
by the mean weight of the tied deaths), and its robust variance: the weighted score residuals
(dfbeta) summed within each matched set, or per patient (coxph(..., weights, robust = TRUE)
and cluster = subclass).

One covariate, so Newton's method is on a scalar, and the sums over risk sets are cumulative
sums over the patients sorted by time (vectorised, no loop over death times).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from analyses.errors import AnalysisError

MAX_ITER = 30


def _terms(time, dead, x, w, beta):
    """Per death (in the order of the tied deaths at each time): the Efron denominators and
    numerators, and what each subject's score residual needs."""
    order = np.argsort(time, kind="stable")[::-1]  # latest first: cumulative sums are risk sets
    t, xs, ws = time[order], x[order], w[order]
    risk = ws * np.exp(beta * xs)
    s0, s1, s2 = np.cumsum(risk), np.cumsum(risk * xs), np.cumsum(risk * xs * xs)
    # the risk set of a time is everyone with a time at or after it: the last row of that time
    times, first = np.unique(t[::-1], return_index=True)  # ascending times
    last = len(t) - 1 - first  # position (in latest-first order) of the last row of that time
    death_times = np.unique(time[dead == 1])
    k = np.searchsorted(times, death_times)
    at = last[k]
    mask = dead == 1
    idx = np.searchsorted(death_times, time[mask])
    n_d = np.bincount(idx, minlength=len(death_times))
    e = w[mask] * np.exp(beta * x[mask])
    d0 = np.bincount(idx, weights=e, minlength=len(death_times))
    d1 = np.bincount(idx, weights=e * x[mask], minlength=len(death_times))
    d2 = np.bincount(idx, weights=e * x[mask] ** 2, minlength=len(death_times))
    meanw = np.bincount(idx, weights=w[mask], minlength=len(death_times)) / n_d
    # one entry per death: l = 0 .. d-1 at its time
    rep = np.repeat(np.arange(len(death_times)), n_d)
    frac = (np.arange(len(rep)) - np.repeat(np.cumsum(n_d) - n_d, n_d)) / n_d[rep]
    den = s0[at][rep] - frac * d0[rep]
    a1 = s1[at][rep] - frac * d1[rep]
    a2 = s2[at][rep] - frac * d2[rep]
    return death_times, rep, frac, den, a1, a2, meanw, idx


def weighted_cox(
    time: np.ndarray, dead: np.ndarray, treated: np.ndarray, w: np.ndarray,
    clusters: np.ndarray | None,
) -> tuple[float, float]:  # fmt: skip
    """(log hazard ratio, robust SE) of the treatment."""
    x = treated.astype(float)
    if not dead.any():
        raise AnalysisError("No patient in the sample had the event: no hazard ratio.")
    beta = 0.0
    for _ in range(MAX_ITER):
        checkpoint()
        _, rep, _, den, a1, a2, meanw, _ = _terms(time, dead, x, w, beta)
        score = np.sum(w[dead == 1] * x[dead == 1]) - np.sum(meanw[rep] * a1 / den)
        info = np.sum(meanw[rep] * (a2 / den - (a1 / den) ** 2))
        if not info > 0:
            raise AnalysisError("The hazard ratio cannot be estimated: one group has no events.")
        step = score / info
        beta += step
        if abs(step) < 1e-10:
            break
    death_times, rep, frac, den, a1, a2, meanw, idx = _terms(time, dead, x, w, beta)
    xbar = a1 / den
    hazard = meanw[rep] / den
    # cumulative hazards over death times: everyone at risk, and the deaths' own (1 - l/d) share
    h0 = np.bincount(rep, weights=hazard, minlength=len(death_times))
    h1 = np.bincount(rep, weights=hazard * xbar, minlength=len(death_times))
    h0d = np.bincount(rep, weights=hazard * (1 - frac), minlength=len(death_times))
    h1d = np.bincount(rep, weights=hazard * (1 - frac) * xbar, minlength=len(death_times))
    mean_xbar = np.bincount(rep, weights=xbar, minlength=len(death_times))
    mean_xbar /= np.bincount(rep, minlength=len(death_times))
    c0, c1 = np.cumsum(h0), np.cumsum(h1)
    upto = np.searchsorted(death_times, time, side="right")  # death times at or before t_i
    cum0 = np.where(upto > 0, c0[np.maximum(upto - 1, 0)], 0.0)
    cum1 = np.where(upto > 0, c1[np.maximum(upto - 1, 0)], 0.0)
    risk = np.exp(beta * x)
    resid = -risk * (x * cum0 - cum1)
    m = dead == 1
    # a death's own time: its (1 - l/d) share instead of the full one, and its observed part
    own0, own1 = h0[idx] - h0d[idx], h1[idx] - h1d[idx]
    resid[m] += risk[m] * (x[m] * own0 - own1) + (x[m] - mean_xbar[idx])
    info = np.sum(meanw[rep] * (a2 / den - xbar**2))
    dfbeta = w * resid / info
    if clusters is not None:
        codes, _ = pd.factorize(clusters)
        dfbeta = np.bincount(codes, weights=dfbeta)
    return float(beta), float(np.sqrt(np.sum(dfbeta**2)))
