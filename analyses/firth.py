"""Firth's penalized-likelihood logistic regression (as R logistf) on firthmodels."""

from __future__ import annotations

import functools
import warnings

import firthmodels.logistic as firth_logistic
import numpy as np
from firthmodels import FirthLogisticRegression, detect_separation

# Private helpers of firthmodels 0.8 (pinned): the same penalized quantities and Newton solver
# that FirthLogisticRegression.lrt() uses for one coefficient, reused for several at once.
from firthmodels._solvers import newton_raphson
from firthmodels.logistic import _Workspace, compute_logistic_quantities
from scipy import stats

from analyses.cancellation import checkpoint
from analyses.logistic import Z95, Fit


def _check_before_each_evaluation() -> None:
    """Make firthmodels check the cancel token before every penalized-likelihood evaluation.

    Its Newton fit, constrained LRT fits and profile-CI searches all evaluate the likelihood
    through this one module function (by its global name), each call a few passes over the
    design (~20 ms at 100k rows x 23 columns): the natural per-iteration checkpoint, which the
    library offers no callback for. The wrapper changes no number; a checkpoint costs ~0.1 us.
    """
    original = firth_logistic.compute_logistic_quantities
    if getattr(original, "checks_cancel", False):
        return

    @functools.wraps(original)
    def checked(*args, **kwargs):
        checkpoint()
        return original(*args, **kwargs)

    checked.checks_cancel = True
    firth_logistic.compute_logistic_quantities = checked


_check_before_each_evaluation()


def _estimator() -> FirthLogisticRegression:
    # logistf's defaults: maxit 25, maxstep 5, maxhs 5 halvings... firthmodels allows more
    # halvings, which only helps convergence; the optimum is the same. The numpy backend is
    # named because only it goes through the checkpointed function above (numba's kernels, if
    # numba were ever installed, would run a whole fit without checking the cancel token).
    return FirthLogisticRegression(max_iter=100, backend="numpy")


# `inference` value for p-values by penalized likelihood ratio but Wald CIs: what a screening
# decision needs, without the profile searches that cost most of a Firth fit.
P_VALUES_ONLY = "p"


def fit_firth(X: np.ndarray, y: np.ndarray, inference: bool | str = True) -> Fit | None:
    """Firth fit of y on X (first column the intercept).

    With `inference`, p-values are penalized likelihood-ratio tests and 95% CIs are profile
    penalized-likelihood intervals (logistf's defaults, pl=TRUE); otherwise Wald, which is much
    faster and enough for screening decisions that only need the estimates.
    """
    model = _estimator()
    slopes = X[:, 1:]
    n_coef = slopes.shape[1]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence is read from the fitted attributes
            model.fit(slopes, y)
            order = np.r_[n_coef, np.arange(n_coef)]  # firthmodels puts the intercept last
            params = np.r_[model.intercept_, model.coef_]
            bse = _standard_errors(X, params)
            wald_ci = np.column_stack([params - Z95 * bse, params + Z95 * bse])
            wald_p = 2 * stats.norm.sf(np.abs(params / bse))
            if inference and n_coef:
                model.lrt(list(range(n_coef)))
                if inference == P_VALUES_ONLY:
                    ci = wald_ci.copy()
                else:
                    ci_pl = model.conf_int(method="pl", features=list(range(n_coef)))
                    ci = np.asarray(ci_pl)[order]
                pvalues = np.asarray(model.lrt_pvalues_)[order]
                # The intercept is never reported; give it Wald figures instead of profiling it.
                ci[0], pvalues[0] = wald_ci[0], wald_p[0]
            else:
                ci, pvalues = wald_ci, wald_p
    except (ValueError, np.linalg.LinAlgError):
        return None
    prob = 1.0 / (1.0 + np.exp(-(X @ params)))
    return Fit(
        method="firth",
        params=params,
        ci=ci,
        pvalues=pvalues,
        bse=bse,
        loglik=float(model.loglik_),
        probabilities=prob,
        converged=bool(model.converged_),
        solver="firth",
    )


def _standard_errors(X: np.ndarray, params: np.ndarray) -> np.ndarray:
    """sqrt(diag((X'WX)^-1)) at the Firth estimates: the SEs brglm2 prints.

    logistf and firthmodels' bse_ invert the penalty-augmented information, which is a little
    smaller. Users never see these SEs: they feed only the intercept's Wald CI.
    """
    p = 1.0 / (1.0 + np.exp(-(X @ params)))
    info = (X * (p * (1.0 - p))[:, None]).T @ X
    try:
        return np.sqrt(np.diag(np.linalg.inv(info)))
    except np.linalg.LinAlgError:
        return np.full(len(params), np.nan)


def penalized_lr_p(fit: Fit, X: np.ndarray, y: np.ndarray, columns: list[int]) -> float:
    """Penalized likelihood-ratio p for setting several coefficients to zero at once.

    The restricted model keeps the full model's penalty (Jeffreys prior of the full design) and
    maximises over the other coefficients with these fixed at 0: this is logistf's
    drop1()/anova(method="nested") test, and for one column it is exactly what logistf (and
    firthmodels' lrt()) print as the coefficient's p. Refitting a smaller design with its own
    penalty (anova's "PLR" method) is not a nested comparison, so it is not used.
    """
    if not columns or not np.isfinite(fit.loglik):
        return float("nan")
    n, k = X.shape
    workspace = _Workspace(n=n, k=k)
    weights = np.ones(n)
    offset = np.zeros(n)
    free = np.array([j for j in range(k) if j not in set(columns)], dtype=np.intp)
    beta = np.zeros(k)

    def restricted(beta_free: np.ndarray):
        checkpoint()
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
    if not res.converged:
        return float("nan")
    chi2 = max(0.0, 2.0 * (fit.loglik - res.loglik))
    return float(stats.chi2.sf(chi2, len(columns)))


def separated_columns(X: np.ndarray, y: np.ndarray) -> list[int]:
    """Design columns (intercept = 0) whose ML estimate is infinite: separation when non-empty.

    Linear-programming check of Konis (2007), as R's detectseparation. The LP (HiGHS) cannot be
    interrupted: 1.5-8 s at 100k rows, the longest step without a checkpoint (OPTIMIZATION.md).
    """
    checkpoint()
    try:
        result = detect_separation(X[:, 1:], y)
    except (np.linalg.LinAlgError, ValueError, RuntimeError):
        # Rank-deficient designs cannot be checked this way; the fit itself will tell.
        return []
    if not result.separation:
        return []
    infinite = ~np.asarray(result.is_finite)
    # firthmodels lists the intercept last.
    return (
        [0]
        if infinite[-1] and not infinite[:-1].any()
        else [j + 1 for j in np.flatnonzero(infinite[:-1])]
    )
