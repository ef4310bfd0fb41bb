"""Fitting one linear, Poisson or negative binomial model, and the tests built on a fit.

statsmodels does the fitting. The negative binomial is NB2 (variance mu + alpha mu²), as
MASS::glm.nb: alpha is estimated by maximum likelihood (statsmodels NegativeBinomial), then
the coefficients come from the GLM with that alpha, so their standard errors use the expected
information as glm.nb's summary does.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analyses.cancellation import checkpoint

FAMILIES = ("linear", "poisson", "negbin")
# Pearson chi2/df above this counts as overdispersion (a common rule of thumb; at 1.5 the
# Poisson standard errors are already about 20% too small).
OVERDISPERSION = 1.5
NB_METHODS = ("newton", "bfgs", "nm")


@dataclass(frozen=True, eq=False)
class Fit:
    """A fitted model: estimates on the link scale, Wald or t CIs, and the statsmodels result."""

    family: str
    params: np.ndarray
    bse: np.ndarray
    ci: np.ndarray  # (k, 2)
    pvalues: np.ndarray
    loglik: float
    alpha: float  # NB2 dispersion (NaN unless negbin)
    converged: bool
    fallbacks: tuple[str, ...]
    res: object  # statsmodels results, kept for tests and diagnostics; never in a Result


def nb_alpha(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[float, bool, tuple]:
    """Maximum-likelihood NB2 alpha, whether it converged, and the optimisers given up on."""
    from statsmodels.discrete.discrete_model import NegativeBinomial

    fallbacks: list[str] = []
    # statsmodels warns on every hard fit; the fit's own flags are reported instead.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = NegativeBinomial(y, X, offset=offset)
        for i, method in enumerate(NB_METHODS):
            try:
                res = model.fit(
                    method=method,
                    maxiter=300 if method != "nm" else 5000,
                    disp=0,
                    callback=checkpoint,  # a cancelled run stops within one iteration
                )
            except (np.linalg.LinAlgError, ValueError, OverflowError):
                res = None
            alpha = float(res.params[-1]) if res is not None else float("nan")
            ok = res is not None and bool(res.mle_retvals.get("converged", False))
            if ok and np.isfinite(alpha) and alpha > 0:
                return alpha, True, tuple(fallbacks)
            if i + 1 < len(NB_METHODS):
                fallbacks.append(f"nb-{method}->{NB_METHODS[i + 1]}")
        return (alpha if np.isfinite(alpha) and alpha > 0 else 1e-8), False, tuple(fallbacks)


@functools.cache
def _checked_glm() -> type:
    """statsmodels' GLM, checking the cancel token once per IRLS iteration.

    IRLS takes no callback; its loop calls _update_history once per iteration (one weighted
    least-squares solve, ~0.2 s at 100k rows x 30 columns), so that is where the check goes.
    The numbers are GLM's own. Built on first use: importing GLM costs memory.
    """
    from statsmodels.genmod.generalized_linear_model import GLM

    class CheckedGLM(GLM):
        def _update_history(self, tmp_result, mu, history):
            checkpoint()
            return super()._update_history(tmp_result, mu, history)

    return CheckedGLM


def _fit(family, X, y, offset, alpha):
    """The statsmodels fit of one family, with alpha, convergence and fallbacks."""
    # The modules themselves, not statsmodels.api, which imports every family (+27 MB RSS).
    from statsmodels.genmod import families
    from statsmodels.regression.linear_model import OLS

    checkpoint()
    if family == "linear":
        return OLS(y, X).fit(), np.nan, True, ()
    fallbacks: tuple[str, ...] = ()
    converged = True
    if family == "negbin":
        if alpha is None:
            alpha, converged, fallbacks = nb_alpha(X, y, offset)
        glm_family = families.NegativeBinomial(alpha=alpha)
    else:
        glm_family = families.Poisson()
    res = _checked_glm()(y, X, family=glm_family, offset=offset).fit()
    return res, alpha, converged and bool(res.converged), fallbacks


def fit_model(
    family: str, X: np.ndarray, y: np.ndarray, offset: np.ndarray, alpha: float | None = None
) -> Fit | None:
    """Fit y on X (intercept first); negbin estimates alpha unless given. None if impossible."""
    if len(y) <= X.shape[1]:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res, alpha, converged, fallbacks = _fit(family, X, y, offset, alpha)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    if not np.all(np.isfinite(res.params)):
        return None
    return Fit(
        family,
        np.asarray(res.params),
        np.asarray(res.bse),
        np.asarray(res.conf_int(0.05)),
        np.asarray(res.pvalues),
        float(res.llf),
        float(alpha) if family == "negbin" else np.nan,
        converged,
        fallbacks,
        res,
    )


def global_p(fit: Fit, X: np.ndarray, y: np.ndarray, offset: np.ndarray, cols: list[int]) -> float:
    """p of dropping `cols` together: F test (linear, as anova) or LR test (count models).

    The negative binomial keeps alpha at the full model's value (as drop1 on a glm.nb fit).
    """
    if not cols:
        return float("nan")
    if len(cols) == 1:
        return float(fit.pvalues[cols[0]])
    if fit.family == "linear":
        restriction = np.zeros((len(cols), X.shape[1]))
        restriction[np.arange(len(cols)), cols] = 1.0
        return float(fit.res.f_test(restriction).pvalue)
    rest = [j for j in range(X.shape[1]) if j not in set(cols)]
    reduced = fit_model(fit.family, X[:, rest], y, offset, alpha=fit.alpha)
    if reduced is None:
        return float("nan")
    stat = max(0.0, 2.0 * (fit.loglik - reduced.loglik))
    return float(stats.chi2.sf(stat, len(cols)))


def pearson_dispersion(fit: Fit) -> float:
    """Pearson chi2 / residual df of a GLM fit (1 for a well-specified Poisson model)."""
    res = fit.res
    df = float(res.df_resid)
    return float(res.pearson_chi2 / df) if df > 0 else float("nan")


def choose_count_family(X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> tuple[str, float]:
    """'negbin' when the Poisson fit of X is overdispersed, else 'poisson'; and the dispersion."""
    poisson = fit_model("poisson", X, y, offset)
    if poisson is None:
        return "poisson", float("nan")
    dispersion = pearson_dispersion(poisson)
    return ("negbin" if dispersion > OVERDISPERSION else "poisson"), dispersion


def linear_statistics(fit: Fit) -> dict:
    """R², adjusted R², residual SE, the overall F test, AIC and BIC (as R's lm summary).

    AIC and BIC count the residual variance as a parameter, as R's AIC(lm) and BIC(lm) do
    (statsmodels' OLS aic/bic count only the coefficients, 2 less than R's AIC).
    """
    res = fit.res
    df1, df2 = float(res.df_model), float(res.df_resid)
    has_f = df1 > 0 and df2 > 0
    n_parameters = float(res.nobs - res.df_resid) + 1.0  # coefficients (rank) + sigma²
    return {
        "r2": float(res.rsquared),
        "adj_r2": float(res.rsquared_adj),
        "residual_se": float(np.sqrt(res.scale)),
        "residual_df": int(df2),
        "f_statistic": float(res.fvalue) if has_f else float("nan"),
        "f_df1": int(df1),
        "f_df2": int(df2),
        "f_p": float(res.f_pvalue) if has_f else float("nan"),
        "log_likelihood": float(res.llf),
        "aic": float(-2.0 * res.llf + 2.0 * n_parameters),
        "bic": float(-2.0 * res.llf + np.log(res.nobs) * n_parameters),
    }


def count_statistics(fit: Fit, X: np.ndarray, y: np.ndarray, offset: np.ndarray) -> dict:
    """Deviance, Pearson dispersion, AIC (counting alpha for NB, as R), LR test against the null."""
    res = fit.res
    k = X.shape[1] + (1 if fit.family == "negbin" else 0)
    loglik = float(res.llf)
    null = fit_model(
        fit.family, X[:, :1], y, offset, alpha=fit.alpha if fit.family == "negbin" else None
    )
    ll_null = null.loglik if null is not None else float("nan")
    lr = max(0.0, 2.0 * (loglik - ll_null)) if np.isfinite(ll_null) else float("nan")
    df = X.shape[1] - 1
    out = {
        "log_likelihood": loglik,
        "aic": -2.0 * loglik + 2.0 * k,
        "bic": -2.0 * loglik + np.log(len(y)) * k,
        "deviance": float(res.deviance),
        "null_deviance": float(res.null_deviance),
        "residual_df": int(res.df_resid),
        "pearson_chi2": float(res.pearson_chi2),
        "dispersion": pearson_dispersion(fit),
        "lr_chi2": lr,
        "lr_df": int(df),
        "lr_p": float(stats.chi2.sf(lr, df)) if df > 0 and np.isfinite(lr) else float("nan"),
        "mcfadden_r2": 1.0 - loglik / ll_null if np.isfinite(ll_null) and ll_null < 0 else np.nan,
        "alpha": float(fit.alpha),
        "theta": float(1.0 / fit.alpha) if fit.family == "negbin" and fit.alpha > 0 else np.nan,
    }
    if fit.family == "negbin":
        poisson = fit_model("poisson", X, y, offset)
        if poisson is not None:
            # alpha = 0 is on the boundary: the LR statistic is a 50:50 mix of 0 and chi2(1).
            stat = max(0.0, 2.0 * (loglik - poisson.loglik))
            out["alpha_lr_chi2"] = stat
            out["alpha_lr_p"] = float(0.5 * stats.chi2.sf(stat, 1))
            out["poisson_aic"] = -2.0 * poisson.loglik + 2.0 * X.shape[1]
    return {key: float(v) if isinstance(v, np.floating) else v for key, v in out.items()}
