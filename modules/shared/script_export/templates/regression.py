"""Template: the Regression analysis (linear, Poisson, negative binomial), copied into scripts."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.discrete.discrete_model import NegativeBinomial
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS

from analyses.effect_scale import scale_table
from analyses.model_fit import variance_inflation

from .coding import Factor, Numeric, column_groups, model_design, per_increment

# --- SCRIPT ---


class RegressionFit:
    """Coefficients (intercept first) with 95% CIs and p; the statsmodels result; NB's alpha."""

    def __init__(self, family, res, alpha=np.nan):
        self.family, self.res, self.alpha = family, res, alpha
        self.params, self.pvalues = np.asarray(res.params), np.asarray(res.pvalues)
        self.ci, self.loglik = np.asarray(res.conf_int(0.05)), float(res.llf)


def nb_alpha(X, y, offset):
    """Negative binomial (NB2) alpha by maximum likelihood, as MASS::glm.nb (Newton, then BFGS,
    then Nelder-Mead when one does not converge)."""
    model = NegativeBinomial(y, X, offset=offset)
    alpha = np.nan
    for method in ("newton", "bfgs", "nm"):
        try:
            res = model.fit(method=method, maxiter=5000 if method == "nm" else 300, disp=0)
        except (np.linalg.LinAlgError, ValueError, OverflowError):
            continue
        alpha = float(res.params[-1])
        if res.mle_retvals.get("converged", False) and np.isfinite(alpha) and alpha > 0:
            return alpha
    return alpha if np.isfinite(alpha) and alpha > 0 else 1e-8


def fit_regression(family, X, y, offset, alpha=None):
    """OLS (linear: t-based CIs) or a GLM (Poisson; negative binomial with alpha estimated
    first, so its standard errors use the expected information, as glm.nb's summary)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if family == "linear":
            return RegressionFit(family, OLS(y, X).fit())
        if family == "negbin":
            alpha = nb_alpha(X, y, offset) if alpha is None else alpha
            glm = GLM(y, X, family=families.NegativeBinomial(alpha=alpha), offset=offset)
            return RegressionFit(family, glm.fit(), alpha)
        return RegressionFit(family, GLM(y, X, family=families.Poisson(), offset=offset).fit())


def regression_variable_p(fit, X, y, offset, columns):
    """p of a whole variable: F test (linear, as anova) or LR test with alpha kept (counts)."""
    if len(columns) == 1:
        return float(fit.pvalues[columns[0]])
    if not columns:
        return np.nan
    if fit.family == "linear":
        restriction = np.zeros((len(columns), X.shape[1]))
        restriction[np.arange(len(columns)), columns] = 1.0
        return float(fit.res.f_test(restriction).pvalue)
    rest = [j for j in range(X.shape[1]) if j not in set(columns)]
    reduced = fit_regression(fit.family, X[:, rest], y, offset, alpha=fit.alpha)
    return float(stats.chi2.sf(max(0.0, 2.0 * (fit.loglik - reduced.loglik)), len(columns)))


def decimals_for(spread):
    """One decimal for everyday clinical scales, more for small ones (0.35 -> 2)."""
    if not np.isfinite(spread) or spread <= 0:
        return 1
    return int(min(4, max(1, 1 - math.floor(math.log10(spread)))))


def mean_sd(values):
    """'12.3 (4.5)' with decimals suited to the spread."""
    if len(values) == 0:
        return "—"
    sd = float(values.std(ddof=1)) if len(values) > 1 else np.nan
    d = decimals_for(sd if np.isfinite(sd) and sd > 0 else abs(float(values.mean())) / 10)
    return f"{values.mean():.{d}f} ({sd:.{d}f})" if np.isfinite(sd) else f"{values.mean():.{d}f}"


def rate_text(events, exposure):
    rate = events / exposure if exposure > 0 else np.nan
    d = decimals_for(rate)
    return f"{rate:.{d + 1}f} ({events:g} / {exposure:.4g})"


def coefficient_rows(cov, rows, fit, first, position, whole, per, summaries=None):
    """One row per level (factor) or one row (number): n, estimate (exp for counts: IRR),
    95% CI, p; `per`: what a number's estimate is per (effect scale)."""
    factor = isinstance(cov, Factor)
    n = np.bincount(cov.codes[rows], minlength=len(cov.levels)) if factor else [int(rows.sum())]
    ratio = fit.family != "linear"
    out = []
    for i, level in enumerate(cov.levels if factor else [""]):
        is_ref = factor and i == 0
        j = None if is_ref else position.get(first + (i - 1 if factor else 0))
        est = lo = hi = p = np.nan
        if is_ref:
            est = 1.0 if ratio else 0.0
        elif j is not None:
            k = 1.0 if factor else per
            est, lo, hi = k * fit.params[j], k * fit.ci[j, 0], k * fit.ci[j, 1]
            if ratio:
                with np.errstate(over="ignore"):
                    est, lo, hi = np.exp([est, lo, hi])
            p = float(fit.pvalues[j])
        row = {"variable": cov.name, "level": level, "is_reference": is_ref, "n": int(n[i])}
        if summaries is not None:
            row["summary"] = summaries[i]
        out.append(row | {"estimate": est, "ci_low": lo, "ci_high": hi, "p_value": p,
                          "global_p": whole})  # fmt: skip
    return out


