"""Turn user columns into a diagnostic analysis' inputs: the reference standard and the tests."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.encoding import POSITIVE_LEVELS, encode_numeric, level_label, natural_key
from analyses.errors import AnalysisError

# A reference or binary test with more levels than this is almost surely not one.
MAX_LEVELS = 50


def _codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 = missing) into naturally sorted labels; blanks count as missing."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    labels = [level_label(u) for u in uniques]
    kept = sorted({lab for lab in labels if lab and lab.lower() != "nan"}, key=natural_key)
    position = {lab: i for i, lab in enumerate(kept)}
    lookup = np.array([position.get(lab, -1) for lab in labels] + [-1])
    return lookup[codes], kept


def _find(labels: list[str], wanted: str) -> int | None:
    """Index of a level, matched exactly and then ignoring case."""
    wanted = str(wanted).strip()
    for same in (lambda a: a == wanted, lambda a: a.lower() == wanted.lower()):
        hits = [i for i, lab in enumerate(labels) if same(lab)]
        if hits:
            return hits[0]
    return None


@dataclass(frozen=True)
class Reference:
    """The reference standard as 1.0 (condition present) / 0.0 / NaN, with its labels."""

    y: np.ndarray
    positive: str
    negative: str
    notes: list[str]


def encode_reference(series: pd.Series, positive: str | None) -> Reference:
    """Code the reference standard; the positive level is chosen, or guessed for two levels."""
    name = series.name
    codes, labels = _codes(series)
    if len(labels) < 2:
        seen = f" (every value is '{labels[0]}')" if labels else ""
        raise AnalysisError(
            f"The reference standard '{name}' has only one value{seen}. It needs patients "
            "with and without the condition."
        )
    if len(labels) > MAX_LEVELS:
        raise AnalysisError(
            f"The reference standard '{name}' has {len(labels)} different values. Choose a "
            "yes/no column, or recode it into two groups on the Data tab."
        )
    shown = ", ".join(f"'{lab}'" for lab in labels[:10])
    notes: list[str] = []
    if positive is not None:
        code = _find(labels, positive)
        if code is None:
            raise AnalysisError(
                f"'{str(positive).strip()}' does not occur in the reference standard "
                f"'{name}'. Its values are: {shown}. Pick one as the condition present."
            )
    elif len(labels) > 2:
        raise AnalysisError(
            f"The reference standard '{name}' has {len(labels)} values ({shown}). Choose "
            "which one means the condition is present."
        )
    else:
        guessed = [i for i, lab in enumerate(labels) if lab.lower() in POSITIVE_LEVELS]
        code = guessed[0] if guessed else 1
    others = [lab for i, lab in enumerate(labels) if i != code]
    if len(others) > 1:
        notes.append(
            f"The reference standard '{name}' has {len(labels)} values; '{labels[code]}' was "
            f"compared with all the others together ({', '.join(others)})."
        )
    y = np.where(codes < 0, np.nan, (codes == code).astype(float))
    negative = others[0] if len(others) == 1 else f"not {labels[code]}"
    return Reference(y, labels[code], negative, notes)


def encode_binary_test(series: pd.Series, level: str) -> np.ndarray:
    """A binary test as 1.0 (the level read as positive) / 0.0 (any other) / NaN (missing)."""
    codes, labels = _codes(series)
    code = _find(labels, level)
    if code is None:
        shown = ", ".join(f"'{lab}'" for lab in labels[:10])
        raise AnalysisError(
            f"'{str(level).strip()}' does not occur in the test '{series.name}'. Its values "
            f"are: {shown}. Pick the one that means a positive test."
        )
    return np.where(codes < 0, np.nan, (codes == code).astype(float))


def numeric_marker(series: pd.Series) -> np.ndarray:
    """A marker's values as float with NaN for missing (text that is not a number is an error)."""
    return encode_numeric(series).values
