"""Choices and defaults for the outcome analysis controls, and the controls that depend on data.

Pure functions of a Dataset (and the current selections), so the server only wires them.
"""

from __future__ import annotations

import re

from utils.dataset import FACTOR_KINDS, Dataset

# Outcome levels that read as "the event happened"; the same words the analysis uses when no
# event is given (analyses.encoding.POSITIVE_LEVELS; a unit test keeps the two equal).
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
# Column names that usually hold the outcome of a clinical data set.
OUTCOME_WORDS = re.compile(
    r"outcome|death|died|dead|mortality|complication|event|readmi|infection|relapse|recurr|"
    r"response|failure|status",
    re.IGNORECASE,
)
METHODS = {
    "auto": "Automatic (Firth if separation or few events)",
    "logit": "Standard logistic regression",
    "firth": "Firth penalized regression",
}
SUMMARIES = {"mean": "Mean (SD)", "median": "Median [IQR]"}


def outcome_choices(dataset: Dataset) -> dict[str, str]:
    """Columns that can be a binary outcome (binary, or categorical with an event chosen)."""
    return {
        name: dataset.label(name)
        for name, meta in dataset.columns.items()
        if meta.kind in FACTOR_KINDS and len(meta.levels) >= 2
    }


def default_outcome(dataset: Dataset) -> str | None:
    """A binary column whose name reads like an outcome, else the first binary column."""
    choices = outcome_choices(dataset)
    binary = [n for n in choices if dataset.meta(n).kind == "binary"] or list(choices)
    named = [n for n in binary if OUTCOME_WORDS.search(n) or OUTCOME_WORDS.search(choices[n])]
    return (named or binary or [None])[0]


def default_event(levels: tuple[str, ...] | list[str]) -> str | None:
    """The positive-looking level, else the second of two, else the last."""
    for level in levels:
        if str(level).strip().lower() in POSITIVE_LEVELS:
            return level
    if not levels:
        return None
    return levels[1] if len(levels) == 2 else levels[-1]


def default_covariates(dataset: Dataset, outcome: str | None, choices: dict[str, str]) -> list[str]:
    """The covariates pre-selected for a new outcome."""
    return list(choices)
