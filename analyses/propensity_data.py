"""The data of a propensity-score analysis: the treatment, the covariates' design and balance
columns, on the complete cases (counted), and the outcome.

Factors are coded against their first level in natural order (R's default for a factor
sorted the same way); the balance table has one row per level of a factor with three or more
levels and one row (its second level) for a binary one, as MatchIt's summary does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.encoding import Factor, encode_factor, encode_numeric, encode_outcome
from analyses.errors import AnalysisError
from analyses.specs import PropensitySpec


@dataclass(frozen=True)
class PropensityData:
    """The analysed rows (complete cases) and what the model and the balance table need."""

    rows: np.ndarray  # positions in the data of the analysed patients
    treated: np.ndarray  # 1.0 treated, 0.0 control
    design: np.ndarray  # intercept first, then one column per number / non-reference level
    terms: tuple[tuple[str, str], ...]  # (variable, level) of each design column; level "" = number
    balance: np.ndarray  # the balance table's columns
    balance_terms: tuple[tuple[str, str], ...]
    binary: np.ndarray  # which balance columns are 0/1 (SD sqrt(p(1-p)), no variance ratio)
    exact: np.ndarray  # stratum code of each row for exact matching (all 0 without)
    treated_level: str
    control_level: str
    n_rows: int
    n_missing: int


def _treatment(series: pd.Series, treated: str | None) -> tuple[np.ndarray, str, str]:
    factor = encode_factor(series, None)[0]
    codes, labels = factor.codes, factor.levels
    if len(labels) != 2:
        shown = ", ".join(f"'{v}'" for v in labels[:6]) + (" ..." if len(labels) > 6 else "")
        raise AnalysisError(
            f"The treatment '{series.name}' must have exactly two values (treated and "
            f"control); it has {len(labels)}: {shown}. Choose a yes/no column, or make one "
            "on the Data cleaning tab."
        )
    pick = 1 if treated is None else (labels.index(treated) if treated in labels else -1)
    if pick < 0:
        raise AnalysisError(f"'{treated}' is not a value of the treatment '{series.name}'.")
    values = np.where(codes < 0, np.nan, (codes == pick).astype(float))
    return values, labels[pick], labels[1 - pick]


def prepare(df: pd.DataFrame, spec: PropensitySpec) -> PropensityData:
    """Encode the spec's columns and keep the complete cases (treatment and covariates)."""
    if not spec.treatment or spec.treatment not in df.columns:
        raise AnalysisError("Choose the treatment column (two values: treated and control).")
    covariates = [c for c in dict.fromkeys(spec.covariates) if c != spec.treatment]
    missing = [c for c in covariates + list(spec.exact) if c not in df.columns]
    if missing:
        raise AnalysisError(f"The column '{missing[0]}' is not in the data.")
    if not covariates:
        raise AnalysisError("Choose at least one covariate for the propensity model.")
    treated, treated_level, control_level = _treatment(df[spec.treatment], spec.treated)
    factors: dict[str, Factor] = {}
    numbers: dict[str, np.ndarray] = {}
    present = ~np.isnan(treated)
    for name in covariates:
        if name in spec.categorical:
            factors[name] = encode_factor(df[name], None)[0]
            ok = factors[name].present()
        else:
            numbers[name] = encode_numeric(df[name]).values
            ok = ~np.isnan(numbers[name])
        if not ok.any():
            raise AnalysisError(
                f"The covariate '{name}' is missing for every patient. Leave it out of the "
                "propensity model."
            )
        present &= ok
    exact_codes = np.zeros(len(df), dtype=np.int64)
    if spec.exact:
        frame = df[list(spec.exact)].astype("string")
        present &= frame.notna().all(axis=1).to_numpy()
        exact_codes = frame.fillna("").agg("\x1f".join, axis=1).factorize()[0]
    rows = np.flatnonzero(present)
    t = treated[rows]
    if t.sum() < 2 or (1 - t).sum() < 2:
        few = treated_level if t.sum() < 2 else control_level
        raise AnalysisError(
            f"Only {int(min(t.sum(), (1 - t).sum()))} patients with '{spec.treatment}' = "
            f"'{few}' have every covariate: too few to estimate a propensity score. Check the "
            "treatment column or choose covariates with fewer missing values."
        )
    design, terms, balance, balance_terms, binary = [np.ones(len(rows))], [], [], [], []
    for name in covariates:
        if name in factors:
            f = factors[name]
            codes = f.codes[rows]
            seen = [i for i, _ in enumerate(f.levels) if (codes == i).any()]
            for i in seen[1:]:
                design.append((codes == i).astype(float))
                terms.append((name, f.levels[i]))
            shown = seen[1:] if len(seen) == 2 else seen
            for i in shown:
                balance.append((codes == i).astype(float))
                balance_terms.append((name, f.levels[i]))
                binary.append(True)
        else:
            x = numbers[name][rows]
            design.append(x)
            terms.append((name, ""))
            balance.append(x)
            balance_terms.append((name, ""))
            binary.append(bool(np.isin(x, (0.0, 1.0)).all()))
    return PropensityData(
        rows=rows, treated=t, design=np.column_stack(design), terms=tuple(terms),
        balance=np.column_stack(balance), balance_terms=tuple(balance_terms),
        binary=np.array(binary), exact=exact_codes[rows], treated_level=treated_level,
        control_level=control_level, n_rows=len(df), n_missing=len(df) - len(rows),
    )  # fmt: skip


def outcome_values(
    df: pd.DataFrame, spec: PropensitySpec, rows: np.ndarray
) -> tuple[np.ndarray, str | None]:
    """The outcome of the analysed rows (NaN missing): 1/0 for binary or survival (and the
    event level), numbers for continuous."""
    series = df[spec.outcome].iloc[rows].reset_index(drop=True)
    if spec.outcome_type in ("binary", "survival"):
        y, event, _ = encode_outcome(series.rename(spec.outcome), spec.event)
        return y, event
    return encode_numeric(series.rename(spec.outcome)).values, None
