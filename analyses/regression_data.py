"""Model inputs of a regression: the numeric or count outcome, the exposure, the covariates."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analyses.encoding import Covariate, Factor, encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.multivariable import _independent_columns, build_design
from analyses.specs import RegressionSpec


def encode_outcome(series: pd.Series, family: str) -> tuple[np.ndarray, list[str]]:
    """y as float with NaN for missing; count models need whole numbers of 0 or more."""
    name = str(series.name)
    try:
        y = encode_numeric(series).values
    except AnalysisError:
        raise AnalysisError(
            f"The outcome '{name}' is not numeric. Linear and count regression need a number "
            "(for a yes/no outcome use the Outcome analysis tab)."
        ) from None
    known = y[~np.isnan(y)]
    if len(known) == 0:
        raise AnalysisError(f"The outcome '{name}' has no values.")
    distinct = len(np.unique(known))
    notes: list[str] = []
    if family == "linear":
        if distinct <= 2:
            raise AnalysisError(
                f"The outcome '{name}' has only {distinct} different value(s); linear regression "
                "needs a continuous outcome. For a yes/no outcome use the Outcome analysis tab."
            )
        return y, notes
    if np.any(known < 0) or np.any(known != np.round(known)):
        bad = known[(known < 0) | (known != np.round(known))][0]
        raise AnalysisError(
            f"The outcome '{name}' is not a count (for example {bad:g}): Poisson and negative "
            "binomial regression need whole numbers of 0 or more. Use linear regression instead."
        )
    if known.max() == 0:
        raise AnalysisError(f"Every value of the outcome '{name}' is 0; there is nothing to model.")
    return y, notes


def encode_exposure(df: pd.DataFrame, name: str | None, n: int) -> tuple[np.ndarray, list[str]]:
    """log(exposure) as the offset (NaN where missing or not positive); zeros without one."""
    if not name:
        return np.zeros(n), []
    values = encode_numeric(df[name]).values
    bad = ~np.isnan(values) & (values <= 0)
    notes = []
    if bad.any():
        notes.append(
            f"{int(bad.sum())} patients with an exposure ('{name}') of 0 or less were left out: "
            "a rate needs a positive time or population at risk."
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        offset = np.where(bad | np.isnan(values), np.nan, np.log(values))
    return offset, notes


def encode_covariates(
    df: pd.DataFrame, spec: RegressionSpec, known: np.ndarray
) -> tuple[list[Covariate], list[str]]:
    """Encoded covariates in spec order, minus constant or empty ones (named in the notes)."""
    refs = dict(spec.reference)
    covs: list[Covariate] = []
    notes: list[str] = []
    empty, constant = [], []
    skip = {spec.outcome, spec.exposure}
    for name in dict.fromkeys(spec.covariates):
        if name in skip:
            continue
        if name in spec.categorical:
            cov, msgs = encode_factor(df[name], refs.get(name))
            notes += msgs
            n_values = len(np.unique(cov.codes[known & cov.present()]))
        else:
            cov = encode_numeric(df[name])
            values = cov.values[known & cov.present()]
            n_values = 0 if len(values) == 0 else (1 if np.ptp(values) == 0 else 2)
        if n_values == 0:
            empty.append(name)
        elif n_values == 1:
            constant.append(name)
        else:
            covs.append(cov)
    if empty:
        notes.append(f"Left out because they have no values: {', '.join(empty)}.")
    if constant:
        notes.append(
            f"Left out because they have the same value for every patient: {', '.join(constant)}."
        )
    return covs, notes


def complete_rows(covs: Sequence[Covariate], known: np.ndarray) -> np.ndarray:
    """Rows with the outcome, the exposure and every covariate present."""
    rows = known.copy()
    for cov in covs:
        rows &= cov.present()
    return rows


def model_design(covs: Sequence[Covariate], rows: np.ndarray):
    """Intercept + covariate columns on `rows`, without empty or aliased columns.

    Returns X, the kept column positions in the full design, each kept column's owner, and the
    "variable level" names of the empty and of the aliased columns.
    """
    X_all, owner_all, label_all = build_design(list(covs), rows)
    nonempty = [j for j in range(X_all.shape[1]) if j == 0 or np.any(X_all[:, j] != 0)]
    empty = [f"{owner_all[j]} {label_all[j]}".strip() for j in range(X_all.shape[1])]
    empty = [empty[j] for j in range(X_all.shape[1]) if j not in nonempty]
    keep = [nonempty[i] for i in _independent_columns(X_all[:, nonempty])]
    aliased = [f"{owner_all[j]} {label_all[j]}".strip() for j in nonempty if j not in keep]
    return X_all[:, keep], keep, [owner_all[j] for j in keep], empty, aliased


def level_counts(cov: Covariate, rows: np.ndarray) -> np.ndarray:
    """Patients per level (factor) or with a value (number) among `rows`."""
    if isinstance(cov, Factor):
        return np.bincount(cov.codes[rows], minlength=len(cov.levels))
    return np.array([int(rows.sum())])
