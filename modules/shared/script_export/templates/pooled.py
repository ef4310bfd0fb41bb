"""Template: a tab's full model fitted on each imputed data set and pooled by Rubin's rules,
as MedStat's analyses/mi_models.py does it (copied into scripts).

Each data set is completed (MedStat's `complete`, copied with the imputation code), the
model's covariates are coded as MedStat codes them there (a category when chosen as one or not
stored as numbers), fitted, and the m coefficient vectors and variances pooled (MedStat's
`pool`, Barnard-Rubin df, as mice's pool()); the complete cases' estimate stands beside it.
Each tab's inputs are in templates/pooled_<tab>.py. The fitters import what they use where
they use it, so a script holds only the estimators its runs need."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
from scipy import stats

from analyses.imputation import complete
from analyses.mi_pool import pool

from .coding import Factor, Numeric

# --- SCRIPT ---

POOLED_COLUMNS = ["variable", "level", "is_reference", "estimate", "ci_low", "ci_high",
                  "p_value", "df", "riv", "lambda", "fmi", "cc_estimate", "cc_ci_low",
                  "cc_ci_high"]  # fmt: skip
RATIO_FAMILIES = {"logistic", "firth", "poisson", "negbin", "cox"}


def pooled_covariates(df, names, categorical, reference):
    """The model's covariates in one data set: a category when chosen as one or when its
    values are not numbers (an imputed category is written back as its labels)."""
    covs = []
    for name in names:
        if name in categorical or not pd.api.types.is_numeric_dtype(df[name].dtype):
            covs.append(Factor(df[name], reference.get(name)))
        else:
            covs.append(Numeric(df[name]))
    return covs


def known_rows(response):
    """Rows whose outcome (and time, stratum, offset) are known."""
    rows = ~np.isnan(response["y"])
    if response.get("time") is not None:
        rows &= ~np.isnan(response["time"])
    if response.get("strata") is not None:
        rows &= response["strata"] >= 0
    if response.get("offset") is not None:
        rows &= np.isfinite(response["offset"])
    return rows


def model_rows(response, covs):
    """The rows with the outcome and every covariate known, and the design on them (no
    intercept)."""
    rows = known_rows(response)
    for cov in covs:
        rows &= cov.present()
    blocks = [cov.design(rows) for cov in covs]
    return rows, np.hstack(blocks) if blocks else np.zeros((int(rows.sum()), 0))


def fit_one(family, response, covs):
    """(coefficients, their variances, complete-data df, patients) of one logistic, Firth,
    linear, Poisson or negative binomial model, as MedStat fits it; None if not estimable."""
    rows, x = model_rows(response, covs)
    n, p = int(rows.sum()), x.shape[1]
    y = response["y"][rows]
    full = np.column_stack([np.ones(n), x])
    offset = None if response.get("offset") is None else response["offset"][rows]
    if family == "firth":
        from firthmodels import FirthLogisticRegression

        model = FirthLogisticRegression(max_iter=100, backend="numpy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(x, y)
        params = np.r_[model.intercept_, model.coef_]
        prob = 1 / (1 + np.exp(-(full @ params)))
        info = (full * (prob * (1 - prob))[:, None]).T @ full
        return params[1:], np.diag(np.linalg.pinv(info))[1:], float(n - p - 1), n
    if family == "negbin":
        from statsmodels.discrete.discrete_model import NegativeBinomial

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = NegativeBinomial(y, full, offset=offset).fit(disp=0, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return None
        return res.params[1 : p + 1], np.diag(res.cov_params())[1 : p + 1], float(n - p - 1), n
    if len(y) <= p + 1:
        return None
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            res = glm_fit(family, y, full, offset)
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None
    params = np.asarray(res.params, dtype=float)
    covariance = np.asarray(res.cov_params(), dtype=float)
    if not (np.all(np.isfinite(params)) and np.all(np.isfinite(covariance))):
        return None
    return params[1:], np.diag(covariance)[1:], float(n - p - 1), n


def glm_fit(family, y, full, offset):
    """statsmodels' fit of a linear (OLS), Poisson (GLM) or logistic (Logit, Newton) model."""
    if family == "linear":
        from statsmodels.regression.linear_model import OLS

        return OLS(y, full).fit()
    if family == "poisson":
        from statsmodels.genmod import families
        from statsmodels.genmod.generalized_linear_model import GLM

        return GLM(y, full, family=families.Poisson(), offset=offset).fit()
    from statsmodels.discrete.discrete_model import Logit

    return Logit(y, full).fit(disp=0, method="newton", maxiter=100)


