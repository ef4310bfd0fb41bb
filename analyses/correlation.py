"""Pearson or Spearman correlation matrix with p-values, and a scatter with a fitted line."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy import stats

from analyses.cancellation import steps
from analyses.encoding import encode_numeric
from analyses.errors import AnalysisError
from analyses.fit_records import CorrelationSummary
from analyses.results import CORRELATION_PAIR_COLUMNS, CorrelationResult
from analyses.spearman import spearman_test
from analyses.specs import CorrelationSpec

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "2"

MAX_COLUMNS = 30  # a 30 x 30 heatmap is the most a page (or a reader) can take
MAX_POINTS = 5000  # scatter points kept in the result; the statistics use every patient
LINE_POINTS = 60  # grid of the fitted line and its band
FEW_PAIRS = 10  # fewer complete pairs than this: say the estimate is imprecise
Z95 = float(stats.norm.ppf(0.975))
ADJUSTMENTS = {"none", "holm", "bonferroni", "fdr_bh"}
PEARSON_T = "t test"  # p_method of Pearson's r (t with n - 2 df, as R's cor.test)


def _fisher_ci(r: float, n: int, spearman: bool) -> tuple[float, float]:
    """95% CI by Fisher's z; Spearman uses Bonett & Wright's (2000) variance (1 + r²/2)/(n - 3)."""
    if n <= 3 or not np.isfinite(r):
        return float("nan"), float("nan")
    if abs(r) >= 1.0:
        return float(r), float(r)
    var = (1.0 + r * r / 2.0) / (n - 3) if spearman else 1.0 / (n - 3)
    z = np.arctanh(r)
    half = Z95 * np.sqrt(var)
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def pair_statistics(
    x: np.ndarray, y: np.ndarray, method: str
) -> tuple[int, float, float, float, float, str]:
    """n, coefficient, CI low, CI high, p and how p was computed, on the complete pairs.

    The p-values are R's cor.test: Pearson by the t test; Spearman by AS 89 (exact for
    n <= 9, Edgeworth series up to 1290) without ties, else the t approximation.
    """
    both = ~np.isnan(x) & ~np.isnan(y)
    n = int(both.sum())
    nan = float("nan")
    if n < 3:
        return n, nan, nan, nan, nan, ""
    x, y = x[both], y[both]
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        return n, nan, nan, nan, nan, ""
    if method == "spearman":
        r, p, p_method = spearman_test(x, y)
        low, high = _fisher_ci(r, n, spearman=True)
    else:
        res = stats.pearsonr(x, y)
        r, p, p_method = float(res.statistic), float(res.pvalue), PEARSON_T
        if n > 3:
            ci = res.confidence_interval(0.95)
            low, high = float(ci.low), float(ci.high)
        else:
            low, high = nan, nan
    return n, r, low, high, p, p_method


def _adjusted(p: np.ndarray, method: str) -> np.ndarray:
    """p-values corrected for the number of pairs tested (non-finite ones left out)."""
    out = p.copy()
    finite = np.isfinite(p)
    if method == "none" or finite.sum() == 0:
        return out
    from statsmodels.stats.multitest import multipletests

    out[finite] = multipletests(p[finite], method=method)[1]
    return out


def fitted_line(x: np.ndarray, y: np.ndarray) -> tuple[pd.DataFrame, float, float]:
    """Least-squares line of y on x over its range with the 95% CI of the mean; slope, intercept."""
    n = len(x)
    xbar = x.mean()
    sxx = float(((x - xbar) ** 2).sum())
    slope = float(((x - xbar) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * xbar)
    grid = np.linspace(x.min(), x.max(), LINE_POINTS)
    fit = intercept + slope * grid
    if n > 2:
        s = np.sqrt(float(((y - intercept - slope * x) ** 2).sum()) / (n - 2))
        half = stats.t.ppf(0.975, n - 2) * s * np.sqrt(1.0 / n + (grid - xbar) ** 2 / sxx)
    else:
        half = np.full_like(grid, np.nan)
    line = pd.DataFrame({"x": grid, "fit": fit, "ci_low": fit - half, "ci_high": fit + half})
    return line, slope, intercept


def _columns(df: pd.DataFrame, spec: CorrelationSpec) -> list[str]:
    columns = list(dict.fromkeys(spec.columns))
    missing = [c for c in columns + list(spec.pair or ()) if c not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {', '.join(missing)}.")
    if len(columns) < 2:
        raise AnalysisError("Choose at least two numeric columns to correlate.")
    if len(columns) > MAX_COLUMNS:
        raise AnalysisError(
            f"{len(columns)} columns were chosen; a correlation matrix shows at most "
            f"{MAX_COLUMNS}. Choose fewer columns."
        )
    if spec.method not in ("pearson", "spearman"):
        raise AnalysisError("The method must be Pearson or Spearman.")
    if spec.adjust not in ADJUSTMENTS:
        raise AnalysisError("The multiple-testing correction must be none, Holm, Bonferroni or BH.")
    return columns


def _scatter(values: dict[str, np.ndarray], df, spec, columns, method):
    """The chosen pair's points (sampled when many), fitted line and summary numbers."""
    px, py = spec.pair or (columns[0], columns[1])
    x_all = values[px] if px in values else encode_numeric(df[px]).values
    y_all = values[py] if py in values else encode_numeric(df[py]).values
    both = ~np.isnan(x_all) & ~np.isnan(y_all)
    x, y = x_all[both], y_all[both]
    n, r, _, _, p, p_method = pair_statistics(x_all, y_all, method)
    summary = {
        "pair_x": px,
        "pair_y": py,
        "pair_n": n,
        "pair_estimate": r,
        "pair_p": p,
        "pair_p_method": p_method,
    }
    empty_line = pd.DataFrame(columns=["x", "fit", "ci_low", "ci_high"], dtype=float)
    if n < 3 or not np.isfinite(r):
        summary.update(pair_pearson_r=float("nan"), slope=float("nan"), intercept=float("nan"))
        line = empty_line
    else:
        line, slope, intercept = fitted_line(x, y)
        pearson = r if method == "pearson" else float(stats.pearsonr(x, y).statistic)
        summary.update(pair_pearson_r=pearson, slope=slope, intercept=intercept)
    if len(x) > MAX_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(len(x), MAX_POINTS, replace=False))
        x, y = x[keep], y[keep]
    summary["points_shown"] = int(len(x))
    return pd.DataFrame({"x": x, "y": y}), line, summary


