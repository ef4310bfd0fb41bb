"""The cleaning steps applied in order, with the flow of rows and the steps that could not run;
and a new step proposed: built from what the user typed, checked, and previewed on the data.

A step is a frozen dataclass with apply(dataset) -> Dataset, describe(), map_rows() and
as_json() (the recode map). Steps from the label-matching engine (label merges, codebooks)
are applied by the function the caller passes: prep does not import matching/.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from prep.combine import combine_step
from prep.cut import cut_step
from prep.filters import RowFilter, checked_filter
from prep.flow import Flow, FlowStep
from prep.formula import formula_step
from prep.preview import Preview, preview
from prep.transforms import transform_step
from prep.value_labels import value_labels_step
from utils.data_error import DataError
from utils.dataset import Dataset

log = logging.getLogger(__name__)

# What the user can make -> the builder that checks it against the data.
BUILDERS: dict[str, Callable[..., Any]] = {
    "value_labels": value_labels_step,
    "transform": transform_step,
    "cut": cut_step,
    "combine": combine_step,
    "formula": formula_step,
    "filter": checked_filter,
}


@dataclass(frozen=True)
class Prepared:
    """The data after the steps, the flow of rows through the filters, and the steps that
    could not be applied (with why), in the order applied."""

    dataset: Dataset
    flow: Flow
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True)
class Proposal:
    """A checked step, the data it makes from the data it was proposed on, and a preview; a
    filter is only counted (`flow`: filtering every column of a large file per keystroke
    costs ten times more), so its `dataset` and `preview` are None."""

    step: Any
    dataset: Dataset | None
    preview: Preview | None
    flow: FlowStep | None = None


def describe(step: Any) -> str:
    if hasattr(step, "describe"):
        return step.describe()
    column, mapping = step  # a label merge
    return f"{column}: {len(mapping)} label(s) merged"


def apply_steps(
    dataset: Dataset, steps: Sequence[Any], other: Callable[[Dataset, Any], Dataset]
) -> Prepared:
    """Each step on the result of the one before; a step that no longer fits the data (its
    column gone, a kind changed) is skipped and named, the others still apply."""
    flow: list[FlowStep] = []
    start = len(dataset.df)
    read_options, applied = dataset.read_options, [*dataset.steps]
    skipped = []
    for i, step in enumerate(steps, 1):
        try:
            if isinstance(step, RowFilter):
                dataset, counted = step.apply_with_flow(dataset)
                flow.append(counted)
            else:
                dataset = step.apply(dataset) if hasattr(step, "apply") else other(dataset, step)
            applied.append(step)
        except DataError as exc:
            skipped.append(f"Step {i} ({describe(step)}) was not applied: {exc}")
        except Exception:  # a defect must not cost the user the other steps or the data
            log.exception("cleaning step %d (%s) failed", i, type(step).__name__)
            skipped.append(f"Step {i} ({describe(step)}) failed with an unexpected error (logged).")
    # What an exported script redoes: the file as read, then the steps that applied.
    if dataset.steps != tuple(applied) or dataset.read_options != read_options:
        dataset = replace(dataset, read_options=read_options, steps=tuple(applied))
    return Prepared(dataset, Flow(dataset.name, start, tuple(flow)), tuple(skipped))


def propose(kind: str, dataset: Dataset, **params: Any) -> Proposal:
    """The step `kind` built from params and applied to dataset; a DataError says what to fix,
    and the data stays as it was."""
    if kind not in BUILDERS:
        raise DataError(f"Unknown kind of step '{kind}'.")
    if kind == "filter":
        step, counted = checked_filter(dataset, **params)
        return Proposal(step, None, None, counted)
    step = BUILDERS[kind](dataset, **params)
    result = step.apply(dataset)
    return Proposal(step, result, preview(dataset, result, _new_column(dataset, result, step)))


def _new_column(before: Dataset, after: Dataset, step: Any) -> str | None:
    name = getattr(step, "name", None) or getattr(step, "column", None)
    return name if name in after.columns else None
