"""Template: one logistic model, standard or Firth, as MedStat fits it (copied into scripts)."""

from __future__ import annotations

import warnings

import numpy as np
from firthmodels import FirthLogisticRegression
from firthmodels._solvers import newton_raphson
from firthmodels.logistic import _Workspace, compute_logistic_quantities
from scipy import stats
from statsmodels.discrete.discrete_model import Logit

# --- SCRIPT ---

Z95 = float(stats.norm.ppf(0.975))


class Fit:
    """Estimates (intercept first), 95% CIs on the log-odds scale, p-values, log-likelihood."""

    def __init__(self, method, params, ci, pvalues, loglik):
        self.method, self.params, self.ci, self.pvalues = method, params, ci, pvalues
        self.loglik = loglik


def fit_logit(X, y, start=None):
    """Maximum likelihood (Newton's method, then BFGS if it did not converge); Wald CIs and p."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # separation warnings: MedStat reports them itself
        res = Logit(y, X, check_rank=False).fit(
            method="newton", start_params=start, maxiter=35, disp=0
        )
        if not res.mle_retvals.get("converged", False):
            res = Logit(y, X, check_rank=False).fit(
                method="bfgs", start_params=res.params, maxiter=400, disp=0
            )
    params, bse = np.asarray(res.params, float), np.asarray(res.bse, float)
    ci = np.column_stack([params - Z95 * bse, params + Z95 * bse])
    pvalues = 2 * stats.norm.sf(np.abs(params / bse))
    return Fit("logit", params, ci, pvalues, float(res.llf))


def fit_firth(X, y):
    """Firth's penalized likelihood (as R's logistf): profile-likelihood CIs, penalized LR p."""
    model = FirthLogisticRegression(max_iter=100, backend="numpy")
    slopes, k = X[:, 1:], X.shape[1] - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(slopes, y)
        order = np.r_[k, np.arange(k)]  # firthmodels lists the intercept last
        params = np.r_[model.intercept_, model.coef_]
        model.lrt(list(range(k)))
        ci = np.asarray(model.conf_int(method="pl", features=list(range(k))))[order]
        pvalues = np.asarray(model.lrt_pvalues_)[order]
    return Fit("firth", params, ci, pvalues, float(model.loglik_))


def fit_logistic(X, y, method):
    return fit_firth(X, y) if method == "firth" else fit_logit(X, y)


def intercept_only_loglik(y):
    events = float(y.sum())
    others = len(y) - events
    if events == 0 or others == 0:
        return 0.0
    return events * np.log(events / len(y)) + others * np.log(others / len(y))


def lr_p_value(loglik_full, loglik_reduced, df):
    """Likelihood-ratio test: chi-square with df degrees of freedom."""
    return float(stats.chi2.sf(max(0.0, 2.0 * (loglik_full - loglik_reduced)), df))


def penalized_lr_p(fit, X, y, columns):
    """Firth: penalized LR test of setting these coefficients to 0 together, the full model's
    penalty kept (logistf's drop1 / anova(method="nested")). Uses two internal functions of
    firthmodels, which is why its version is pinned exactly."""
    n, k = X.shape
    workspace, weights, offset = _Workspace(n=n, k=k), np.ones(n), np.zeros(n)
    free = np.array([j for j in range(k) if j not in set(columns)], dtype=np.intp)
    beta = np.zeros(k)

    def restricted(beta_free):
        beta[:] = 0.0
        beta[free] = beta_free
        q = compute_logistic_quantities(X, y, beta, weights, offset, workspace, 0.5)
        q.modified_score = q.modified_score[free]
        q.fisher_info = q.fisher_info[np.ix_(free, free)]
        return q

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = newton_raphson(
            compute_quantities=restricted,
            n_features=len(free),
            max_iter=100,
            max_step=5.0,
            max_halfstep=25,
            gtol=1e-6,
            xtol=1e-6,
            beta_init=fit.params[free],
            warn_on_failure=False,
        )
    return lr_p_value(fit.loglik, res.loglik, len(columns))


def variable_p(fit, X, y, columns):
    """p of a whole variable (all its design columns): penalized LR (Firth) or LR (standard)."""
    if fit.method == "firth":
        return penalized_lr_p(fit, X, y, columns)
    rest = [j for j in range(X.shape[1]) if j not in set(columns)]
    if len(rest) == 1:
        reduced = intercept_only_loglik(y)
    else:
        reduced = fit_logit(X[:, rest], y, start=fit.params[rest]).loglik
    return lr_p_value(fit.loglik, reduced, len(columns))
