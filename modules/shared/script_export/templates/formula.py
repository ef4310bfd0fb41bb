"""Template: new columns from a formula, redone by MedStat's own formula language (copied at
the end of exported scripts that have such a step)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from prep.expressions import evaluate

from .data import number_of

# --- SCRIPT ---


def days_or_numbers(column):
    """A column as numbers; dates as days since 1970-01-01 (so a difference is in days)."""
    if pd.api.types.is_datetime64_any_dtype(column):
        epoch = pd.Timestamp("1970-01-01")
        return ((column - epoch) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    return number_of(column).to_numpy(dtype=float, na_value=np.nan)


def formula_values(df, formula):
    """A new column from a formula, computed by MedStat's own small formula language (copied
    at the end of the script): only column names, numbers, + - * / ^, brackets and the
    functions log, log2, log10, sqrt, exp, abs, round; what is not a finite number is missing."""
    values, _ = evaluate(formula, list(df.columns), lambda c: days_or_numbers(df[c]), len(df))
    return values
