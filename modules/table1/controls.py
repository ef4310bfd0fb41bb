"""Choices for the Table 1 controls and the spec they make: pure functions of a Dataset."""

from __future__ import annotations

from collections.abc import Iterable

import logic
from analyses.specs import Table1Spec
from modules.shared import column_roles as roles
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

NO_GROUP = ""  # the select's value for "no grouping"
MAX_GROUPS = 10  # the analysis refuses more (analyses/table1.py)
SUMMARIES = {
    "auto": "Automatic (by distribution)",
    "mean": "Mean (SD) for all",
    "median": "Median [IQR] for all",
}
SHOW = {
    "overall": "Overall column",
    "p": "p-values",
    "smd": "SMD (two groups)",
    "missing": "Missing counts",
}


@per_dataset
def group_choices(dataset: Dataset) -> dict[str, str]:
    """'No grouping' and the factor columns with 2 to MAX_GROUPS levels, with their labels."""
    choices = {NO_GROUP: "None (whole cohort)"}
    for name, meta in dataset.columns.items():
        if meta.kind in FACTOR_KINDS and 2 <= len(meta.levels) <= MAX_GROUPS:
            choices[name] = dataset.label(name)
    return choices


@per_dataset
def variable_choices(dataset: Dataset, group: str | None) -> dict[str, str]:
    """Columns Table 1 can describe (not ids, free text or dates; not the group)."""
    return {c: dataset.label(c) for c in logic.eligible_covariates(dataset, group or "")}


def default_variables(dataset: Dataset, group: str | None) -> list[str]:
    """Every column Table 1 can describe except identifiers and site codes (a mean of patient
    numbers or of 'inst' codes is a number no reader should see); in a file of thousands of
    columns, among the first roles.SCAN_COLUMNS."""
    return roles.without_codes(dataset, roles.scanned(variable_choices(dataset, group)))


def numeric_variables(dataset: Dataset, variables: Iterable[str]) -> dict[str, str]:
    """The chosen variables that are numbers (candidates for 'always median')."""
    return {
        c: dataset.label(c)
        for c in variables
        if c in dataset.columns and dataset.meta(c).kind in NUMERIC_KINDS
    }


def table1_spec(
    dataset: Dataset,
    variables: Iterable[str],
    group: str | None = None,
    summary: str = "auto",
    median_variables: Iterable[str] = (),
) -> Table1Spec:
    """Validate the request against the dataset's columns and build its hashable spec."""
    group = group or None
    if group is not None and group not in group_choices(dataset):
        raise logic.AnalysisError(
            f"'{group}' cannot group Table 1: choose a yes/no or categorical column with at "
            f"most {MAX_GROUPS} groups, or no grouping."
        )
    allowed = variable_choices(dataset, group)
    chosen = [v for v in dict.fromkeys(variables) if v != group]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise logic.AnalysisError(
            f"These columns cannot be described in Table 1: {', '.join(unknown)}. "
            "Ids, free text and dates are left out; change the column type on the Data tab."
        )
    if not chosen:
        raise logic.AnalysisError("Choose at least one variable to describe.")
    numeric = set(numeric_variables(dataset, chosen))
    return Table1Spec(
        variables=tuple(chosen),
        group=group,
        categorical=tuple(v for v in chosen if dataset.meta(v).kind in FACTOR_KINDS),
        summary=summary if summary in SUMMARIES else "auto",  # type: ignore[arg-type]
        median_variables=tuple(v for v in dict.fromkeys(median_variables) if v in numeric),
    )
