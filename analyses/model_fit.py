"""How well a fitted logistic model fits: likelihood figures, discrimination, calibration, VIF."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

# DeLong's AUC lives with the diagnostic accuracy code that also compares AUCs; re-exported
# here because the model fit statistics use it.
from analyses.delong import auc_delong

__all__ = [
    "auc_delong",
    "bernoulli_loglik",
    "hosmer_lemeshow",
    "likelihood_summary",
    "variance_inflation",
]


def bernoulli_loglik(y: np.ndarray, prob: np.ndarray) -> float:
    """Unpenalized log-likelihood of fitted probabilities."""
    p = np.clip(prob, 1e-300, 1 - 1e-16)
    return float(np.sum(np.where(y > 0.5, np.log(p), np.log1p(-p))))


def likelihood_summary(loglik: float, loglik_null: float, n: int, n_params: int) -> dict:
    """AIC, McFadden R² (1 - llf/llnull) and Nagelkerke R² (Cox-Snell over its maximum).

    `n_params` counts every coefficient including the intercept, as R's AIC does.
    """
    out = {"aic": -2.0 * loglik + 2.0 * n_params}
    if loglik_null < 0 and n > 0:
        out["mcfadden_r2"] = 1.0 - loglik / loglik_null
        cox_snell = 1.0 - np.exp(2.0 * (loglik_null - loglik) / n)
        out["nagelkerke_r2"] = cox_snell / (1.0 - np.exp(2.0 * loglik_null / n))
    else:
        out["mcfadden_r2"] = out["nagelkerke_r2"] = float("nan")
    return {k: float(v) for k, v in out.items()}


def hosmer_lemeshow(y: np.ndarray, prob: np.ndarray, groups: int = 10) -> tuple[float, int, float]:
    """Hosmer-Lemeshow chi-square, df and p as ResourceSelection::hoslem.test(g = 10).

    Groups are cut at the quantiles of the fitted risk (R's type 7, closed on the right, the
    lowest included); observed and expected counts of events and non-events are compared on
    g - 2 degrees of freedom. Tied quantiles are merged (R would stop with an error there),
    and the df follow the groups actually formed.
    """
    breaks = np.unique(np.quantile(prob, np.linspace(0.0, 1.0, groups + 1)))
    if len(breaks) < 3:
        return float("nan"), 0, float("nan")
    group = np.clip(np.searchsorted(breaks, prob, side="left") - 1, 0, len(breaks) - 2)
    n_groups = len(breaks) - 1
    count = np.bincount(group, minlength=n_groups).astype(float)
    observed = np.bincount(group, weights=y, minlength=n_groups)
    expected = np.bincount(group, weights=prob, minlength=n_groups)
    keep = count > 0
    count, observed, expected = count[keep], observed[keep], expected[keep]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi2 = np.sum((observed - expected) ** 2 / expected) + np.sum(
            ((count - observed) - (count - expected)) ** 2 / (count - expected)
        )
    df = int(keep.sum()) - 2
    if df < 1 or not np.isfinite(chi2):
        return float(chi2), max(df, 0), float("nan")
    return float(chi2), df, float(stats.chi2.sf(chi2, df))


def variance_inflation(design: np.ndarray, groups: list[tuple[str, list[int]]]) -> pd.DataFrame:
    """Generalized VIF per variable (Fox & Monette 1992) of the covariate design columns.

    `design` holds the covariate columns without the intercept; `groups` maps each variable to
    its columns. GVIF = det(R_vv) det(R_oo) / det(R) on the columns' correlation matrix R (as
    car::vif gives for a linear model of the same covariates; on a glm car uses the correlation
    of the estimates instead); for a one-column variable it is the classic VIF.
    `vif_per_df` = GVIF^(1/df) puts factors with several columns on the VIF scale (car's
    GVIF^(1/(2 df)), squared); it is the figure the warnings compare with 5 and 10.
    """
    rows = []
    k = design.shape[1]
    if k >= 2 and len(groups) >= 2:
        with np.errstate(all="ignore"):
            corr = np.corrcoef(design, rowvar=False)
        sign, logdet_all = np.linalg.slogdet(corr)
    for name, cols in groups:
        if k < 2 or len(groups) < 2:
            gvif = 1.0
        elif sign <= 0 or not np.all(np.isfinite(corr)):
            gvif = float("inf")
        else:
            others = [j for j in range(k) if j not in set(cols)]
            logdet_v = np.linalg.slogdet(corr[np.ix_(cols, cols)])[1]
            logdet_o = np.linalg.slogdet(corr[np.ix_(others, others)])[1]
            gvif = float(np.exp(logdet_v + logdet_o - logdet_all))
        per_df = gvif ** (1 / len(cols))
        rows.append({"variable": name, "vif": gvif, "df": len(cols), "vif_per_df": per_df})
    return pd.DataFrame(rows, columns=["variable", "vif", "df", "vif_per_df"])
