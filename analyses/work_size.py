"""How much work an analysis is, before it runs: the cells it reads times the passes it makes.

A rough measure, used to tell short work (a small analysis a user waits for) from long work
(a big cohort, a bootstrap) before either takes a thread; it only has to order them. No
statistics are imported: it reads the spec's fields.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from analyses.specs import CorrelationSpec


def _names(value: Any) -> list[str]:
    """Every string in a spec field: a name, a tuple of names, or of (exposure, modifier) pairs."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, tuple):
        return [name for item in value for name in _names(item)]
    return []


def columns_used(spec: Any, columns: Collection[str]) -> int:
    """How many of the data's columns the spec names (outcome, covariates, variables ...)."""
    if not dataclasses.is_dataclass(spec):
        return 0
    named = {name for f in dataclasses.fields(spec) for name in _names(getattr(spec, f.name, None))}
    return len(named & set(columns))


def work_cells(rows: int, columns: Collection[str], spec: Any) -> int:
    """Rows x columns used x passes over them: each bootstrap sample and each subgroup or
    interaction refits the model; Firth's profile intervals refit once per coefficient, and a
    correlation matrix pairs every column with every other."""
    used = max(1, columns_used(spec, columns))
    passes = 1 + max(0, int(getattr(spec, "bootstrap", 0) or 0))
    passes *= (
        1 + len(getattr(spec, "subgroups", ()) or ()) + len(getattr(spec, "interactions", ()) or ())
    )
    if getattr(spec, "calibration", False):
        passes *= 2
    if isinstance(spec, CorrelationSpec) or getattr(spec, "method", "") == "firth":
        passes *= used
    return max(0, rows) * used * passes