def _warnings(pairs: pd.DataFrame, columns, values, spec) -> list[str]:
    out = []
    constant = [c for c in columns if len(np.unique(values[c][~np.isnan(values[c])])) < 2]
    if constant:
        out.append(
            "No correlation for columns with a single value or no values: "
            + ", ".join(f"'{c}'" for c in constant)
            + "."
        )
    few = pairs[(pairs["n"] < FEW_PAIRS) & pairs["estimate"].notna()]
    if len(few):
        names = ", ".join(f"'{a}'–'{b}'" for a, b in zip(few["variable_1"], few["variable_2"]))
        out.append(f"Fewer than {FEW_PAIRS} patients with both values for {names}: imprecise.")
    if pairs["n"].nunique() > 1:
        out.append(
            "Each pair uses the patients with both values (pairwise deletion), so n differs "
            f"between pairs (from {pairs['n'].min()} to {pairs['n'].max()})."
        )
    tested = int(pairs["p_value"].notna().sum())
    if spec.adjust == "none" and tested > 1:
        out.append(
            f"{tested} correlations were tested, so some p-values below 0.05 are expected by "
            "chance alone; choose a multiple-testing correction (Holm, or BH for many pairs) "
            "when the matrix is exploratory."
        )
    return out


def analyze(df: pd.DataFrame, spec: CorrelationSpec) -> CorrelationResult:
    """Pairwise correlations of spec.columns, and the scatter of spec.pair."""
    columns = _columns(df, spec)
    values = {c: encode_numeric(df[c]).values for c in columns}
    rows = []
    # Up to 435 pairs, each a rank or moment pass over the rows.
    for a, b in steps(list(itertools.combinations(columns, 2)), "Pair"):
        n, r, low, high, p, p_method = pair_statistics(values[a], values[b], spec.method)
        rows.append(
            {
                "variable_1": a,
                "variable_2": b,
                "n": n,
                "estimate": r,
                "ci_low": low,
                "ci_high": high,
                "p_value": p,
                "p_method": p_method,
            }
        )
    pairs = pd.DataFrame(rows)
    pairs["n"] = pairs["n"].astype(int)
    pairs["p_adjusted"] = _adjusted(pairs["p_value"].to_numpy(dtype=float), spec.adjust)
    pairs = pairs[list(CORRELATION_PAIR_COLUMNS)]
    if pairs["estimate"].isna().all():
        raise AnalysisError(
            "No pair of the chosen columns has at least 3 patients with both values and some "
            "variation. Choose other columns or fill in missing values."
        )
    matrix = pd.DataFrame(np.eye(len(columns)), index=columns, columns=columns)
    for row in pairs.itertuples(index=False):
        matrix.loc[row.variable_1, row.variable_2] = row.estimate
        matrix.loc[row.variable_2, row.variable_1] = row.estimate
    scatter, line, summary = _scatter(values, df, spec, columns, spec.method)
    summary.update(method=spec.method, adjust=spec.adjust, n_rows=int(len(df)))
    summary = {k: (float(v) if isinstance(v, np.floating) else v) for k, v in summary.items()}
    return CorrelationResult(
        pairs=pairs,
        matrix=matrix,
        scatter=scatter,
        line=line,
        summary=CorrelationSummary(**summary),
        warnings=tuple(_warnings(pairs, columns, values, spec)),
    )