def regression_inputs(df, outcome, covariates, categorical, reference, exposure):
    """The outcome, the offset log(exposure) (0 without one), who has both, the covariates."""
    y = Numeric(df[outcome]).values
    offset = np.zeros(len(df))
    if exposure:
        values = Numeric(df[exposure]).values
        with np.errstate(divide="ignore", invalid="ignore"):
            offset = np.where(np.isnan(values) | (values <= 0), np.nan, np.log(values))
    known = ~np.isnan(y) & ~np.isnan(offset)
    covs = []
    for name in dict.fromkeys(covariates):
        if name in (outcome, exposure):
            continue
        cov = Factor(df[name], reference.get(name)) if name in categorical else Numeric(df[name])
        if isinstance(cov, Factor):
            varies = len(np.unique(cov.codes[known & cov.present()])) >= 2
        else:
            values = cov.values[known & cov.present()]
            varies = len(values) > 0 and np.ptp(values) > 0
        if varies:
            covs.append(cov)
    return y, offset, known, covs


def crude_regression(df, outcome, covariates, family, categorical=(), reference=None,
                     exposure=None, effect_scale="unit"):  # fmt: skip
    """Table: one model of the outcome per covariate (the patients with both), with the
    outcome's mean (SD) or rate per level, or the covariate's mean (SD)."""
    y, offset, known, covs = regression_inputs(
        df, outcome, covariates, categorical, reference or {}, exposure
    )
    rows_out = []
    for cov in covs:
        rows = known & cov.present()
        X, keep = model_design([cov], rows)
        fit = fit_regression(family, X, y[rows], offset[rows])
        whole = regression_variable_p(fit, X, y[rows], offset[rows], list(range(1, X.shape[1])))
        if not isinstance(cov, Factor):
            summaries = [mean_sd(cov.values[rows])]
        elif exposure:
            exposure_values = np.exp(offset[rows])
            codes, yy = cov.codes[rows], y[rows]
            summaries = [
                rate_text(float(yy[codes == i].sum()), float(exposure_values[codes == i].sum()))
                for i in range(len(cov.levels))
            ]
        else:
            codes, yy = cov.codes[rows], y[rows]
            summaries = [mean_sd(yy[codes == i]) for i in range(len(cov.levels))]
        position = {j: i for i, j in enumerate(keep)}
        per = per_increment(cov, known, effect_scale) if isinstance(cov, Numeric) else 1.0
        rows_out += coefficient_rows(cov, rows, fit, 1, position, whole, per, summaries)
    columns = ["variable", "level", "is_reference", "n", "summary", "estimate", "ci_low",
               "ci_high", "p_value", "global_p"]  # fmt: skip
    return pd.DataFrame(rows_out, columns=columns)


def regression_screened(crude, screen_p, force=()):
    """The adjusted model's covariates: crude p below screen_p, or forced in (as the Outcome
    analysis: all when screen_p is None; the strongest alone when none passes)."""
    p_of = dict(zip(crude["variable"], crude["global_p"], strict=False))
    if screen_p is None:
        return list(p_of)
    chosen = [v for v, p in p_of.items() if v in force or (np.isfinite(p) and p < screen_p)]
    return chosen or [min(p_of, key=lambda v: (not np.isfinite(p_of[v]), p_of[v]))]


def adjusted_regression(df, outcome, covariates, family, categorical=(), reference=None,
                        exposure=None, effect_scale="unit"):  # fmt: skip
    """Table: one model of the outcome on all `covariates`, on the complete cases."""
    y, offset, known, covs = regression_inputs(
        df, outcome, covariates, categorical, reference or {}, exposure
    )
    rows = known.copy()
    for cov in covs:
        rows &= cov.present()
    X, keep = model_design(covs, rows)
    fit = fit_regression(family, X, y[rows], offset[rows])
    position = {j: i for i, j in enumerate(keep)}
    out, first = [], 1
    for cov in covs:
        mine = [position[j] for j in range(first, first + len(cov.columns)) if j in position]
        whole = regression_variable_p(fit, X, y[rows], offset[rows], mine)
        per = per_increment(cov, known, effect_scale) if isinstance(cov, Numeric) else 1.0
        out += coefficient_rows(cov, rows, fit, first, position, whole, per)
        first += len(cov.columns)
    columns = ["variable", "level", "is_reference", "n", "estimate", "ci_low", "ci_high",
               "p_value", "global_p"]  # fmt: skip
    return pd.DataFrame(out, columns=columns)


