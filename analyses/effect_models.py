"""One model fit for the subgroup and interaction analyses of the Outcome, Regression and
Survival tabs: coefficients with their covariance matrix and the log-likelihood.

Effects per level of a modifier are linear combinations of coefficients, so they need the
full covariance matrix (the tabs' own fitters keep only standard errors). The families are
those of the tabs: logistic (statsmodels Logit, R glm binomial), linear (OLS, R lm), Poisson
and negative binomial (the Regression tab's GLM, alpha fixed at the full model's), and Cox
(survival_cox.fit_cox: Efron ties, strata). CIs are Wald: z for every family but the linear
one, whose CIs use t on the residual degrees of freedom (R's confint.lm).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analyses.cancellation import checkpoint
from analyses.encoding import Covariate

FAMILIES = ("logistic", "linear", "poisson", "negbin", "cox")
RATIO = {"logistic": True, "linear": False, "poisson": True, "negbin": True, "cox": True}


@dataclass(frozen=True)
class Response:
    """What a model is fitted to: the outcome per row of the data and its family.

    `y`: 0/1 (logistic), a number (linear, counts) or the event indicator (cox), NaN unknown.
    `time` (cox), `strata` (cox, code per row, -1 unknown), `offset` (counts), `alpha`
    (negbin dispersion, fixed) as each family needs.
    """

    family: str
    y: np.ndarray
    time: np.ndarray | None = None
    strata: np.ndarray | None = None
    offset: np.ndarray | None = None
    alpha: float | None = None

    def known(self) -> np.ndarray:
        """Rows whose outcome (and time, stratum, offset) are known."""
        rows = ~np.isnan(self.y)
        if self.time is not None:
            rows &= ~np.isnan(self.time)
        if self.strata is not None:
            rows &= self.strata >= 0
        if self.offset is not None:
            rows &= np.isfinite(self.offset)
        return rows

    @property
    def has_events(self) -> bool:
        return self.family in ("logistic", "cox")

    def events(self, rows: np.ndarray) -> int | None:
        return int(np.nansum(self.y[rows])) if self.has_events else None


@dataclass(frozen=True)
class Fitted:
    """Coefficients of the design columns (no intercept), their covariance, the fit's
    log-likelihood and the degrees of freedom of its CIs (inf: normal)."""

    params: np.ndarray
    covariance: np.ndarray
    loglik: float
    df_resid: float
    converged: bool

    def combination(self, weights: np.ndarray) -> tuple[float, float]:
        """Estimate and standard error of weights · params."""
        estimate = float(weights @ self.params)
        variance = float(weights @ self.covariance @ weights)
        return estimate, float(np.sqrt(variance)) if variance >= 0 else float("nan")


def design(covs: list[Covariate], rows: np.ndarray) -> np.ndarray:
    """Design columns of covs for the selected rows (no intercept)."""
    blocks = [c.design(rows) for c in covs]
    return np.hstack(blocks) if blocks else np.zeros((int(rows.sum()), 0))


def fit(response: Response, x: np.ndarray, rows: np.ndarray) -> Fitted | None:
    """The model of the response on x (columns of the selected rows); None if not estimable."""
    checkpoint()
    y = response.y[rows]
    if response.family == "cox":
        return _fit_cox(response, x, rows)
    if len(y) <= x.shape[1] + 1:
        return None
    full = np.column_stack([np.ones(len(y)), x])
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res, converged = _fit_glm(response, full, y, rows)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    params = np.asarray(res.params, dtype=float)
    covariance = np.asarray(res.cov_params(), dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(covariance))):
        return None
    df = float(res.df_resid) if response.family == "linear" else float("inf")
    return Fitted(params[1:], covariance[1:, 1:], float(res.llf), df, converged)


def _fit_glm(response: Response, full: np.ndarray, y: np.ndarray, rows: np.ndarray):
    from statsmodels.discrete.discrete_model import Logit
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.regression.linear_model import OLS

    if response.family == "linear":
        return OLS(y, full).fit(), True
    if response.family == "logistic":
        res = Logit(y, full).fit(disp=0, method="newton", maxiter=100)
        return res, bool(res.mle_retvals.get("converged", True))
    family = (
        families.NegativeBinomial(alpha=response.alpha)
        if response.family == "negbin"
        else families.Poisson()
    )
    offset = None if response.offset is None else response.offset[rows]
    res = GLM(y, full, family=family, offset=offset).fit()
    return res, bool(res.converged)


def _fit_cox(response: Response, x: np.ndarray, rows: np.ndarray) -> Fitted | None:
    from analyses.survival_cox import fit_cox

    if x.shape[1] == 0 or np.nansum(response.y[rows]) < 1:
        return None
    strata = None if response.strata is None else response.strata[rows]
    with np.errstate(all="ignore"):
        cox = fit_cox(response.time[rows], response.y[rows], x, strata=strata)
    if cox.covariance is None or not np.all(np.isfinite(cox.covariance)):
        return None
    return Fitted(cox.params, cox.covariance, cox.loglik, float("inf"), cox.converged)


def interval(
    response: Response, estimate: float, se: float, df: float
) -> tuple[float, float, float, float]:
    """Estimate, CI and Wald p on the reporting scale (exp for ratio families)."""
    crit = stats.norm.ppf(0.975) if not np.isfinite(df) else stats.t.ppf(0.975, df)
    if np.isfinite(df):
        p = float(2 * stats.t.sf(abs(estimate / se), df)) if se > 0 else float("nan")
    else:
        p = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else float("nan")
    low, high = estimate - crit * se, estimate + crit * se
    if RATIO[response.family]:
        with np.errstate(over="ignore"):
            return float(np.exp(estimate)), float(np.exp(low)), float(np.exp(high)), p
    return estimate, low, high, p


def lr_p(full: Fitted, reduced: Fitted, df: int) -> float:
    """Likelihood-ratio p of the df columns the reduced model lacks (R's anova test="LRT")."""
    statistic = max(0.0, 2.0 * (full.loglik - reduced.loglik))
    return float(stats.chi2.sf(statistic, df)) if df > 0 else float("nan")
