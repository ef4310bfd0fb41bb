"""Choices, defaults and the spec of the Correlation tab: pure functions of a Dataset."""

from __future__ import annotations

from collections.abc import Iterable

from analyses.errors import AnalysisError
from analyses.specs import CorrelationSpec
from modules.shared import column_roles as roles
from utils.dataset import NUMERIC_KINDS, Dataset

METHODS = {"pearson": "Pearson (linear)", "spearman": "Spearman (rank, robust to outliers)"}
ADJUSTMENTS = {
    "none": "None",
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini–Hochberg (FDR)",
}
DEFAULT_COLUMNS = 8  # a matrix larger than this is unreadable as a first view


def numeric_columns(dataset: Dataset) -> dict[str, str]:
    """Continuous and count columns with their labels."""
    return {n: m.label for n, m in dataset.columns.items() if m.kind in NUMERIC_KINDS}


def default_columns(dataset: Dataset, choices: Iterable[str]) -> list[str]:
    """The first DEFAULT_COLUMNS of the choices that are not identifiers, site codes or dates
    typed as numbers: a matrix that still reads on a screen, and no correlation with a patient
    number, which is noise that looks like a finding."""
    return roles.without_codes(dataset, roles.scanned(choices))[:DEFAULT_COLUMNS]


def pair_choices(dataset: Dataset, columns: Iterable[str] | None) -> dict[str, str]:
    """The chosen columns, which the scatter plot can show (none until two are chosen)."""
    chosen = [c for c in columns or () if c in dataset.columns]
    return {c: dataset.label(c) for c in chosen} if len(chosen) >= 2 else {}


def correlation_spec(
    dataset: Dataset,
    columns: Iterable[str],
    method: str,
    adjust: str,
    pair_x: str | None,
    pair_y: str | None,
) -> CorrelationSpec:
    """Validate the controls against the dataset and build the hashable spec."""
    chosen = tuple(c for c in dict.fromkeys(columns) if c in numeric_columns(dataset))
    if len(chosen) < 2:
        raise AnalysisError("Choose at least two numeric columns.")
    if method not in METHODS:
        raise AnalysisError("Choose Pearson or Spearman.")
    if adjust not in ADJUSTMENTS:
        raise AnalysisError("Choose a multiple-testing correction (or none).")
    pair = (pair_x, pair_y) if pair_x in chosen and pair_y in chosen and pair_x != pair_y else None
    return CorrelationSpec(chosen, method, adjust, pair)  # type: ignore[arg-type]