def adjusted_model(df, outcome, covariates, family, categorical, reference, exposure):
    """The adjusted model's complete cases: covariates, design (kept columns), y, offset, and
    the number of patients with the outcome (and exposure) known."""
    y, offset, known, covs = regression_inputs(
        df, outcome, covariates, categorical, reference or {}, exposure
    )
    rows = known.copy()
    for cov in covs:
        rows &= cov.present()
    X, keep = model_design(covs, rows)
    return covs, X, keep, y[rows], offset[rows], int(known.sum())


def regression_fit(df, outcome, covariates, family, categorical=(), reference=None,
                   exposure=None, **_):  # fmt: skip
    """Table: the adjusted model's fit in one row. Linear: R², adjusted R², residual SE, the
    overall F test (as R's summary.lm). Counts: deviance, Pearson dispersion, the LR test
    against the intercept-only model, McFadden R², NB's alpha and theta and its LR test
    against Poisson. AIC and BIC count sigma² (linear) and alpha (NB), as R's AIC does."""
    covs, X, _, yy, off, n_total = adjusted_model(
        df, outcome, covariates, family, categorical, reference, exposure
    )
    fit = fit_regression(family, X, yy, off)
    res = fit.res
    row = {"n_total": n_total, "n_used": len(yy), "n_excluded": n_total - len(yy),
           "n_parameters": X.shape[1] - 1, "log_likelihood": float(res.llf)}  # fmt: skip
    if family == "linear":
        df1, df2 = float(res.df_model), float(res.df_resid)
        has_f = df1 > 0 and df2 > 0
        k = float(res.nobs - res.df_resid) + 1.0  # coefficients + sigma²
        row.update(
            aic=-2.0 * res.llf + 2.0 * k,
            bic=-2.0 * res.llf + np.log(res.nobs) * k,
            residual_df=int(df2),
            r2=float(res.rsquared),
            adj_r2=float(res.rsquared_adj),
            residual_se=float(np.sqrt(res.scale)),
            f_statistic=float(res.fvalue) if has_f else np.nan,
            f_df1=int(df1),
            f_df2=int(df2),
            f_p=float(res.f_pvalue) if has_f else np.nan,
            outcome_mean=float(yy.mean()),
        )
        return pd.DataFrame([row])
    k = X.shape[1] + (1 if family == "negbin" else 0)
    negbin = family == "negbin"
    null = fit_regression(family, X[:, :1], yy, off, alpha=fit.alpha if negbin else None)
    lr, lr_df = max(0.0, 2.0 * (fit.loglik - null.loglik)), X.shape[1] - 1
    row.update(
        aic=-2.0 * fit.loglik + 2.0 * k,
        bic=-2.0 * fit.loglik + np.log(len(yy)) * k,
        residual_df=int(res.df_resid),
        deviance=float(res.deviance),
        null_deviance=float(res.null_deviance),
        pearson_chi2=float(res.pearson_chi2),
        dispersion=float(res.pearson_chi2 / res.df_resid) if res.df_resid > 0 else np.nan,
        lr_chi2=lr,
        lr_df=lr_df,
        lr_p=float(stats.chi2.sf(lr, lr_df)) if lr_df > 0 else np.nan,
        mcfadden_r2=1.0 - fit.loglik / null.loglik if null.loglik < 0 else np.nan,
        alpha=float(fit.alpha),
        theta=1.0 / fit.alpha if negbin and fit.alpha > 0 else np.nan,
        total_events=float(yy.sum()),
        total_exposure=float(np.exp(off).sum()) if exposure else np.nan,
    )
    if negbin:  # alpha = 0 is on the boundary: the LR statistic is half 0, half chi2(1)
        poisson = fit_regression("poisson", X, yy, off)
        stat = max(0.0, 2.0 * (fit.loglik - poisson.loglik))
        row.update(alpha_lr_chi2=stat, alpha_lr_p=float(0.5 * stats.chi2.sf(stat, 1)),
                   poisson_aic=-2.0 * poisson.loglik + 2.0 * X.shape[1])  # fmt: skip
    return pd.DataFrame([row])


def regression_vif(df, outcome, covariates, family, categorical=(), reference=None,
                   exposure=None, **_):  # fmt: skip
    """Table: the generalized variance inflation factor of each covariate of the adjusted
    model (Fox & Monette; the classic VIF for one column), and GVIF^(1/df)."""
    covs, X, keep, *_ = adjusted_model(
        df, outcome, covariates, family, categorical, reference, exposure
    )
    return variance_inflation(X[:, 1:], column_groups(covs, keep))


def regression_scales(df, outcome, covariates, categorical=(), reference=None, exposure=None,
                      effect_scale="unit", **_):  # fmt: skip
    """Table: what each continuous covariate's estimates are per (a unit, 10 units, its SD or
    its IQR), with its SD and IQR among the patients whose outcome (and exposure) is known."""
    _, _, known, covs = regression_inputs(
        df, outcome, covariates, categorical, reference or {}, exposure
    )
    return scale_table(covs, known, effect_scale)[0]
