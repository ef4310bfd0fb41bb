"""Template: Table 1 (baseline characteristics, tests and SMDs), copied into exported scripts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.table1_tests import (
    categorical_smd,
    categorical_test,
    choose_summary,
    numeric_smd,
    numeric_test,
)

from .coding import Factor, Numeric

# --- SCRIPT ---


def table1_groups(df, group):
    """Each row's group number (-1: no group) and the groups' names ([] without a group)."""
    if group is None:
        return np.zeros(len(df), dtype=np.int64), []
    factor = Factor(df[group])
    return factor.codes, factor.levels


def describe(x):
    """mean, SD, median, quartiles (R type 7), min and max of the values x."""
    if len(x) == 0:
        return dict.fromkeys(("mean", "sd", "median", "q1", "q3", "min", "max"), np.nan)
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    sd = x.std(ddof=1) if len(x) > 1 else np.nan
    return {
        "mean": x.mean(),
        "sd": sd,
        "median": median,
        "q1": q1,
        "q3": q3,
        "min": x.min(),
        "max": x.max(),
    }


def comparison(test):
    return {
        "test": test.test,
        "statistic": test.statistic,
        "df": test.df,
        "df2": test.df2,
        "p_value": test.p_value,
    }


def categorical_rows(name, column, g, groups):
    """n (%) of each level, overall and per group; chi-square or Fisher's test; the SMD."""
    k = max(1, len(groups))
    factor = Factor(column)
    present = factor.codes >= 0
    n_levels = len(factor.levels)
    counts = np.bincount(factor.codes[present] * k + g[present], minlength=n_levels * k)
    counts = counts.reshape(n_levels, k)
    keep = counts.sum(axis=1) > 0  # a level seen only in patients without a group is left out
    counts, levels = (
        counts[keep],
        [lev for lev, kept in zip(factor.levels, keep, strict=True) if kept],
    )
    missing = np.bincount(g[~present], minlength=k)
    totals = counts.sum(axis=0)
    cells = []
    for level, row in zip(levels, counts, strict=True):
        columns = [("Overall", row.sum(), totals.sum(), missing.sum())]
        columns += [(lev, row[j], totals[j], missing[j]) for j, lev in enumerate(groups)]
        for group, n, total, miss in columns:
            cells.append(
                {
                    "variable": name,
                    "level": level,
                    "group": group,
                    "n": int(n),
                    "total": int(total),
                    "percent": 100.0 * n / total if total else np.nan,
                    "missing": int(miss),
                }
            )
    variable = {
        "variable": name,
        "type": "binary" if len(levels) == 2 else "categorical",
        "summary": "n (%)",
        "reason": "categorical",
        "n": int(totals.sum()),
        "missing": int(missing.sum()),
        "test": "",
    }
    if k >= 2:
        variable |= comparison(categorical_test(counts))
    if k == 2:
        variable["smd"] = categorical_smd(counts[:, 0], counts[:, 1])
    return cells, variable


def numeric_rows(name, column, g, groups, forced):
    """mean (SD) or median [IQR] (the normality rule, unless forced); Welch's t, ANOVA,
    Mann-Whitney or Kruskal-Wallis to match; the SMD."""
    k = max(1, len(groups))
    values = Numeric(column).values
    present = ~np.isnan(values)
    v, gv = values[present], g[present]
    choice = choose_summary(v, gv, forced)
    missing = np.bincount(g[~present], minlength=k)
    samples = [v[gv == j] for j in range(k)]
    columns = [("Overall", v, int(missing.sum()))]
    columns += [(lev, samples[j], int(missing[j])) for j, lev in enumerate(groups)]
    cells = [
        {
            "variable": name,
            "level": "",
            "group": group,
            "n": len(x),
            "total": len(x),
            "missing": miss,
            **describe(x),
        }
        for group, x, miss in columns
    ]
    summary = {"mean": "mean (SD)", "median": "median [IQR]"}[choice.summary]
    variable = {
        "variable": name,
        "type": "continuous",
        "summary": summary,
        "reason": choice.reason,
        "normality_p": choice.normality_p,
        "skewness": choice.skewness,
        "n": len(v),
        "missing": int(missing.sum()),
        "test": "",
    }
    if k >= 2:
        variable |= comparison(numeric_test(samples, choice.summary))
    if k == 2:
        variable["smd"] = numeric_smd(samples[0], samples[1])
    return cells, variable


TABLE1_CELL_COLUMNS = [
    "variable",
    "level",
    "group",
    "n",
    "total",
    "percent",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "min",
    "max",
    "missing",
]
TABLE1_VARIABLE_COLUMNS = [
    "variable",
    "type",
    "summary",
    "reason",
    "normality_p",
    "skewness",
    "n",
    "missing",
    "test",
    "statistic",
    "df",
    "df2",
    "p_value",
    "smd",
]


def table1(df, variables, group=None, categorical=(), summary="auto", median_variables=()):
    """Three tables: the summaries (one row per level and column: Overall, then each group),
    one row per variable with its test (keys: chi2, fisher, fisher_exact_rxc, fisher_mc, welch,
    mann_whitney, anova, kruskal) and standardised mean difference, and each column's n."""
    codes, groups = table1_groups(df, group)
    rows = np.flatnonzero(codes >= 0)  # patients without a group are in no column
    g = codes[rows]
    cells, variables_out = [], []
    for name in [v for v in dict.fromkeys(variables) if v != group]:
        column = df[name].iloc[rows]
        if name in categorical:
            c, r = categorical_rows(name, column, g, groups)
        else:
            forced = "median" if name in median_variables else None
            forced = forced or (None if summary == "auto" else summary)
            c, r = numeric_rows(name, column, g, groups, forced)
        cells += c
        variables_out.append(r)
    sizes = np.bincount(g, minlength=max(1, len(groups)))
    columns = [("Overall", len(rows))] + [(lv, int(sizes[j])) for j, lv in enumerate(groups)]
    return (
        pd.DataFrame(cells, columns=TABLE1_CELL_COLUMNS),
        pd.DataFrame(variables_out, columns=TABLE1_VARIABLE_COLUMNS),
        pd.DataFrame(columns, columns=["group", "n"]),
    )
