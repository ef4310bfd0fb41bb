"""Template: columns into model inputs, as MedStat codes them (copied into exported scripts)."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from .data import as_text, natural_key

# --- SCRIPT ---

# Outcome values that read as "the event happened" (compared in lower case).
POSITIVE_LEVELS = {
    "1",
    "yes",
    "y",
    "true",
    "positive",
    "pos",
    "dead",
    "died",
    "death",
    "event",
    "case",
    "present",
    "abnormal",
}


def levels_and_codes(series):
    """Each row's level number (-1 = missing) and the levels in natural order (1 < 2 < 10)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [as_text(u) for u in uniques]
    blank = [i for i, label in enumerate(labels) if label == "" or label.lower() == "nan"]
    levels = sorted(set(labels) - {labels[i] for i in blank}, key=natural_key)
    position = {label: i for i, label in enumerate(levels)}
    lookup = np.array([-1 if i in blank else position[lab] for i, lab in enumerate(labels)] + [-1])
    return lookup[codes], levels


def binary_outcome(series, event):
    """1 (the event), 0 (any other value) or NaN (missing), and the event's label."""
    codes, levels = levels_and_codes(series)
    if event is not None:
        wanted = str(event).strip()
        matches = [i for i, lev in enumerate(levels) if lev == wanted]
        matches = matches or [i for i, lev in enumerate(levels) if lev.lower() == wanted.lower()]
        if not matches:
            sys.exit(f"The event {wanted!r} does not occur in {series.name!r}: {levels}.")
        event_code = matches[0]
    else:
        positive = [i for i, lev in enumerate(levels) if lev.lower() in POSITIVE_LEVELS]
        event_code = positive[0] if positive else 1
    y = np.where(codes < 0, np.nan, (codes == event_code).astype(float))
    return y, levels[event_code]


class Factor:
    """A categorical covariate: level numbers (-1 = missing), the reference level first."""

    def __init__(self, series, reference=None):
        self.name = str(series.name)
        codes, levels = levels_and_codes(series)
        if reference is not None and str(reference).strip() in levels:
            first = levels.index(str(reference).strip())
            order = [first] + [i for i in range(len(levels)) if i != first]
            remap = np.empty(len(levels) + 1, dtype=np.int64)
            remap[np.array(order)] = np.arange(len(levels))
            remap[-1] = -1
            codes, levels = remap[codes], [levels[i] for i in order]
        self.codes, self.levels = codes.astype(np.int64), list(levels)
        self.columns = self.levels[1:]  # one design column per level but the reference

    def present(self):
        return self.codes >= 0

    def design(self, rows):
        """Dummy columns (treatment coding against the reference) of the chosen rows."""
        codes = self.codes[rows]
        return (codes[:, None] == np.arange(1, len(self.levels))[None, :]).astype(float)


class Numeric:
    """A numeric covariate: one design column of its values (NaN = missing)."""

    def __init__(self, series):
        self.name = str(series.name)
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series):
            values = series.to_numpy(dtype=float, na_value=np.nan)
        else:
            text = series.astype("string").str.strip().replace("", pd.NA)
            values = pd.to_numeric(text, errors="raise").to_numpy(dtype=float, na_value=np.nan)
        self.values = np.where(np.isfinite(values), values, np.nan)
        self.columns = [""]

    def present(self):
        return ~np.isnan(self.values)

    def design(self, rows):
        return self.values[rows][:, None]


def independent_columns(X):
    """Design columns kept: each one that adds rank (a redundant one is dropped, as R's NA)."""
    xtx = X.T @ X
    scale = np.sqrt(np.maximum(np.diag(xtx), 1e-300))
    corr = xtx / np.outer(scale, scale)
    keep = []
    for j in range(X.shape[1]):
        if np.linalg.matrix_rank(corr[np.ix_(keep + [j], keep + [j])], tol=1e-9) == len(keep) + 1:
            keep.append(j)
    return keep


def model_design(covs, rows):
    """Intercept + each covariate's columns on the chosen rows, without columns that are all
    zero or redundant: the design X and the kept columns' positions in the full design."""
    X_all = np.hstack([np.ones((int(rows.sum()), 1))] + [cov.design(rows) for cov in covs])
    nonempty = [j for j in range(X_all.shape[1]) if j == 0 or np.any(X_all[:, j] != 0)]
    keep = [nonempty[i] for i in independent_columns(X_all[:, nonempty])]
    return X_all[:, keep], keep


def column_groups(covs, keep):
    """(covariate, its columns in the fitted design without the intercept) for the variance
    inflation factors; `keep`: the full design's columns model_design kept."""
    groups, col = [], 1
    for cov in covs:
        span = range(col, col + len(cov.columns))
        cols = [i - 1 for i, j in enumerate(keep) if j in span]
        if cols:
            groups.append((cov.name, cols))
        col += len(cov.columns)
    return groups


def per_increment(cov, known, effect_scale):
    """What a continuous covariate's estimate is per: 1, 10 units, its SD or its IQR (of its
    values among the patients with a known outcome, `known`; a zero spread: per unit)."""
    values = cov.values[known & cov.present()]
    if effect_scale == "10":
        return 10.0
    if effect_scale == "sd" and len(values) > 1 and np.std(values, ddof=1) > 0:
        return float(np.std(values, ddof=1))
    if effect_scale == "iqr" and len(values):
        q1, q3 = np.percentile(values, [25, 75])
        return float(q3 - q1) if q3 > q1 else 1.0
    return 1.0


Covariate = Factor | Numeric  # what a model takes (in the type hints of the code copied below)


class AnalysisError(ValueError):
    """A problem with the data, in a sentence (raised by the copied MedStat code)."""


def encode_numeric(series):
    """A numeric column as MedStat's copied code reads it."""
    return Numeric(series)


def encode_factor(series, reference):
    """A categorical column coded as MedStat codes it (reference level first), and no notes."""
    return Factor(series, reference), []


def checkpoint(*_):
    """Where MedStat checks its Cancel button during a fit; a script has nothing to check."""


def progress(*_):
    """Where MedStat says how far it is ("Bootstrap 7 of 200"); a script says nothing."""


# The columns of the table of what each continuous estimate is per (MedStat's
# analyses/results.py SCALE_COLUMNS; its analyses/effect_scale.py, copied below, fills it).
SCALE_COLUMNS = ("variable", "scale", "per", "per_text", "n", "sd", "iqr")
