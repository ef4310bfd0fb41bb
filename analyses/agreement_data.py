"""The ratings as one table of subjects x raters, and as numbers or categories.

A long layout (one row per rating) is pivoted; subjects with a missing rating are left out
and counted (complete cases); data that cannot support agreement is refused with a sentence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.encoding import level_label
from analyses.errors import AnalysisError
from analyses.specs import AgreementSpec

MAX_RATERS = 50  # more "raters" than this is a table of items, not a panel of raters
MAX_CATEGORIES = 30  # more categories than this are measurements: choose the ICC


def _quoted(names) -> str:
    return ", ".join(f"'{n}'" for n in names)


def _require(df: pd.DataFrame, names) -> None:
    missing = [n for n in names if n not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {_quoted(missing)}.")


def _long_to_wide(df: pd.DataFrame, spec: AgreementSpec) -> tuple[pd.DataFrame, int]:
    """Subjects x raters from one row per rating; and the rows left out for a missing cell."""
    names = (spec.subject, spec.rater, spec.rating)
    if not all(names):
        raise AnalysisError("Choose the subject, rater and rating columns of the long layout.")
    if len(set(names)) < 3:
        raise AnalysisError("The subject, rater and rating columns must be three different ones.")
    _require(df, names)
    part = df[list(names)]
    known = part.notna().all(axis=1)
    dropped_rows = int((~known).sum())
    part = part[known]
    # Subjects are grouped by their raw values; only the few raters need a label (vectorised:
    # one level_label call per distinct value, not per row).
    rater = _labelled(part[spec.rater])
    twice = pd.DataFrame({"s": part[spec.subject], "r": rater}).duplicated(keep=False)
    if twice.any():
        first = twice.idxmax()
        raise AnalysisError(
            f"Subject '{level_label(part[spec.subject][first])}' has more than one rating from "
            f"rater '{rater[first]}'. Each rater rates each subject once: remove the repeats or "
            "keep one visit."
        )
    wide = pd.DataFrame({"s": part[spec.subject], "r": rater, "v": part[spec.rating]}).pivot(
        index="s", columns="r", values="v"
    )
    wide.columns = [str(c) for c in wide.columns]
    return wide, dropped_rows


def _labelled(column: pd.Series) -> pd.Series:
    """The column's values as the text shown for them, one conversion per distinct value."""
    return column.map({v: level_label(v) for v in pd.unique(column)})


def rating_table(df: pd.DataFrame, spec: AgreementSpec) -> tuple[pd.DataFrame, int, list[str]]:
    """The subjects x raters table of complete cases, subjects dropped, and notes about them."""
    notes = []
    if spec.layout == "long":
        wide, dropped_rows = _long_to_wide(df, spec)
        if dropped_rows:
            notes.append(
                f"{dropped_rows} rows with a missing subject, rater or rating were left out."
            )
    else:
        raters = list(dict.fromkeys(spec.raters))
        _require(df, raters)
        wide = df[raters]
    if wide.shape[1] < 2:
        only = f" (only {_quoted(wide.columns)})" if wide.shape[1] else ""
        raise AnalysisError(
            f"Agreement needs at least two raters{only}: choose one rating column per rater, "
            "or, in the long layout, a rater column with two or more raters."
        )
    if wide.shape[1] > MAX_RATERS:
        raise AnalysisError(
            f"{wide.shape[1]} raters were found; at most {MAX_RATERS} can be compared. "
            "Is the rater column really the rater (not the subject)?"
        )
    complete = wide.notna().all(axis=1)
    dropped = int((~complete).sum())
    wide = wide[complete]
    if dropped:
        notes.append(
            f"{dropped} of {dropped + len(wide)} subjects were left out because at least one "
            "rater's rating is missing (only subjects rated by every rater are compared)."
        )
    if len(wide) < 2:
        raise AnalysisError(
            f"Only {len(wide)} subject{'s' if len(wide) != 1 else ''} rated by every rater: "
            "agreement needs at least 2. Fill in the missing ratings or choose other raters."
        )
    values = pd.unique(wide.to_numpy().ravel())
    if len(values) < 2:
        raise AnalysisError(
            f"Every rating is the same ({level_label(values[0])}): agreement cannot be measured "
            "when the ratings never vary. Check that the right columns were chosen."
        )
    return wide, dropped, notes


def numbers(wide: pd.DataFrame, why: str, layout: str = "wide") -> np.ndarray:
    """The table as floats, or a sentence naming a rater whose ratings hold text."""
    out = np.empty(wide.shape, dtype=float)
    for j, column in enumerate(wide.columns):
        values = pd.to_numeric(wide[column], errors="coerce")
        text = wide[column][values.isna()]
        if len(text):
            raise AnalysisError(
                f"{why} need numeric ratings, but {_whose(column, layout)} hold text such as "
                f"'{level_label(text.iloc[0])}'. Choose categories (kappa) for such ratings, "
                "or recode them as numbers on the Data cleaning tab."
            )
        out[:, j] = values.to_numpy(dtype=float)
    return out


def categories(
    wide: pd.DataFrame, ordinal: bool, layout: str = "wide"
) -> tuple[np.ndarray, list[str]]:
    """Each rating as a category index, and the categories in order (numeric order if ordinal)."""
    if ordinal:
        values = numbers(wide, "Weighted kappa and ordered categories", layout)
        levels = np.unique(values)
        codes = np.searchsorted(levels, values)
        names = [level_label(v) for v in levels]
    else:
        values = pd.unique(wide.to_numpy().ravel())
        text = {v: level_label(v) for v in values}  # 1 and "1" are one category
        names = sorted(set(text.values()), key=_natural)
        index = {name: i for i, name in enumerate(names)}
        code = {v: index[t] for v, t in text.items()}
        codes = np.column_stack([wide[c].map(code).to_numpy() for c in wide.columns])
    if len(names) > MAX_CATEGORIES:
        raise AnalysisError(
            f"The ratings take {len(names)} different values: kappa is for a few categories. "
            "For measurements choose 'Measurements' (ICC and Bland–Altman)."
        )
    return np.asarray(codes, dtype=int), names


def _natural(text: str) -> tuple:
    try:
        return (0, float(text), "")
    except ValueError:
        return (1, 0.0, text.casefold())


def _whose(column: str, layout: str) -> str:
    return f"rater '{column}''s ratings" if layout == "long" else f"the ratings in '{column}'"
