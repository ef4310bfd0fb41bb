"""A tab's multivariable model on each imputed data set, pooled by Rubin's rules.

The Outcome (logistic, Firth), Regression (linear, Poisson, negative binomial) and Survival
(Cox) tabs' adjusted models hold every chosen covariate here: screening on a p-value is not
defined across imputations (each would keep other covariates), so the pooled model is the
full one, and says so. Each imputed data set is completed (analyses/imputation.complete),
encoded and fitted as the tabs fit it (analyses/effect_models.fit; Firth by firthmodels with
its Wald variance), a checkpoint and "Pooled fit i of m" between fits; the m coefficient
vectors and variances go to analyses/mi_pool.pool. The complete cases' fit stands beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses import effect_models
from analyses.cancellation import progress
from analyses.effect_models import Response
from analyses.encoding import Covariate, Factor, encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.fit_records import PooledFit
from analyses.imputation import complete
from analyses.mi_pool import pool
from analyses.results import POOLED_COLUMNS, ImputationResult, PooledModel

RATIO = {"logistic": True, "firth": True, "linear": False, "poisson": True, "negbin": True}
RATIO["cox"] = True


def _covariates(df: pd.DataFrame, spec, names: list[str]) -> list[Covariate]:
    refs = dict(spec.reference)
    covs: list[Covariate] = []
    for name in names:
        if name in spec.categorical or not pd.api.types.is_numeric_dtype(df[name].dtype):
            covs.append(encode_factor(df[name], refs.get(name))[0])
        else:
            covs.append(encode_numeric(df[name]))
    return covs


def model_inputs(kind: str, df: pd.DataFrame, spec, family: str):
    """The response and the encoded covariates of the tab's full model on one data set."""
    from analyses import regression_data, survival_data
    from analyses.encoding import encode_outcome

    if kind == "outcome":
        y = encode_outcome(df[spec.outcome], spec.event)[0]
        names = [c for c in dict.fromkeys(spec.covariates) if c != spec.outcome]
        return Response("logistic", y), _covariates(df, spec, names)
    if kind == "regression":
        y = regression_data.encode_outcome(
            df[spec.outcome], "linear" if family == "linear" else "count"
        )[0]
        offset = regression_data.encode_exposure(df, spec.exposure, len(df))[0]
        skip = {spec.outcome, spec.exposure}
        names = [c for c in dict.fromkeys(spec.covariates) if c not in skip]
        response = Response(family, y, offset=None if family == "linear" else offset)
        return response, _covariates(df, spec, names)
    if kind == "survival":
        time = survival_data.follow_up(df, spec)[0]
        event = survival_data.event_indicator(df[spec.event], spec.event_level)[0]
        strata = survival_data.encode_strata(df, spec)
        names = [c for c in dict.fromkeys([spec.group, *spec.covariates]) if c]
        response = Response(
            "cox", event, time=time, strata=None if strata is None else strata.codes
        )
        return response, _covariates(df, spec, names)
    raise AnalysisError(f"The {kind} analysis cannot run on imputed data.")


def _fit(response: Response, covs: list[Covariate], family: str):
    """(coefficients, variances, complete-data df, n) of one data set, or None."""
    rows = response.known()
    for cov in covs:
        rows &= cov.present()
    x = effect_models.design(covs, rows)
    n, p = int(rows.sum()), x.shape[1]
    if family == "firth":
        return _fit_firth(response.y[rows], x, n, p)
    if family == "negbin":
        return _fit_negbin(response, x, rows, n, p)
    fitted = effect_models.fit(response, x, rows)
    if fitted is None:
        return None
    dfcom = float("inf") if family == "cox" else float(n - p - 1)
    return fitted.params, np.diag(fitted.covariance), dfcom, n


def _fit_firth(y: np.ndarray, x: np.ndarray, n: int, p: int):
    from analyses.firth import fit_firth

    full = np.column_stack([np.ones(n), x])
    fitted = fit_firth(full, y, inference=False)
    if fitted is None:
        return None
    prob = 1 / (1 + np.exp(-(full @ fitted.params)))
    info = (full * (prob * (1 - prob))[:, None]).T @ full
    return fitted.params[1:], np.diag(np.linalg.pinv(info))[1:], float(n - p - 1), n


def _fit_negbin(response: Response, x: np.ndarray, rows: np.ndarray, n: int, p: int):
    import warnings

    from statsmodels.discrete.discrete_model import NegativeBinomial

    full = np.column_stack([np.ones(n), x])
    offset = None if response.offset is None else response.offset[rows]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = NegativeBinomial(response.y[rows], full, offset=offset).fit(disp=0, maxiter=200)
    except (np.linalg.LinAlgError, ValueError):
        return None
    return res.params[1 : p + 1], np.diag(res.cov_params())[1 : p + 1], float(n - p - 1), n


