"""Choices and defaults of the Correlation controls: pure functions of a Dataset."""

from __future__ import annotations

from modules.shared import column_roles as roles
from utils.dataset import NUMERIC_KINDS, Dataset

DEFAULT_COLUMNS = 8  # a matrix larger than this is unreadable as a first view


def numeric_columns(dataset: Dataset) -> dict[str, str]:
    """Continuous and count columns with their labels."""
    return {n: dataset.label(n) for n, m in dataset.columns.items() if m.kind in NUMERIC_KINDS}


def default_columns(dataset: Dataset) -> list[str]:
    """The first DEFAULT_COLUMNS numeric columns that are not identifiers, site codes or dates
    typed as numbers: a correlation with a patient number is noise that looks like a finding."""
    return roles.without_codes(dataset, numeric_columns(dataset))[:DEFAULT_COLUMNS]
