"""Intraclass correlations: the six Shrout & Fleiss (1979) forms, as psych::ICC computes them.

Two-way ANOVA of an n subjects x k raters table without missing values; F tests and 95% CIs
as Shrout & Fleiss (1979) and McGraw & Wong (1996), the CI of ICC2 by Satterthwaite's df.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

# form -> (McGraw & Wong's model, what it measures, unit, when to use it): shown in words.
FORMS = {
    "ICC1": ("One-way random", "absolute agreement", "single rater",
             "each subject is rated by a different set of raters (raters not identified)"),
    "ICC2": ("Two-way random", "absolute agreement", "single rater",
             "the same raters rate every subject and stand for raters in general; a single "
             "rater's value will be used"),
    "ICC3": ("Two-way mixed", "consistency", "single rater",
             "these raters are the only ones of interest and a constant offset between them "
             "does not matter; a single rater's value will be used"),
    "ICC1k": ("One-way random", "absolute agreement", "mean of k raters",
              "as ICC1, when the mean of the k ratings will be the measurement"),
    "ICC2k": ("Two-way random", "absolute agreement", "mean of k raters",
              "as ICC2, when the mean of the k ratings will be the measurement"),
    "ICC3k": ("Two-way mixed", "consistency", "mean of k raters",
              "as ICC3, when the mean of the k ratings will be the measurement"),
}  # fmt: skip


def icc_table(x: np.ndarray, alpha: float = 0.05) -> pd.DataFrame:
    """One row per form: form, model, type, unit, when, estimate, ci_low, ci_high, f, df1,
    df2, p_value (columns of results.AGREEMENT_ICC_COLUMNS)."""
    n, k = x.shape
    grand = x.mean()
    ss_rows = k * float(((x.mean(axis=1) - grand) ** 2).sum())
    ss_cols = n * float(((x.mean(axis=0) - grand) ** 2).sum())
    ss_error = max(float(((x - grand) ** 2).sum()) - ss_rows - ss_cols, 0.0)
    # numpy floats: perfect agreement (a zero mean square) gives inf and nan, not an exception
    msb = np.float64(ss_rows) / (n - 1)
    msj = np.float64(ss_cols) / (k - 1)
    mse = np.float64(ss_error) / ((n - 1) * (k - 1))
    msw = np.float64(ss_cols + ss_error) / (n * (k - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        est = {
            "ICC1": (msb - msw) / (msb + (k - 1) * msw),
            "ICC2": (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n),
            "ICC3": (msb - mse) / (msb + (k - 1) * mse),
            "ICC1k": (msb - msw) / msb,
            "ICC2k": (msb - mse) / (msb + (msj - mse) / n),
            "ICC3k": (msb - mse) / msb,
        }
        df1, df1d, df2d = n - 1, n * (k - 1), (n - 1) * (k - 1)
        f1, f2 = msb / msw, msb / mse
        q = 1 - alpha / 2
        f1_low, f1_high = f1 / stats.f.ppf(q, df1, df1d), f1 * stats.f.ppf(q, df1d, df1)
        f3_low, f3_high = f2 / stats.f.ppf(q, df1, df2d), f2 * stats.f.ppf(q, df2d, df1)
        ci = {
            "ICC1": ((f1_low - 1) / (f1_low + k - 1), (f1_high - 1) / (f1_high + k - 1)),
            "ICC3": ((f3_low - 1) / (f3_low + k - 1), (f3_high - 1) / (f3_high + k - 1)),
            "ICC1k": (1 - 1 / f1_low, 1 - 1 / f1_high),
            "ICC3k": (1 - 1 / f3_low, 1 - 1 / f3_high),
        }
        icc2, fj = est["ICC2"], msj / mse
        base = n * (1 + (k - 1) * icc2) - k * icc2
        v = ((k - 1) * (n - 1) * (k * icc2 * fj + base) ** 2) / (
            (n - 1) * k**2 * icc2**2 * fj**2 + base**2
        )
        fu, fl = stats.f.ppf(q, n - 1, v), stats.f.ppf(q, v, n - 1)
        spread = k * msj + (k * n - k - n) * mse
        low2 = n * (msb - fu * mse) / (fu * spread + n * msb)
        high2 = n * (fl * msb - mse) / (spread + n * fl * msb)
        ci["ICC2"] = (low2, high2)
        ci["ICC2k"] = (low2 * k / (1 + low2 * (k - 1)), high2 * k / (1 + high2 * (k - 1)))
    p1 = float(stats.f.sf(f1, df1, df1d)) if np.isfinite(f1) else 0.0
    p2 = float(stats.f.sf(f2, df1, df2d)) if np.isfinite(f2) else 0.0
    rows = []
    for form, (model, kind, unit, when) in FORMS.items():
        one_way = form.startswith("ICC1")
        rows.append(
            {
                "form": form, "model": model, "type": kind, "unit": unit, "when": when,
                "estimate": float(est[form]), "ci_low": float(ci[form][0]),
                "ci_high": float(ci[form][1]), "f": float(f1 if one_way else f2),
                "df1": int(df1), "df2": int(df1d if one_way else df2d),
                "p_value": p1 if one_way else p2,
            }
        )  # fmt: skip
    return pd.DataFrame(rows)
