"""Cox proportional hazards models: crude and adjusted hazard ratios, Wald and LR p-values.

statsmodels PHReg with ties="efron" (R coxph's default), so coefficients, standard errors
and likelihoods match R. PHReg's Efron code loops over event times in Python, so beyond
PHREG_MAX_WORK (patients × distinct event times) the same likelihood is maximised by the
vectorised fitter in survival_efron.py (tests check the two agree). Factors get treatment
dummies against their reference level; the overall p of a factor is a likelihood-ratio test
on the same patients, as R's anova(coxph).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

from analyses.cancellation import checkpoint
from analyses.encoding import Covariate, Factor

HR_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "n",
    "events",
    "estimate",  # hazard ratio
    "ci_low",
    "ci_high",
    "p_value",  # Wald p of this row
    "global_p",  # likelihood-ratio p of the whole variable
)
Z = stats.norm.ppf(0.975)
# About 2,000 patients with 1,000 distinct event times: PHReg takes about a second there.
PHREG_MAX_WORK = 2_000_000


@dataclass(frozen=True)
class CoxFit:
    """One fitted Cox model: coefficients on the design columns and its likelihoods."""

    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    loglik: float
    loglik_null: float
    converged: bool
    linear_predictor: np.ndarray
    covariance: np.ndarray | None = None  # of params (inverse information)


def fit_cox(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    max_work: int = PHREG_MAX_WORK,
    strata: np.ndarray | None = None,
) -> CoxFit:
    """Efron-ties Cox fit on a design without intercept; loglik_null is at beta = 0.

    `strata`: an integer code per row (R's strata()): each stratum has its own baseline
    hazard and the partial likelihood is the sum over strata; None is one stratum.
    """
    checkpoint()
    work = len(time) * len(np.unique(time[event > 0]))
    if work <= max_work:
        return _fit_phreg(time, event, x, strata)
    return _fit_vectorised(time, event, x, strata)


def _fit_phreg(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, strata: np.ndarray | None
) -> CoxFit:
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.tools.sm_exceptions import ConvergenceWarning

    model = PHReg(time, x, status=event, ties="efron", strata=strata)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # Checked once per Newton step; each step is one pass of PHReg's Python loop over the
        # event times, bounded by PHREG_MAX_WORK.
        result = model.fit(disp=False, callback=checkpoint)
    with np.errstate(all="ignore"):
        bse = np.asarray(result.bse, dtype=float)
        pvalues = np.asarray(result.pvalues, dtype=float)
    converged = not any(issubclass(w.category, ConvergenceWarning) for w in caught)
    params = np.asarray(result.params, dtype=float)
    checkpoint()  # each likelihood below is another pass over the event times
    loglik = float(model.loglike(params))
    checkpoint()
    return CoxFit(
        params=params,
        bse=bse,
        pvalues=pvalues,
        loglik=loglik,
        loglik_null=float(model.loglike(np.zeros(x.shape[1]))),
        converged=converged and bool(np.all(np.isfinite(bse))),
        linear_predictor=x @ params,
        covariance=np.asarray(result.cov_params(), dtype=float),
    )


def _fit_vectorised(
    time: np.ndarray, event: np.ndarray, x: np.ndarray, strata: np.ndarray | None
) -> CoxFit:
    from analyses.survival_efron import fit_efron

    params, covariance, loglik, loglik_null, converged = fit_efron(time, event, x, strata)
    with np.errstate(all="ignore"):
        bse = np.sqrt(np.diag(covariance))
        pvalues = 2 * stats.norm.sf(np.abs(params / bse))
    return CoxFit(
        params=params,
        bse=bse,
        pvalues=pvalues,
        loglik=loglik,
        loglik_null=loglik_null,
        converged=converged and bool(np.all(np.isfinite(bse))),
        linear_predictor=x @ params,
        covariance=covariance,
    )


def design(covs: list[Covariate], rows: np.ndarray) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Design matrix of the selected rows and each covariate's column span."""
    blocks, spans, start = [], [], 0
    for cov in covs:
        block = cov.design(rows)
        blocks.append(block)
        spans.append((start, start + block.shape[1]))
        start += block.shape[1]
    return np.hstack(blocks), spans


def lr_p(full: float, reduced: float, df: int) -> float:
    """Likelihood-ratio p of dropping df columns."""
    return float(stats.chi2.sf(max(0.0, 2 * (full - reduced)), df)) if df > 0 else float("nan")


def _drop_fit_loglik(time, event, x, span, fit: CoxFit, strata=None) -> float:
    """Log-likelihood on the same patients without the columns in span."""
    keep = np.r_[0 : span[0], span[1] : x.shape[1]]
    if len(keep) == 0:
        return fit.loglik_null
    return fit_cox(time, event, x[:, keep], strata=strata).loglik


def hr_rows(
    covs: list[Covariate],
    rows: np.ndarray,
    event: np.ndarray,
    fit: CoxFit,
    spans: list[tuple[int, int]],
    global_ps: dict[str, float],
) -> list[dict]:
    """Table rows of a fitted model: the reference level first, then one row per column."""
    out = []
    ev = event[rows]
    for cov, (a, b) in zip(covs, spans, strict=True):
        present = np.ones(rows.sum(), dtype=bool)
        if isinstance(cov, Factor):
            codes = cov.codes[rows]
            counts = [
                (int((codes == k).sum()), int(ev[codes == k].sum())) for k in range(len(cov.levels))
            ]
            out.append(
                _row(cov.name, cov.levels[0], True, counts[0], 1.0, np.nan, np.nan, np.nan)
                | {"global_p": global_ps[cov.name]}
            )
            levels = [(cov.levels[k], counts[k]) for k in range(1, len(cov.levels))]
        else:
            levels = [("", (int(present.sum()), int(ev.sum())))]
        for j, (level, count) in zip(range(a, b), levels, strict=True):
            beta, se = fit.params[j], fit.bse[j]
            estimate = np.exp(beta) if np.isfinite(beta) else np.nan
            low = np.exp(beta - Z * se) if np.isfinite(se) else np.nan
            high = np.exp(beta + Z * se) if np.isfinite(se) else np.nan
            row = _row(cov.name, level, False, count, estimate, low, high, fit.pvalues[j])
            out.append(row | {"global_p": global_ps[cov.name]})
    return out


def _row(variable, level, reference, count, estimate, low, high, p) -> dict:
    with np.errstate(over="ignore"):
        return {
            "variable": variable,
            "level": level,
            "is_reference": reference,
            "n": count[0],
            "events": count[1],
            "estimate": float(estimate),
            "ci_low": float(low),
            "ci_high": float(high),
            "p_value": float(p),
        }


def fit_model(
    covs: list[Covariate],
    usable: np.ndarray,
    time: np.ndarray,
    event: np.ndarray,
    strata: np.ndarray | None = None,
) -> tuple[list[dict], CoxFit | None, np.ndarray, dict]:
    """One Cox model of covs on complete cases; rows, fit, rows used and fit statistics.

    `strata`: a code per row (-1 unknown) of the stratification, or None.
    """
    rows = usable.copy()
    for cov in covs:
        rows &= cov.present()
    if strata is not None:
        rows &= strata >= 0
    if rows.sum() < 2 or event[rows].sum() < 1:
        return [], None, rows, {}
    x, spans = design(covs, rows)
    t, e = time[rows], event[rows]
    s = None if strata is None else strata[rows]
    if np.any(np.ptp(x, axis=0) == 0):
        return [], None, rows, {}
    with np.errstate(all="ignore"):
        fit = fit_cox(t, e, x, strata=s)
    global_ps = {}
    for cov, span in zip(covs, spans, strict=True):
        df = span[1] - span[0]
        if df == 1:
            global_ps[cov.name] = float(fit.pvalues[span[0]])
        else:
            with np.errstate(all="ignore"):
                reduced = _drop_fit_loglik(t, e, x, span, fit, s)
                global_ps[cov.name] = lr_p(fit.loglik, reduced, df)
    lr = 2 * (fit.loglik - fit.loglik_null)
    fit_stats = {
        "n_used": int(rows.sum()),
        "events": int(e.sum()),
        "n_parameters": int(x.shape[1]),
        "log_likelihood": fit.loglik,
        "lr_chi2": float(lr),
        "lr_df": int(x.shape[1]),
        "lr_p": lr_p(fit.loglik, fit.loglik_null, x.shape[1]),
        "converged": fit.converged,
    }
    return hr_rows(covs, rows, event, fit, spans, global_ps), fit, rows, fit_stats
