"""Template: the Correlation analysis (every pair of columns), copied into exported scripts."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analyses.spearman import spearman_test

from .coding import Numeric

# --- SCRIPT ---


def fisher_z_ci(r, n, spearman):
    """95% CI by Fisher's z; Spearman's with Bonett & Wright's variance (1 + r²/2)/(n - 3)."""
    if n <= 3 or not np.isfinite(r):
        return np.nan, np.nan
    if abs(r) >= 1.0:
        return r, r
    var = (1.0 + r * r / 2.0) / (n - 3) if spearman else 1.0 / (n - 3)
    half = stats.norm.ppf(0.975) * np.sqrt(var)
    return np.tanh(np.arctanh(r) - half), np.tanh(np.arctanh(r) + half)


def pair_statistics(x, y, method):
    """n, coefficient, 95% CI and p of one pair, on the patients with both values. The p-values
    are R's cor.test: Pearson by the t test; Spearman by AS 89 without ties, else t."""
    both = ~np.isnan(x) & ~np.isnan(y)
    n = int(both.sum())
    x, y = x[both], y[both]
    if n < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return n, np.nan, np.nan, np.nan, np.nan, ""
    if method == "spearman":
        r, p, p_method = spearman_test(x, y)
        low, high = fisher_z_ci(r, n, spearman=True)
        return n, r, low, high, p, p_method
    res = stats.pearsonr(x, y)
    low, high = res.confidence_interval(0.95) if n > 3 else (np.nan, np.nan)
    return n, res.statistic, low, high, res.pvalue, "t test"


def correlations(df, columns, method="pearson", adjust="none"):
    """Table: every pair of `columns` with n, r (or rho), 95% CI, p and p adjusted for the
    number of pairs ("holm", "bonferroni", "fdr_bh" = Benjamini-Hochberg, or "none")."""
    columns = list(dict.fromkeys(columns))
    values = {c: Numeric(df[c]).values for c in columns}
    rows = []
    for a, b in itertools.combinations(columns, 2):
        n, r, low, high, p, p_method = pair_statistics(values[a], values[b], method)
        rows.append(
            {"variable_1": a, "variable_2": b, "n": n, "estimate": r, "ci_low": low,
             "ci_high": high, "p_value": p, "p_method": p_method}
        )  # fmt: skip
    pairs = pd.DataFrame(rows)
    p = pairs["p_value"].to_numpy(dtype=float)
    adjusted, finite = p.copy(), np.isfinite(p)
    if adjust != "none" and finite.any():
        adjusted[finite] = multipletests(p[finite], method=adjust)[1]
    pairs.insert(7, "p_adjusted", adjusted)
    return pairs


def correlation_matrix(pairs, columns):
    """Table: the coefficients as a square matrix, a row per column (1 on the diagonal)."""
    columns = list(dict.fromkeys(columns))
    matrix = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    for row in pairs.itertuples(index=False):
        matrix.loc[row.variable_1, row.variable_2] = row.estimate
        matrix.loc[row.variable_2, row.variable_1] = row.estimate
    return matrix.rename_axis("variable").reset_index()
