"""Choices and defaults for the outcome analysis controls, and the controls that depend on data.

Pure functions of a Dataset (and the current selections), so the server only wires them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
import pandas as pd
from cachetools import LRUCache

import logic
from modules.shared import column_roles as roles
from modules.shared import model_controls as mc
from utils.dataset import FACTOR_KINDS, Dataset

METHODS = {
    "auto": "Automatic (Firth if separation or few events)",
    "logit": "Standard logistic regression",
    "firth": "Firth penalized regression",
}
SUMMARIES = {"mean": "Mean (SD)", "median": "Median [IQR]"}
EVENTS_PER_PARAMETER = 10  # the usual floor for a logistic model (Peduzzi et al. 1996)
MOSTLY_MISSING = 0.5  # a covariate missing in more than half the patients is not suggested
# Why a candidate is not suggested, most telling first.
PROXY, CODE, OTHER_OUTCOME, SPARSE, CONSTANT, OVER_CAP = (
    "the outcome recorded another way",
    "an identifier or site code",
    "another outcome or the follow-up time",
    "missing in more than half the patients",
    "the same for every patient",
    f"over one parameter per {EVENTS_PER_PARAMETER} events",
)


@dataclass(frozen=True)
class Suggestion:
    """The covariates pre-selected for an outcome, and each left-out candidate with why."""

    selected: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...] = ()


def suggested_covariates(dataset: Dataset, outcome: str, event: str | None = None) -> Suggestion:
    """The candidate covariates a careful analyst would start from, in the file's order.

    jamovi and JASP start with none, which leaves the reader of a rushed analysis with
    whatever was clicked; pre-selecting every column (as before) put patient numbers, site
    codes, the follow-up time and the outcome itself under another name into the model. So the
    suggestion is every eligible column except: the outcome recorded another way (the same
    split of patients under another coding, or a column that determines it:
    analyses/outcome_proxies.py), identifier and site codes, other outcomes and the follow-up
    time, columns missing in more than half the patients, and constant columns; then, in the
    file's order (baseline characteristics come first in most case report forms), only as many
    as keep at least EVENTS_PER_PARAMETER events (of the rarer outcome group) per parameter,
    a factor of k levels counting k - 1, and always at least one. Left-out columns stay in the
    list for the user to add, and the page says why each was left out (suggestion_note).
    A file of thousands of columns is screened on its first roles.SCAN_COLUMNS candidates.
    """
    candidates = roles.scanned(mc.covariate_choices(dataset, outcome))
    key = (dataset.fingerprint, outcome, event, tuple(dataset.label(c) for c in candidates))
    with _suggestions_lock:
        if key in _suggestions:
            return _suggestions[key]
    suggestion = _suggest(dataset, outcome, event, candidates)
    with _suggestions_lock:
        _suggestions[key] = suggestion
    return suggestion


# Asked for the default and for the note on every change of any of the tab's controls.
_suggestions: LRUCache = LRUCache(maxsize=64)
_suggestions_lock = threading.Lock()


def _suggest(
    dataset: Dataset, outcome: str, event: str | None, candidates: list[str]
) -> Suggestion:
    levels = dataset.meta(outcome).levels if outcome in dataset.columns else ()
    if event not in levels:
        event = roles.default_event(levels)
    screen = logic.outcome_screen(dataset, outcome, event, limit=roles.SCAN_COLUMNS)
    proxies = {p.column for p in screen.proxies} if screen else set()
    rows = max(len(dataset.df), 1)
    left_out: list[tuple[str, str]] = []
    kept: list[str] = []
    for name in candidates:
        meta = dataset.meta(name)
        if name in proxies:
            reason = PROXY
        elif roles.is_code_column(dataset, name):
            reason = CODE
        elif roles.is_outcome_like(dataset, name):
            reason = OTHER_OUTCOME
        elif meta.n_missing / rows > MOSTLY_MISSING:
            reason = SPARSE
        elif _is_constant(dataset, name):
            reason = CONSTANT
        else:
            kept.append(name)
            continue
        left_out.append((name, reason))
    if screen is not None:
        budget = max(1, min(screen.events, screen.non_events) // EVENTS_PER_PARAMETER)
        within = []
        for name in kept:
            cost = _parameters(dataset, name)
            if cost <= budget or not within:
                within.append(name)
                budget -= cost
            else:
                left_out.append((name, OVER_CAP))
        kept = within
    order = {name: i for i, name in enumerate(candidates)}
    left_out.sort(key=lambda item: order[item[0]])
    return Suggestion(tuple(kept), tuple(left_out))


def _parameters(dataset: Dataset, name: str) -> int:
    meta = dataset.meta(name)
    return max(len(meta.levels) - 1, 1) if meta.kind in FACTOR_KINDS else 1


def _is_constant(dataset: Dataset, name: str) -> bool:
    meta = dataset.meta(name)
    if meta.kind in FACTOR_KINDS:
        return len(meta.levels) < 2
    values = dataset.df[name]
    if not pd.api.types.is_numeric_dtype(values.dtype):
        return False
    head = values.iloc[:100].to_numpy(dtype=float, na_value=np.nan)
    if np.nanmax(head, initial=-np.inf) > np.nanmin(head, initial=np.inf):
        return False  # two values in the first rows: no need to read the column
    return bool(values.min() == values.max()) if values.notna().any() else True


def suggestion_note(suggestion: Suggestion) -> str | None:
    """One line under the covariates: which candidates were not pre-selected and why."""
    if not suggestion.left_out:
        return None
    by_reason: dict[str, list[str]] = {}
    for name, reason in suggestion.left_out:
        by_reason.setdefault(reason, []).append(f"'{name}'")
    parts = [f"{', '.join(names)} ({reason})" for reason, names in by_reason.items()]
    return "Not pre-selected: " + "; ".join(parts) + ". Add any of them if you mean to."


def default_covariates(
    dataset: Dataset, outcome: str | None, event: str | None = None
) -> list[str]:
    """The covariates pre-selected for a new outcome: suggested_covariates."""
    if not outcome or outcome not in dataset.columns:
        return []
    return list(suggested_covariates(dataset, outcome, event).selected)


def covariates_note(dataset: Dataset, outcome: str | None, event: str | None = None) -> str | None:
    """The line under the covariates that says what the suggestion left out, and why."""
    if not outcome or outcome not in dataset.columns:
        return None
    return suggestion_note(suggested_covariates(dataset, outcome, event))
