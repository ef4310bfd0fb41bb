"""Turn user columns into model inputs: the binary outcome, factors with a reference, numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.errors import AnalysisError

# Outcome levels that read as "the event happened" (compared lower-cased).
POSITIVE_LEVELS = frozenset(
    {
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
)
# A factor with more levels than this is almost always an identifier or free text.
MAX_FACTOR_LEVELS = 50
_DIGITS = re.compile(r"(\d+)")


def level_label(value: object) -> str:
    """The text shown for one value: 1.0 -> "1", True -> "True", "a " -> "a"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def natural_key(label: str) -> tuple:
    """Sort key: numbers numerically first, then text with embedded numbers in number order."""
    try:
        return (0, float(label), ())
    except ValueError:
        parts = tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p.lower()) for p in _DIGITS.split(label) if p
        )
        return (1, 0.0, parts)


@dataclass(frozen=True)
class Factor:
    """Integer codes (-1 = missing) into `levels`; the reference level is levels[0]."""

    name: str
    codes: np.ndarray
    levels: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        """Non-reference levels, one design column each."""
        return self.levels[1:]

    def present(self) -> np.ndarray:
        """Rows with a value."""
        return self.codes >= 0

    def design(self, rows: np.ndarray) -> np.ndarray:
        """Dummy columns (treatment coding against the reference) for the selected rows."""
        codes = self.codes[rows]
        return (codes[:, None] == np.arange(1, len(self.levels))[None, :]).astype(float)


@dataclass(frozen=True)
class Numeric:
    """A numeric covariate as float with NaN for missing."""

    name: str
    values: np.ndarray

    @property
    def columns(self) -> tuple[str, ...]:
        """One design column, labelled "" in the tables."""
        return ("",)

    def present(self) -> np.ndarray:
        """Rows with a value."""
        return ~np.isnan(self.values)

    def design(self, rows: np.ndarray) -> np.ndarray:
        """The values of the selected rows as one column."""
        return self.values[rows][:, None]


Covariate = Factor | Numeric


def _factorize(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes and labels of a column; blank strings count as missing; equal labels merge."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [level_label(u) for u in uniques]
    blank = [i for i, lab in enumerate(labels) if lab == "" or lab.lower() == "nan"]
    merged = sorted(set(labels) - {labels[i] for i in blank}, key=natural_key)
    position = {lab: i for i, lab in enumerate(merged)}
    lookup = np.array([-1 if i in blank else position[lab] for i, lab in enumerate(labels)] + [-1])
    return lookup[codes], merged


def encode_outcome(series: pd.Series, event: str | None) -> tuple[np.ndarray, str, list[str]]:
    """y as 1.0 (event) / 0.0 / NaN (missing), the event label, and warnings to show."""
    name = series.name
    codes, labels = _factorize(series)
    warnings: list[str] = []
    if len(labels) < 2:
        seen = f" (every value is '{labels[0]}')" if labels else ""
        raise AnalysisError(
            f"The outcome '{name}' has only one value{seen}. Choose an outcome that has both "
            "patients with and without the event."
        )
    if event is not None:
        wanted = str(event).strip()
        matches = [i for i, lab in enumerate(labels) if lab == wanted]
        matches = matches or [i for i, lab in enumerate(labels) if lab.lower() == wanted.lower()]
        if not matches:
            shown = ", ".join(f"'{lab}'" for lab in labels[:10])
            raise AnalysisError(
                f"The event '{wanted}' does not occur in the outcome '{name}'. "
                f"Its values are: {shown}. Pick one of them as the event."
            )
        event_code = matches[0]
        if len(labels) > 2:
            others = ", ".join(f"'{lab}'" for i, lab in enumerate(labels) if i != event_code)
            warnings.append(
                f"The outcome '{name}' has {len(labels)} values; '{labels[event_code]}' was "
                f"analysed against all the others together ({others})."
            )
    elif len(labels) > 2:
        shown = ", ".join(f"'{lab}'" for lab in labels[:10])
        raise AnalysisError(
            f"The outcome '{name}' has {len(labels)} different values ({shown}); logistic "
            "regression needs two. Choose which value is the event, or recode the outcome "
            "into two groups on the Data tab."
        )
    else:
        positive = [i for i, lab in enumerate(labels) if lab.lower() in POSITIVE_LEVELS]
        event_code = positive[0] if positive else 1
    y = np.where(codes < 0, np.nan, (codes == event_code).astype(float))
    return y, labels[event_code], warnings


def encode_factor(series: pd.Series, reference: str | None) -> tuple[Factor, list[str]]:
    """A factor with its reference level first: the chosen one, else the first in natural order."""
    name = str(series.name)
    codes, labels = _factorize(series)
    if len(labels) > MAX_FACTOR_LEVELS:
        raise AnalysisError(
            f"'{name}' has {len(labels)} categories, too many for a categorical covariate. "
            "Group its values into fewer categories, or treat it as a number."
        )
    warnings: list[str] = []
    ref = 0
    if reference is not None:
        wanted = str(reference).strip()
        if wanted in labels:
            ref = labels.index(wanted)
        else:
            warnings.append(
                f"The reference level '{wanted}' does not occur in '{name}'; "
                f"'{labels[0] if labels else ''}' was used instead."
            )
    if ref:
        order = [ref] + [i for i in range(len(labels)) if i != ref]
        remap = np.empty(len(labels) + 1, dtype=np.int64)
        remap[np.array(order)] = np.arange(len(labels))
        remap[-1] = -1
        codes = remap[codes]
        labels = [labels[i] for i in order]
    return Factor(name, codes.astype(np.int64), tuple(labels)), warnings


def encode_numeric(series: pd.Series) -> Numeric:
    """Numbers as float; text that is not a number is an error naming the column."""
    name = str(series.name)
    if pd.api.types.is_bool_dtype(series.dtype):
        return Numeric(name, series.to_numpy(dtype=float, na_value=np.nan))
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = series.astype("string").str.strip()
        numbers = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
        bad = numbers.isna() & text.notna() & (text != "")
        if bad.any():
            example = text[bad].iloc[0]
            raise AnalysisError(
                f"'{name}' is not numeric (for example '{example}'). Mark it as categorical, "
                "or fix those values on the Data tab."
            )
        values = numbers.to_numpy(dtype=float, na_value=np.nan)
    values = np.where(np.isfinite(values), values, np.nan)
    return Numeric(name, values)
