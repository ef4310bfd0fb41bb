"""What is missing: the share missing per variable and the patterns of missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd

# Columns of the `missing` table, one row per variable.
MISSING_COLUMNS = ("variable", "n_missing", "percent", "method")


def missing_table(df: pd.DataFrame, variables: list[str], methods: dict[str, str]) -> pd.DataFrame:
    """Missing values per variable (count, percent) and how each will be imputed."""
    n = max(len(df), 1)
    counts = [int(df[v].isna().sum()) for v in variables]
    return pd.DataFrame(
        {
            "variable": variables,
            "n_missing": counts,
            "percent": [100.0 * c / n for c in counts],
            "method": [methods.get(v, "") for v in variables],
        },
        columns=list(MISSING_COLUMNS),
    )


def missing_pattern(df: pd.DataFrame, variables: list[str]) -> pd.DataFrame:
    """One row per pattern of missing values (as mice's md.pattern): a column per variable,
    1 observed and 0 missing, then `n` (patients with the pattern) and `n_missing` (variables
    missing in it); the most common pattern first."""
    observed = df[variables].notna().to_numpy().astype(np.int8)
    if len(observed) == 0:
        return pd.DataFrame(columns=[*variables, "n", "n_missing"])
    patterns, counts = np.unique(observed, axis=0, return_counts=True)
    table = pd.DataFrame(patterns, columns=variables)
    table["n"] = counts
    table["n_missing"] = len(variables) - patterns.sum(axis=1)
    return table.sort_values(["n", "n_missing"], ascending=[False, True]).reset_index(drop=True)
