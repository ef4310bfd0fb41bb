"""The treatment effect in the matched or weighted sample, with sandwich standard errors.

The model of the outcome on the treatment alone is saturated, so its weighted fit is the two
groups' weighted means: a mean difference (linear model), a risk difference (linear model on
0/1) or a log odds ratio (logistic). The SE is the sandwich A^-1 B A^-1 of the weighted
estimating equations, with
- matched sets without replacement: B summed within each set (cluster-robust by subclass)
  with sandwich::vcovCL's HC1 factor G/(G-1), times (n-1)/(n-k) for a linear model (vcovCL
  leaves it out for a glm), as MatchIt's vignette uses;
- weights, or matching with replacement: B summed per patient with survey::svyglm's factor
  n/(n-1) (a one-stage design with weights only; HC0 x n/(n-1)).
Confidence intervals and p-values are Wald, normal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.propensity_cox import weighted_cox
from analyses.results import PROPENSITY_EFFECT_COLUMNS

CLUSTER = "cluster-robust SE by matched set (sandwich::vcovCL, HC1)"
SURVEY = "robust sandwich SE (survey::svyglm, HC0 x n/(n-1))"
COX_CLUSTER = "Cox model, Efron ties, robust SE by matched set (survival::coxph, cluster)"
COX_SURVEY = "Cox model, Efron ties, robust SE (survival::coxph, robust = TRUE)"


def _sandwich(x, w, resid, v, clusters, linear):
    """Variance matrix of the coefficients of a canonical GLM fitted with weights w."""
    n, k = x.shape
    bread = np.linalg.inv((x * (w * v)[:, None]).T @ x)
    scores = x * (w * resid)[:, None]
    if clusters is None:
        meat = scores.T @ scores * n / (n - 1)
    else:
        codes, _ = pd.factorize(clusters)
        sums = np.zeros((codes.max() + 1, k))
        np.add.at(sums, codes, scores)
        g = len(sums)
        meat = sums.T @ sums * (g / (g - 1)) * ((n - 1) / (n - k) if linear else 1.0)
    return bread @ meat @ bread


def _fit(y, t, w, link, clusters):
    """(estimate, se) of the treatment's coefficient."""
    m1 = np.average(y[t], weights=w[t])
    m0 = np.average(y[~t], weights=w[~t])
    x = np.column_stack([np.ones(len(y)), t.astype(float)])
    if link == "logit":
        if not (0 < m1 < 1 and 0 < m0 < 1):
            return np.nan, np.nan
        mu = np.where(t, m1, m0)
        estimate = np.log(m1 / (1 - m1)) - np.log(m0 / (1 - m0))
        v = mu * (1 - mu)
    else:
        mu = np.where(t, m1, m0)
        estimate = m1 - m0
        v = np.ones(len(y))
    cov = _sandwich(x, w, y - mu, v, clusters, link != "logit")
    return float(estimate), float(np.sqrt(cov[1, 1]))


def effects(
    y: np.ndarray,
    treated: np.ndarray,
    weights: np.ndarray,
    subclass: np.ndarray | None,
    outcome_type: str,
    time: np.ndarray | None = None,
) -> pd.DataFrame:
    """The effect rows (OR and risk difference for a 0/1 outcome, mean difference for a
    number, hazard ratio for an event with its time) on the patients with a weight and an
    outcome; `subclass` None: per patient."""
    from scipy import stats

    keep = (weights > 0) & ~np.isnan(y)
    if time is not None:
        keep &= ~np.isnan(time)
    y, t, w = y[keep], treated[keep] == 1, weights[keep]
    clusters = None if subclass is None else subclass[keep]
    method = SURVEY if clusters is None else CLUSTER
    z = stats.norm.ppf(0.975)
    rows = []
    if outcome_type == "survival":
        method = COX_SURVEY if clusters is None else COX_CLUSTER
        est, se = weighted_cox(time[keep], y.astype(int), t, w, clusters)
        p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan
        rows.append(("Hazard ratio", np.exp(est), se, np.exp(est - z * se), np.exp(est + z * se),
                     p, int(t.sum()), int((~t).sum()), method))  # fmt: skip
        return pd.DataFrame(rows, columns=list(PROPENSITY_EFFECT_COLUMNS))
    fits = (
        [("Odds ratio", "logit", True), ("Risk difference", "identity", False)]
        if outcome_type == "binary"
        else [("Mean difference", "identity", False)]
    )
    for measure, link, exponentiate in fits:
        est, se = _fit(y, t, w, link, clusters)
        low, high = est - z * se, est + z * se
        p = float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan
        if exponentiate:
            est, low, high = np.exp(est), np.exp(low), np.exp(high)
        rows.append((measure, est, se, low, high, p, int(t.sum()), int((~t).sum()), method))
    return pd.DataFrame(rows, columns=list(PROPENSITY_EFFECT_COLUMNS))
