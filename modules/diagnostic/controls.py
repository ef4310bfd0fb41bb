"""Choices, defaults and the validated spec for the diagnostic accuracy controls.

Pure functions of a Dataset and the current selections, so the server only wires them.
"""

from __future__ import annotations

import math

from analyses.specs import DiagnosticSpec
from modules.shared.column_roles import default_event, default_outcome, outcome_choices
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

DIRECTIONS = {
    "auto": "Automatic (the group with the higher median is diseased, as pROC)",
    "higher": "Higher values mean the condition",
    "lower": "Lower values mean the condition",
}
CUTOFF_MODES = {"youden": "Youden's optimum (best sensitivity + specificity)", "chosen": "My own"}
CI_METHODS = {"exact": "Exact (Clopper–Pearson)", "wilson": "Wilson"}

__all__ = ["default_event", "default_outcome"]


@per_dataset
def reference_choices(dataset: Dataset) -> dict[str, str]:
    """Columns that can be the reference standard (binary, or categorical with a level chosen)."""
    return outcome_choices(dataset)


@per_dataset
def marker_choices(dataset: Dataset, reference: str | None) -> dict[str, str]:
    """Numeric columns that can be a continuous marker."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if name != reference and meta.kind in NUMERIC_KINDS
    }


@per_dataset
def binary_test_choices(dataset: Dataset, reference: str | None) -> dict[str, str]:
    """Yes/no or categorical columns that can be a binary test."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if name != reference and meta.kind in FACTOR_KINDS and len(meta.levels) >= 2
    }


def _finite(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def diagnostic_spec(
    dataset: Dataset,
    reference: str | None,
    positive: str | None,
    markers: list[str] | tuple[str, ...],
    binary_tests: dict[str, str],
    *,
    direction: str = "auto",
    cutoffs: dict[str, object] | None = None,
    ci_method: str = "exact",
) -> DiagnosticSpec:
    """Validate the controls against the dataset and build the hashable spec.

    Raises ValueError with a sentence for the user.
    """
    if not reference or reference not in dataset.columns:
        raise ValueError("Choose the reference standard (a yes/no column) first.")
    allowed_markers = marker_choices(dataset, reference)
    allowed_tests = binary_test_choices(dataset, reference)
    chosen_markers = [m for m in dict.fromkeys(markers) if m in allowed_markers]
    chosen_tests = {t: lvl for t, lvl in binary_tests.items() if t in allowed_tests and lvl}
    if not chosen_markers and not chosen_tests:
        raise ValueError("Choose at least one marker or binary test to evaluate.")
    if direction not in DIRECTIONS:
        raise ValueError("Choose how the marker reads: automatic, higher or lower.")
    if ci_method not in CI_METHODS:
        raise ValueError("Choose exact or Wilson confidence intervals.")
    levels = dataset.meta(reference).levels
    if positive not in levels:
        positive = None
    cuts = tuple(
        (m, number)
        for m in chosen_markers
        if (number := _finite((cutoffs or {}).get(m))) is not None
    )
    return DiagnosticSpec(
        reference=reference,
        positive=positive,
        markers=tuple(chosen_markers),
        binary_tests=tuple(chosen_tests.items()),
        direction=direction,  # type: ignore[arg-type]
        cutoffs=cuts,
        ci_method=ci_method,  # type: ignore[arg-type]
    )
