"""Table rows of a regression (crude and adjusted) and the residuals of the adjusted model."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analyses.encoding import Covariate, Factor
from analyses.regression_data import level_counts, model_design
from analyses.regression_fit import Fit, fit_model, global_p

MAX_POINTS = 5000  # residuals kept for the plots; the statistics use every patient


def _decimals(spread: float) -> int:
    """One decimal for everyday clinical scales, more for small ones (0.35 -> 2)."""
    if not np.isfinite(spread) or spread <= 0:
        return 1
    return int(min(4, max(1, 1 - math.floor(math.log10(spread)))))


def mean_sd(values: np.ndarray) -> str:
    """'12.3 (4.5)' with decimals suited to the spread; a dash for no values."""
    if len(values) == 0:
        return "—"
    sd = float(values.std(ddof=1)) if len(values) > 1 else float("nan")
    d = _decimals(sd if np.isfinite(sd) and sd > 0 else abs(float(values.mean())) / 10)
    return f"{values.mean():.{d}f} ({sd:.{d}f})" if np.isfinite(sd) else f"{values.mean():.{d}f}"


def _rate(events: float, exposure: float) -> str:
    rate = events / exposure if exposure > 0 else float("nan")
    d = _decimals(rate)
    return f"{rate:.{d + 1}f} ({events:g} / {exposure:.4g})"


def level_summaries(
    cov: Covariate, rows: np.ndarray, y: np.ndarray, exposure: np.ndarray | None
) -> list[str]:
    """Outcome per level (mean (SD), or rate (events / exposure)); a number's mean (SD)."""
    if not isinstance(cov, Factor):
        return [mean_sd(cov.values[rows])]
    codes, yy = cov.codes[rows], y[rows]
    out = []
    for level in range(len(cov.levels)):
        in_level = codes == level
        if exposure is not None:
            out.append(_rate(float(yy[in_level].sum()), float(exposure[rows][in_level].sum())))
        else:
            out.append(mean_sd(yy[in_level]))
    return out


def coefficient_rows(
    cov: Covariate,
    rows: np.ndarray,
    fit: Fit | None,
    first_col: int,
    position: dict[int, int],
    overall_p: float,
    summaries: list[str] | None = None,
) -> list[dict]:
    """One row per level (factor) or one row (number): n, estimate, CI, p on the table's scale.

    `first_col` is the covariate's first column in the full design; `position` maps full design
    columns to the fitted ones (empty or aliased columns have no estimate). Count models report
    exp(coefficient), the incidence rate ratio.
    """
    n = level_counts(cov, rows)
    factor = isinstance(cov, Factor)
    labels = list(cov.levels) if factor else [""]
    ratio = fit is not None and fit.family != "linear"
    out = []
    for i, label in enumerate(labels):
        is_ref = factor and i == 0
        column = None if is_ref else first_col + (i - 1 if factor else 0)
        j = position.get(column) if column is not None else None
        est = lo = hi = p = float("nan")
        if is_ref:
            est = 1.0 if ratio else 0.0
        elif fit is not None and j is not None:
            est, lo, hi = float(fit.params[j]), float(fit.ci[j, 0]), float(fit.ci[j, 1])
            if ratio:
                with np.errstate(over="ignore"):
                    est, lo, hi = (float(v) for v in np.exp([est, lo, hi]))
            p = float(fit.pvalues[j])
        row = {
            "variable": cov.name,
            "level": label,
            "is_reference": is_ref,
            "n": int(n[i]),
            "estimate": est,
            "ci_low": lo,
            "ci_high": hi,
            "p_value": p,
            "global_p": overall_p,
        }
        if summaries is not None:
            row["summary"] = summaries[i]
        out.append(row)
    return out


@dataclass(frozen=True, eq=False)
class Univariable:
    """One covariate's crude rows, its global p and the fit behind them."""

    rows: list[dict]
    global_p: float
    fit: Fit | None


def fit_univariable(
    cov: Covariate,
    family: str,
    y: np.ndarray,
    offset: np.ndarray,
    known: np.ndarray,
    with_exposure: bool,
) -> Univariable:
    """Crude model of the outcome on one covariate, on the patients who have both."""
    rows = known & cov.present()
    X, keep, _, _, _ = model_design([cov], rows)
    yy, off = y[rows], offset[rows]
    fit = fit_model(family, X, yy, off)
    p = global_p(fit, X, yy, off, list(range(1, X.shape[1]))) if fit else float("nan")
    exposure = np.exp(offset) if with_exposure else None
    summaries = level_summaries(cov, rows, y, exposure)
    position = {j: i for i, j in enumerate(keep)}
    return Univariable(coefficient_rows(cov, rows, fit, 1, position, p, summaries), p, fit)


def _plotting_positions(n: int) -> np.ndarray:
    """R's ppoints(n): (i - a) / (n + 1 - 2a), a = 3/8 for n <= 10 else 1/2."""
    a = 0.375 if n <= 10 else 0.5
    return (np.arange(1, n + 1) - a) / (n + 1 - 2 * a)


def diagnostics_frame(fit: Fit, X: np.ndarray) -> pd.DataFrame:
    """Fitted values, residuals and standardized residuals with their normal quantiles.

    Linear: raw and internally studentized residuals (R's rstandard). Count models: Pearson
    residuals and standardized deviance residuals (rstandard of a glm).
    """
    res = fit.res
    fitted = np.asarray(res.fittedvalues, dtype=float)
    if fit.family == "linear":
        residual = np.asarray(res.resid, dtype=float)
        xtx_inv = np.linalg.pinv(X.T @ X)
        leverage = np.einsum("ij,jk,ik->i", X, xtx_inv, X)
        scale = np.sqrt(res.scale)
        deviance_like = residual / scale
    else:
        residual = np.asarray(res.resid_pearson, dtype=float)
        leverage = np.asarray(res.get_hat_matrix_diag(), dtype=float)
        deviance_like = np.asarray(res.resid_deviance, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        standardized = deviance_like / np.sqrt(np.clip(1.0 - leverage, 1e-12, None))
    n = len(fitted)
    theoretical = np.empty(n)
    theoretical[np.argsort(standardized, kind="stable")] = stats.norm.ppf(_plotting_positions(n))
    frame = pd.DataFrame(
        {
            "fitted": fitted,
            "residual": residual,
            "std_residual": standardized,
            "qq_theoretical": theoretical,
        }
    )
    if n > MAX_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(n, MAX_POINTS, replace=False))
        frame = frame.iloc[keep].reset_index(drop=True)
    return frame