def pooled_model(
    kind: str,
    df: pd.DataFrame,
    imputation: ImputationResult,
    spec,
    family: str,
    per: dict[str, float] | None = None,
) -> PooledModel:
    """The full model of the spec on each of the m data sets, pooled, beside the complete cases.

    `per`: the increment each continuous covariate's estimate is per (the tab's scales)."""
    per = per or {}
    m = imputation.info.m
    estimates, variances = [], []
    dfcom, n_fit, covs = float("inf"), 0, []
    for i in range(1, m + 1):
        progress(f"Pooled fit {i} of {m}")
        data = complete(df, imputation, i)
        response, covs = model_inputs(kind, data, spec, family)
        fitted = _fit(response, covs, family)
        if fitted is None or not np.all(np.isfinite(fitted[1])):
            raise AnalysisError(
                f"The model could not be fitted on imputed data set {i} of {m}: too few "
                "patients or events for the covariates, or a covariate that separates the "
                "outcome. Use fewer covariates (or Firth's method)."
            )
        scale = _scale_vector(covs, per)
        estimates.append(fitted[0] * scale)
        variances.append(fitted[1] * scale**2)
        dfcom, n_fit = fitted[2], fitted[3]
    pooled = pool(np.array(estimates), np.array(variances), dfcom)
    cc_response, cc_covs = model_inputs(kind, df, spec, family)
    cc = _fit(cc_response, cc_covs, family)
    cc_table = _complete_case(cc, _scale_vector(cc_covs, per), len(pooled), family == "linear")
    table = _rows(covs, pooled, cc_table, RATIO[family])
    notes = _notes(kind, df, spec, imputation)
    fit = PooledFit(
        family=family,
        m=m,
        n=n_fit,
        n_complete=0 if cc is None else cc[3],
        seed=imputation.info.seed,
        imputed=imputation.info.imputed,
        methods=imputation.info.methods,
    )
    return PooledModel(estimates=table, fit=fit, warnings=tuple(notes))


def _scale_vector(covs: list[Covariate], per: dict[str, float]) -> np.ndarray:
    return (
        np.concatenate(
            [
                np.full(len(c.columns), per.get(c.name, 1.0) if not isinstance(c, Factor) else 1.0)
                for c in covs
            ]
        )
        if covs
        else np.zeros(0)
    )


def _complete_case(cc, scale: np.ndarray, k: int, t: bool) -> np.ndarray:
    """(estimate, ci_low, ci_high) per coefficient of the complete cases, Wald: t on the
    residual df for a linear model (R's confint.lm), z for the others (the tabs' own)."""
    from scipy import stats

    if cc is None or len(cc[0]) != k:
        return np.full((k, 3), np.nan)
    est, se = cc[0] * scale, np.sqrt(cc[1]) * scale
    crit = stats.t.ppf(0.975, cc[2]) if t else stats.norm.ppf(0.975)
    return np.column_stack([est, est - crit * se, est + crit * se])


def _rows(covs, pooled: pd.DataFrame, cc: np.ndarray, ratio: bool) -> pd.DataFrame:
    out = np.exp if ratio else (lambda v: v)
    rows, j = [], 0
    for cov in covs:
        if isinstance(cov, Factor):
            rows.append(
                {
                    "variable": cov.name,
                    "level": cov.levels[0],
                    "is_reference": True,
                    "estimate": 1.0 if ratio else 0.0,
                }
            )
        for level in cov.columns:
            r = pooled.iloc[j]
            rows.append(
                {
                    "variable": cov.name,
                    "level": level,
                    "is_reference": False,
                    "estimate": out(r.estimate),
                    "ci_low": out(r.ci_low),
                    "ci_high": out(r.ci_high),
                    "p_value": r.p_value,
                    "df": r.df,
                    "riv": r.riv,
                    "lambda": r["lambda"],
                    "fmi": r.fmi,
                    "cc_estimate": out(cc[j, 0]),
                    "cc_ci_low": out(cc[j, 1]),
                    "cc_ci_high": out(cc[j, 2]),
                }
            )
            j += 1
    table = pd.DataFrame(rows, columns=list(POOLED_COLUMNS))
    table["is_reference"] = table["is_reference"].astype(bool)
    for column in POOLED_COLUMNS[3:]:
        table[column] = table[column].astype(float)
    return table


def _notes(kind: str, df: pd.DataFrame, spec, imputation: ImputationResult) -> list[str]:
    notes = []
    outcome = getattr(spec, "outcome", None) or getattr(spec, "event", None)
    if outcome and outcome in df.columns and df[outcome].isna().any():
        done = "imputed" if outcome in imputation.info.imputed else "not imputed (left out)"
        notes.append(
            f"The outcome '{outcome}' itself is missing for {int(df[outcome].isna().sum())} "
            f"patients: it was {done}. Check why it is missing before trusting the pooled model."
        )
    if outcome and outcome not in imputation.info.predictors:
        notes.append(
            f"WARNING: the outcome '{outcome}' is not in the imputation model: the imputed "
            "values ignore their relation to it, which pulls the pooled estimates towards no "
            "effect. Add it to the imputation's variables on the Data cleaning tab."
        )
    needed = [c for c in getattr(spec, "covariates", ()) if c in df.columns]
    outside = [c for c in needed if df[c].isna().any() and c not in imputation.info.imputed]
    if outside:
        notes.append(f"Not in the imputation model, so still complete cases: {', '.join(outside)}.")
    if getattr(spec, "screen_p", None) is not None:
        notes.append(
            "The pooled model holds every chosen covariate: screening by p-value is not "
            "defined across imputations."
        )
    return notes
