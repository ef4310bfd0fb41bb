"""Rubin's rules: one estimate from the m fits of the imputed data sets, as mice's pool().

For each coefficient: the pooled estimate is the mean of the m estimates, `ubar` the mean of
their variances (within), `b` the variance of the estimates (between), `t = ubar + (1 + 1/m) b`
the total variance. `riv` = (1 + 1/m) b / ubar (relative increase in variance), `lambda` =
(1 + 1/m) b / t (share of the variance due to the missing data), the degrees of freedom are
Barnard and Rubin's (1999) small-sample df given the complete-data df `dfcom` (infinite for
Wald z models without one), and `fmi` = (riv + 2 / (df + 3)) / (riv + 1), all as mice 3.15
defines them (van Buuren, Flexible Imputation of Missing Data, 2nd ed., sections 2.3.6, 5.2).
Checked against mice's pool() on nhanes2 (tests/r/mi_pool.R).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# Columns of pool()'s table, one row per coefficient.
POOL_COLUMNS = (
    "term",
    "m",
    "estimate",
    "ubar",
    "b",
    "t",
    "dfcom",
    "df",
    "riv",
    "lambda",
    "fmi",
    "se",  # sqrt(t)
    "ci_low",  # estimate -/+ t quantile(0.975, df) x se
    "ci_high",
    "p_value",  # two-sided, t on df
)


def barnard_rubin(m: int, b: np.ndarray, t: np.ndarray, dfcom: float) -> np.ndarray:
    """Barnard-Rubin degrees of freedom, as mice's barnard.rubin (lambda floored at 1e-4)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (1 + 1 / m) * b / t
    lam = np.where(np.isnan(lam) | (lam < 1e-4), 1e-4, lam)
    dfold = (m - 1) / lam**2
    if not np.isfinite(dfcom):
        return dfold
    dfobs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam)
    return dfold * dfobs / (dfold + dfobs)


def pool(
    estimates: np.ndarray, variances: np.ndarray, dfcom: float, terms: list[str] | None = None
) -> pd.DataFrame:
    """Pooled table (POOL_COLUMNS) of an m x k array of estimates and one of their variances."""
    from scipy import stats

    q = np.atleast_2d(np.asarray(estimates, dtype=float))
    u = np.atleast_2d(np.asarray(variances, dtype=float))
    m, k = q.shape
    if m < 2:
        raise ValueError("Rubin's rules need at least two imputations.")
    estimate = q.mean(axis=0)
    ubar = u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1 + 1 / m) * b
    df = barnard_rubin(m, b, t, dfcom)
    with np.errstate(divide="ignore", invalid="ignore"):
        riv = (1 + 1 / m) * b / ubar
        lam = (1 + 1 / m) * b / t
        fmi = (riv + 2 / (df + 3)) / (riv + 1)
        se = np.sqrt(t)
        crit = stats.t.ppf(0.975, df)
        p = 2 * stats.t.sf(np.abs(estimate / se), df)
    return pd.DataFrame(
        {
            "term": list(terms) if terms is not None else [str(i) for i in range(k)],
            "m": m,
            "estimate": estimate,
            "ubar": ubar,
            "b": b,
            "t": t,
            "dfcom": float(dfcom),
            "df": df,
            "riv": riv,
            "lambda": lam,
            "fmi": fmi,
            "se": se,
            "ci_low": estimate - crit * se,
            "ci_high": estimate + crit * se,
            "p_value": p,
        },
        columns=list(POOL_COLUMNS),
    )
