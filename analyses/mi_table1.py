"""Table 1 on imputed data: each variable's mean (numbers) or each level's percentage
(categories), per group and overall, pooled over the m imputed data sets by Rubin's rules
(within variance s²/n for a mean, p(1 - p)/n for a proportion; complete-data df n - 1), with
the observed patients' count and value beside it (the complete cases)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress
from analyses.fit_records import PooledSummaryFit
from analyses.imputation import complete, levels_of
from analyses.mi_pool import pool
from analyses.results import POOLED_SUMMARY_COLUMNS, ImputationResult, PooledSummary
from analyses.specs import Table1Spec

OVERALL = "Overall"


def _groups(df: pd.DataFrame, spec: Table1Spec) -> list[tuple[str, np.ndarray]]:
    """("Overall", every row with a known group), then each group's rows."""
    if spec.group is None:
        return [(OVERALL, np.ones(len(df), dtype=bool))]
    known = df[spec.group].notna().to_numpy()
    out = [(OVERALL, known)]
    for level in levels_of(df[spec.group]):
        out.append((str(level), (df[spec.group] == level).to_numpy() & known))
    return out


def _is_category(df: pd.DataFrame, spec: Table1Spec, v: str) -> bool:
    return v in spec.categorical or not pd.api.types.is_numeric_dtype(df[v].dtype)


def _cells(data: pd.DataFrame, spec: Table1Spec, groups) -> dict[tuple, tuple[float, float, int]]:
    """(variable, level, group) -> (estimate, its variance, n) of one data set."""
    out = {}
    for v in spec.variables:
        if v == spec.group:
            continue
        values = data[v]
        known = values.notna().to_numpy()
        category = _is_category(data, spec, v)
        levels = levels_of(values) if category else [""]
        for name, rows in groups:
            use = rows & known
            n = int(use.sum())
            if category:
                for level in levels:
                    p = float((values[use] == level).mean()) if n else np.nan
                    out[(v, str(level), name)] = (100 * p, 1e4 * p * (1 - p) / max(n, 1), n)
            else:
                x = values[use].to_numpy(dtype=float)
                var = float(x.var(ddof=1)) / n if n > 1 else np.nan
                out[(v, "", name)] = (float(x.mean()) if n else np.nan, var, n)
    return out


def pooled_summary(
    df: pd.DataFrame, imputation: ImputationResult, spec: Table1Spec
) -> PooledSummary:
    """The pooled table (POOLED_SUMMARY_COLUMNS), the observed patients' beside it."""
    m = imputation.info.m
    observed = _cells(df, spec, _groups(df, spec))
    per_set = []
    for i in range(1, m + 1):
        progress(f"Pooled summaries {i} of {m}")
        data = complete(df, imputation, i)
        per_set.append(_cells(data, spec, _groups(data, spec)))
    keys = [k for k in per_set[0] if all(k in cells for cells in per_set)]
    q = np.array([[cells[k][0] for k in keys] for cells in per_set])
    u = np.array([[cells[k][1] for k in keys] for cells in per_set])
    n = np.array([per_set[0][k][2] for k in keys])
    rows = []
    for j, key in enumerate(keys):
        pooled = pool(q[:, [j]], u[:, [j]], float(max(n[j] - 1, 1)))
        r = pooled.iloc[0]
        seen = observed.get(key, (np.nan, np.nan, 0))
        rows.append((*key, r.estimate, r.ci_low, r.ci_high, r.fmi, seen[2], seen[0]))
    table = pd.DataFrame(rows, columns=list(POOLED_SUMMARY_COLUMNS))
    notes = []
    outside = [v for v in spec.variables if df[v].isna().any() and v not in imputation.info.imputed]
    if outside:
        notes.append(f"Not in the imputation model, so observed values only: {', '.join(outside)}.")
    fit = PooledSummaryFit(
        m=m,
        n=int(_groups(df, spec)[0][1].sum()),
        seed=imputation.info.seed,
        imputed=imputation.info.imputed,
        methods=imputation.info.methods,
    )
    return PooledSummary(table=table, fit=fit, warnings=tuple(notes))
