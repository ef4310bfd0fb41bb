"""A control's choices computed once per data set, not on each of its passes.

Every change resolves a tab's controls, then takes each control's shape, then draws it, and a
dependent control asks its neighbours' choices again: the Survival tab built its event choices
seven times per change, each a pass over every column (180,000 label look-ups at 16,000
columns, ~50 ms of the event loop's time; bench/wide_data.py). `per_dataset` keeps a choices
function's answer for as long as the Dataset object lives, by its identity (a label or kind
edit makes a new Dataset, so an answer never outlives what it was computed from), and hands
each caller its own copy.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from utils.dataset import Dataset

T = TypeVar("T", bound=dict)

_answers: dict[int, dict[Hashable, Any]] = {}  # id(dataset) -> (function, args) -> answer
_lock = threading.Lock()


def per_dataset(fn: Callable[..., T]) -> Callable[..., T]:
    """fn(dataset, *args) -> dict, remembered per (dataset, args); a copy for each caller."""

    @functools.wraps(fn)
    def remembered(dataset: Dataset, *args: Any) -> T:
        key = (fn, *(_hashable(a) for a in args))
        try:
            hash(key)
        except TypeError:
            return fn(dataset, *args)
        answers = _answers_of(dataset)
        if key not in answers:
            answers[key] = fn(dataset, *key[1:])
        return type(answers[key])(answers[key])

    return remembered


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list | set | frozenset | tuple) else value


def _answers_of(dataset: Dataset) -> dict[Hashable, Any]:
    with _lock:
        answers = _answers.get(id(dataset))
        if answers is None:
            answers = _answers[id(dataset)] = {}
            weakref.finalize(dataset, _answers.pop, id(dataset), None)
        return answers
