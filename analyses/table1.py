"""Table 1 (baseline characteristics), optionally by group: summaries, tests and SMDs; pure."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import steps
from analyses.encoding import MAX_FACTOR_LEVELS, encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.fit_records import Table1Info
from analyses.results import TABLE1_CELL_COLUMNS, TABLE1_VARIABLE_COLUMNS, Table1Result
from analyses.specs import Table1Spec
from analyses.table1_tests import (
    FISHER_RESAMPLES,
    NORMALITY_RULE,
    Comparison,
    categorical_smd,
    categorical_test,
    choose_summary,
    numeric_smd,
    numeric_test,
)

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "2"
OVERALL = "Overall"
# More groups than this make a table no journal prints; it is almost always the wrong column.
MAX_GROUPS = 10
MANY_MISSING = 0.20  # share of missing values that earns a warning
SUMMARY_NAMES = {"mean": "mean (SD)", "median": "median [IQR]", "factor": "n (%)"}


def _groups(df: pd.DataFrame, group: str | None) -> tuple[np.ndarray, tuple[str, ...], int]:
    """Row positions with a known group, their group codes 0..k-1, the group labels."""
    if group is None:
        return np.zeros(len(df), dtype=np.int64), (), 0
    factor, _ = encode_factor(df[group], None)
    if len(factor.levels) < 2:
        seen = f" (every patient has '{factor.levels[0]}')" if factor.levels else ""
        raise AnalysisError(
            f"The grouping column '{group}' has fewer than two groups{seen}. Choose a column "
            "with at least two groups, or no grouping for a table of the whole cohort."
        )
    if len(factor.levels) > MAX_GROUPS:
        raise AnalysisError(
            f"The grouping column '{group}' has {len(factor.levels)} groups; Table 1 compares at "
            f"most {MAX_GROUPS}. Choose a column with fewer groups, or group its values into "
            "fewer categories on the Data tab."
        )
    return factor.codes, factor.levels, int((factor.codes < 0).sum())


def _describe(x: np.ndarray) -> dict:
    """The numeric summaries of one column of the table (NaN where undefined)."""
    if len(x) == 0:
        return dict.fromkeys(("mean", "sd", "median", "q1", "q3", "min", "max"), np.nan)
    q1, median, q3 = np.percentile(x, [25, 50, 75])
    return {
        "mean": float(x.mean()),
        "sd": float(x.std(ddof=1)) if len(x) > 1 else np.nan,
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(x.min()),
        "max": float(x.max()),
    }


def _cell(variable: str, level: str, group: str, n: int, total: int, missing: int, **numbers):
    row = dict.fromkeys(TABLE1_CELL_COLUMNS, np.nan)
    row.update(variable=variable, level=level, group=group, n=n, total=total, missing=missing)
    row.update(numbers)
    return row


def _variable_row(name: str, kind: str, summary: str, reason: str, n: int, missing: int, **rest):
    row = dict.fromkeys(TABLE1_VARIABLE_COLUMNS, np.nan)
    row.update(variable=name, type=kind, summary=summary, reason=reason, n=n, missing=missing)
    row.update(test="")
    row.update(rest)
    return row


def _comparison(test: Comparison) -> dict:
    return {
        "test": test.test,
        "statistic": test.statistic,
        "df": test.df,
        "df2": test.df2,
        "p_value": test.p_value,
    }


def _factor(name: str, column: pd.Series, g: np.ndarray, groups: tuple[str, ...]):
    """Cells and the variable row of a factor (g: group code of each used row)."""
    k = max(1, len(groups))
    if column.nunique(dropna=True) > MAX_FACTOR_LEVELS:
        raise AnalysisError(
            f"'{name}' has more than {MAX_FACTOR_LEVELS} categories, too many to list in "
            "Table 1. Treat it as a number, group its values on the Data tab, or leave it out."
        )
    factor, _ = encode_factor(column, None)
    codes = factor.codes
    present = codes >= 0
    n_levels = len(factor.levels)
    flat = np.bincount(codes[present] * k + g[present], minlength=n_levels * k)
    counts = flat.reshape(n_levels, k)
    keep = counts.sum(axis=1) > 0  # a level seen only in patients without a group
    counts = counts[keep]
    levels = [lv for lv, kept in zip(factor.levels, keep) if kept]
    missing = np.bincount(g[~present], minlength=k)
    totals = counts.sum(axis=0)
    cells = []
    for level, row in zip(levels, counts):
        columns = [(OVERALL, row.sum(), totals.sum(), missing.sum())]
        columns += [(lv, row[j], totals[j], missing[j]) for j, lv in enumerate(groups)]
        for group, n, total, miss in columns:
            pct = 100.0 * n / total if total else np.nan
            cells.append(_cell(name, level, group, int(n), int(total), int(miss), percent=pct))
    kind = "binary" if len(levels) == 2 else "categorical"
    extra: dict = {}
    if k >= 2:
        extra = _comparison(categorical_test(counts))
    if k == 2:
        extra["smd"] = categorical_smd(counts[:, 0], counts[:, 1])
    n_known = int(totals.sum())
    variable = _variable_row(
        name, kind, SUMMARY_NAMES["factor"], "categorical", n_known, int(missing.sum()), **extra
    )
    return cells, variable


def _numeric(name: str, column: pd.Series, g: np.ndarray, groups: tuple, forced: str | None):
    """Cells and the variable row of a numeric variable."""
    k = max(1, len(groups))
    values = encode_numeric(column).values
    present = ~np.isnan(values)
    v, gv = values[present], g[present]
    choice = choose_summary(v, gv, forced)
    missing = np.bincount(g[~present], minlength=k)
    samples = [v[gv == j] for j in range(k)]
    columns = [(OVERALL, v, int(missing.sum()))]
    columns += [(lv, samples[j], int(missing[j])) for j, lv in enumerate(groups)]
    cells = [
        _cell(name, "", group, len(x), len(x), miss, **_describe(x)) for group, x, miss in columns
    ]
    extra: dict = {"normality_p": choice.normality_p, "skewness": choice.skewness}
    if k >= 2:
        extra.update(_comparison(numeric_test(samples, choice.summary)))
    if k == 2:
        extra["smd"] = numeric_smd(samples[0], samples[1])
    variable = _variable_row(
        name,
        "continuous",
        SUMMARY_NAMES[choice.summary],
        choice.reason,
        len(v),
        int(missing.sum()),
        **extra,
    )
    return cells, variable


def _names(items) -> str:
    return ", ".join(f"'{i}'" for i in items)


def _warnings(spec: Table1Spec, variables: pd.DataFrame, n_group_missing: int, k: int) -> list:
    out = []
    if n_group_missing:
        out.append(
            f"{n_group_missing} patients with no value of '{spec.group}' are left out of every "
            "column, including Overall."
        )
    empty = variables.loc[variables["n"] == 0, "variable"].tolist()
    if empty:
        out.append(f"No patient has a value of {_names(empty)}.")
    known = variables[variables["n"] > 0]
    share = known["missing"] / (known["n"] + known["missing"])
    many = [f"'{v}' ({s:.0%})" for v, s in zip(known["variable"], share) if s > MANY_MISSING]
    if many:
        out.append(
            f"More than {MANY_MISSING:.0%} of values are missing for {', '.join(many)}: "
            "the percentages and summaries describe only the patients with a value."
        )
    if k >= 2:
        untested = known.loc[known["test"] == "", "variable"].tolist()
        if untested:
            out.append(
                f"No p-value for {_names(untested)}: the variable does not vary, or some groups "
                "have too few patients with a value for a test."
            )
    return out


def analyze(df: pd.DataFrame, spec: Table1Spec) -> Table1Result:
    """Summaries of spec.variables overall and by spec.group, with a test and SMD per variable."""
    wanted = [*spec.variables, *([spec.group] if spec.group else [])]
    absent = [c for c in dict.fromkeys(wanted) if c not in df.columns]
    if absent:
        raise AnalysisError(f"These columns are not in the data: {', '.join(absent)}.")
    names = [v for v in dict.fromkeys(spec.variables) if v != spec.group]
    if not names:
        raise AnalysisError("Choose at least one variable to describe (other than the group).")
    codes, group_levels, n_group_missing = _groups(df, spec.group)
    rows = np.flatnonzero(codes >= 0)
    g = codes[rows]
    k = max(1, len(group_levels))
    cells: list[dict] = []
    rows_out: list[dict] = []
    # Between variables: one variable's test (at most the Fisher Monte Carlo, ~1 s on a
    # 50 x 10 table) cannot be interrupted.
    for name in steps(names, "Variable"):
        column = df[name].iloc[rows] if len(rows) < len(df) else df[name]
        if name in spec.categorical:
            c, r = _factor(name, column, g, group_levels)
        else:
            forced = "median" if name in spec.median_variables else None
            forced = forced or (None if spec.summary == "auto" else spec.summary)
            c, r = _numeric(name, column, g, group_levels, forced)
        cells += c
        rows_out.append(r)
    cell_frame = pd.DataFrame(cells, columns=list(TABLE1_CELL_COLUMNS))
    variables = pd.DataFrame(rows_out, columns=list(TABLE1_VARIABLE_COLUMNS))
    sizes = np.bincount(g, minlength=k)
    groups = pd.DataFrame(
        [(OVERALL, len(rows))] + [(lv, int(sizes[j])) for j, lv in enumerate(group_levels)],
        columns=["group", "n"],
    )
    info = Table1Info(
        group=spec.group,
        group_levels=tuple(group_levels),
        n_rows=len(df),
        n_used=len(rows),
        n_group_missing=n_group_missing,
        summary=spec.summary,
        normality_rule=NORMALITY_RULE,
        fisher_resamples=FISHER_RESAMPLES,
    )
    warnings = _warnings(spec, variables, n_group_missing, len(group_levels))
    return Table1Result(
        cells=cell_frame,
        variables=variables,
        groups=groups,
        info=info,
        warnings=tuple(warnings),
    )
