"""Template: multiple imputation as MedStat does it (the Data cleaning tab's settings), copied
into scripts that pool a model or Table 1 over the imputed data.

The chained equations themselves are MedStat's (analyses/imputation.py, imputation_methods.py,
missing_pattern.py; Rubin's rules analyses/mi_pool.py), copied unchanged at the end of the
script: with the same seed, the script draws exactly the data sets the app drew."""

from __future__ import annotations

import sys
from dataclasses import dataclass

import pandas as pd

from analyses.imputation import analyze as impute
from analyses.mi_table1 import pooled_summary

# --- SCRIPT ---


# analyses/imputation.py draws each variable with `methods.pmm(...)` (its module
# analyses/imputation_methods.py): here those functions are this script's own.
methods = sys.modules[__name__]


@dataclass(frozen=True)
class ImputationSpec:
    """The imputation's settings (MedStat's analyses/specs.py)."""

    variables: tuple
    categorical: tuple = ()
    m: int = 20
    iterations: int = 10
    seed: int = 20240607


@dataclass(frozen=True)
class ImputationInfo:
    """What the chained equations did (MedStat's analyses/fit_records.py)."""

    m: int
    iterations: int
    seed: int
    n_rows: int
    n_incomplete: int
    imputed: tuple
    methods: tuple
    predictors: tuple
    left_out: tuple


@dataclass(frozen=True)
class ImputationResult:
    """The values drawn for the missing cells (`imputed`: imputation, row, variable, value),
    the trace, the missing-data pattern (MedStat's analyses/results.py)."""

    imputed: pd.DataFrame
    trace: pd.DataFrame
    pattern: pd.DataFrame
    missing: pd.DataFrame
    info: ImputationInfo
    warnings: tuple = ()


IMPUTATIONS = {}  # settings -> result: runs with the same settings share one imputation


def impute_data(df, variables, categorical=(), m=20, iterations=10, seed=20240607):
    """The m imputations of these variables (once per settings), drawn as MedStat draws them."""
    spec = ImputationSpec(tuple(variables), tuple(categorical), m, iterations, seed)
    if spec not in IMPUTATIONS:
        print(f"Imputing {len(variables)} variables: m = {m}, {iterations} iterations, "
              f"seed {seed}.")  # fmt: skip
        IMPUTATIONS[spec] = impute(df, spec)
    return IMPUTATIONS[spec]


@dataclass(frozen=True)
class Table1Spec:
    """What MedStat's pooled Table 1 (analyses/mi_table1.py) reads of the Table 1 tab's spec."""

    variables: tuple
    group: str | None = None
    categorical: tuple = ()


# Table 1's pooled result (MedStat's analyses/results.py; its counts, one row of a table here).
PooledSummaryFit = dict


@dataclass(frozen=True)
class PooledSummary:
    table: pd.DataFrame
    fit: dict
    warnings: tuple = ()


POOLED_SUMMARY_COLUMNS = ("variable", "level", "group", "estimate", "ci_low", "ci_high", "fmi",
                          "n_observed", "cc_estimate")  # fmt: skip


def pooled_table1(df, imputed, variables, group=None, categorical=(), **_):
    """Tables: each variable's mean or each level's percentage, overall and per group, pooled
    over the imputed data sets (Rubin's rules) beside the observed; and its counts."""
    settings = Table1Spec(tuple(variables), group, tuple(categorical))
    pooled = pooled_summary(df, imputed, settings)
    for warning in pooled.warnings:
        print(f"Note: {warning}")
    fit = {k: v for k, v in pooled.fit.items() if not isinstance(v, tuple)}
    return pooled.table, pd.DataFrame([fit])