def scale_vector(covs, per):
    """What each coefficient is per: the covariate's increment (1 for a category's levels)."""
    parts = [
        np.full(len(c.columns), 1.0 if isinstance(c, Factor) else per.get(c.name, 1.0))
        for c in covs
    ]
    return np.concatenate(parts) if parts else np.zeros(0)


def pooled_model(df, imputed, inputs, family, per, fit=fit_one):
    """(POOLED_COLUMNS table, the fit's counts) of the model on each imputed data set."""
    m = imputed.info.m
    estimates, variances = [], []
    dfcom, n_fit, covs = float("inf"), 0, []
    for i in range(1, m + 1):
        response, covs = inputs(complete(df, imputed, i))
        fitted = fit(family, response, covs)
        if fitted is None or not np.all(np.isfinite(fitted[1])):
            sys.exit(f"The model could not be fitted on imputed data set {i} of {m}.")
        scale = scale_vector(covs, per)
        estimates.append(fitted[0] * scale)
        variances.append(fitted[1] * scale**2)
        dfcom, n_fit = fitted[2], fitted[3]
    pooled = pool(np.array(estimates), np.array(variances), dfcom)
    cc_response, cc_covs = inputs(df)
    cc = fit(family, cc_response, cc_covs)
    cc_table = complete_case(cc, scale_vector(cc_covs, per), len(pooled), family == "linear")
    table = pooled_rows(covs, pooled, cc_table, family in RATIO_FAMILIES)
    fit_counts = {"family": family, "m": m, "n": n_fit, "n_complete": 0 if cc is None else cc[3],
                  "seed": imputed.info.seed}  # fmt: skip
    return table, pd.DataFrame([fit_counts])


def complete_case(cc, scale, k, t):
    """(estimate, ci_low, ci_high) per coefficient of the complete cases, Wald: t on the
    residual df for a linear model, z for the others."""
    if cc is None or len(cc[0]) != k:
        return np.full((k, 3), np.nan)
    est, se = cc[0] * scale, np.sqrt(cc[1]) * scale
    crit = stats.t.ppf(0.975, cc[2]) if t else stats.norm.ppf(0.975)
    return np.column_stack([est, est - crit * se, est + crit * se])


def pooled_rows(covs, pooled, cc, ratio):
    """A row per coefficient (a category's reference level first, OR/HR/IRR 1 or 0)."""
    out = np.exp if ratio else (lambda v: v)
    rows, j = [], 0
    for cov in covs:
        if isinstance(cov, Factor):
            rows.append({"variable": cov.name, "level": cov.levels[0], "is_reference": True,
                         "estimate": 1.0 if ratio else 0.0})  # fmt: skip
        for level in cov.columns:
            r = pooled.iloc[j]
            rows.append({
                "variable": cov.name, "level": level, "is_reference": False,
                "estimate": out(r.estimate), "ci_low": out(r.ci_low), "ci_high": out(r.ci_high),
                "p_value": r.p_value, "df": r.df, "riv": r.riv, "lambda": r["lambda"],
                "fmi": r.fmi, "cc_estimate": out(cc[j, 0]), "cc_ci_low": out(cc[j, 1]),
                "cc_ci_high": out(cc[j, 2]),
            })  # fmt: skip
            j += 1
    table = pd.DataFrame(rows, columns=POOLED_COLUMNS)
    table["is_reference"] = table["is_reference"].astype(bool)
    return table.astype({c: float for c in POOLED_COLUMNS[3:]})
