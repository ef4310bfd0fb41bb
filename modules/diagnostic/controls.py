"""Choices, defaults and the validated spec for the diagnostic accuracy controls.

Pure functions of a Dataset and the current selections, so the server only wires them.
"""

from __future__ import annotations

import math

import xxhash
from shiny import ui

from analyses.specs import DiagnosticSpec
from modules.outcome.controls import default_event, default_outcome, outcome_choices
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

DIRECTIONS = {
    "auto": "Automatic (the group with the higher median is diseased, as pROC)",
    "higher": "Higher values mean the condition",
    "lower": "Lower values mean the condition",
}
CUTOFF_MODES = {"youden": "Youden's optimum (best sensitivity + specificity)", "chosen": "My own"}
CI_METHODS = {"exact": "Exact (Clopper–Pearson)", "wilson": "Wilson"}

__all__ = ["default_event", "default_outcome"]


def reference_choices(dataset: Dataset) -> dict[str, str]:
    """Columns that can be the reference standard (binary, or categorical with a level chosen)."""
    return outcome_choices(dataset)


def marker_choices(dataset: Dataset, reference: str | None) -> dict[str, str]:
    """Numeric columns that can be a continuous marker."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if name != reference and meta.kind in NUMERIC_KINDS
    }


def binary_test_choices(dataset: Dataset, reference: str | None) -> dict[str, str]:
    """Yes/no or categorical columns that can be a binary test."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if name != reference and meta.kind in FACTOR_KINDS and len(meta.levels) >= 2
    }


def input_id(prefix: str, column: str) -> str:
    """A valid, stable input id for a per-column control, whatever the column name holds."""
    return f"{prefix}_{xxhash.xxh3_64_hexdigest(column.encode())}"


def level_controls(dataset: Dataset, tests: list[str], previous: dict[str, str]) -> ui.Tag | None:
    """One select per binary test: which of its levels is a positive test."""
    if not tests:
        return None
    selects = []
    for name in tests:
        levels = list(dataset.meta(name).levels)
        chosen = previous.get(name)
        selects.append(
            ui.input_select(
                input_id("level", name),
                f"{dataset.label(name)}: positive test",
                choices=levels,
                selected=chosen if chosen in levels else default_event(levels),
                width="100%",
            )
        )
    return ui.div(*selects, id="diagnostic-test-levels")


def cutoff_controls(dataset: Dataset, markers: list[str], previous: dict[str, object]) -> ui.Tag:
    """One number per marker; an empty box means Youden's optimum for that marker."""
    if not markers:
        return ui.p("Choose markers first.", class_="small text-muted")
    boxes = [
        ui.input_numeric(
            input_id("cut", name),
            dataset.label(name),
            value=previous.get(name),  # type: ignore[arg-type]
            width="100%",
        )
        for name in markers
    ]
    return ui.div(*boxes, id="diagnostic-cutoffs")


def keep_valid(selected: object, allowed: dict[str, str] | list[str]) -> list[str]:
    """The previous selection restricted to what is still allowed."""
    if not selected:
        return []
    values = [selected] if isinstance(selected, str) else list(selected)  # type: ignore[arg-type]
    return [v for v in values if v in allowed]


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
