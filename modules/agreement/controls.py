"""Choices, defaults and the spec of the Agreement tab: pure functions of a Dataset."""

from __future__ import annotations

from collections.abc import Iterable

from analyses.agreement_data import MAX_RATERS
from analyses.errors import AnalysisError
from analyses.specs import AgreementSpec
from utils.dataset import Dataset

LAYOUTS = {
    "wide": "One column per rater",
    "long": "One row per rating (subject, rater, rating columns)",
}
SCALES = {
    "continuous": "Measurements (ICC, Bland–Altman)",
    "ordinal": "Ordered categories coded as numbers (kappa, weighted kappa)",
    "nominal": "Unordered categories (kappa)",
}


def all_columns(dataset: Dataset) -> dict[str, str]:
    """Every column with its label: ratings may be numbers, codes or text."""
    return {n: dataset.label(n) for n in dataset.columns}


def raters_of(dataset: Dataset, layout: str, raters: Iterable[str] | None, rater: str | None):
    """The raters the settings name: the chosen columns (wide) or the rater column's values."""
    if layout == "wide":
        return [c for c in raters or () if c in dataset.columns]
    if not rater or rater not in dataset.columns:
        return []
    # The levels the Dataset already knows: reading the column itself would cost a pass over
    # every row on the event loop at each change of a control (0.25 s at a million rows).
    levels = dataset.meta(rater).levels
    return sorted(levels) if len(levels) <= MAX_RATERS else []


def pair_choices(dataset: Dataset, layout: str, raters, rater) -> dict[str, str]:
    """The raters the Bland–Altman plot can compare (shown when there are more than two)."""
    names = raters_of(dataset, layout, raters, rater)
    if layout == "wide":
        return {c: dataset.label(c) for c in names}
    return {name: name for name in names}


def agreement_spec(
    dataset: Dataset,
    layout: str,
    raters: Iterable[str] | None,
    subject: str | None,
    rater: str | None,
    rating: str | None,
    scale: str,
    first: str | None,
    second: str | None,
) -> AgreementSpec:
    """Validate the controls against the dataset and build the hashable spec."""
    if layout not in LAYOUTS:
        raise AnalysisError("Choose how the ratings are laid out.")
    if scale not in SCALES:
        raise AnalysisError("Choose the kind of ratings.")
    if layout == "wide":
        chosen = tuple(c for c in dict.fromkeys(raters or ()) if c in dataset.columns)
        if len(chosen) < 2:
            raise AnalysisError(
                "Choose two or more rating columns, one per rater (or method of measurement)."
            )
        names: list[str] = list(chosen)
        spec = AgreementSpec("wide", chosen, scale=scale)  # type: ignore[arg-type]
    else:
        roles = (subject, rater, rating)
        if not all(r and r in dataset.columns for r in roles):
            raise AnalysisError("Choose the subject, rater and rating columns.")
        if len(set(roles)) < 3:
            raise AnalysisError("The subject, rater and rating must be three different columns.")
        names = raters_of(dataset, layout, None, rater)
        spec = AgreementSpec("long", (), subject, rater, rating, scale)  # type: ignore[arg-type]
    pair = None
    if scale == "continuous" and first in names and second in names and first != second:
        pair = (first, second)
    return AgreementSpec(**{**spec.__dict__, "pair": pair})
