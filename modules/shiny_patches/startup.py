"""Cheaper session starts: Shiny 1.8.0 inspects source code for every reactive it creates.

Profiled (cProfile of the server's event loop, 9 sessions opened one after another), about 70%
of a session start went to OpenTelemetry bookkeeping that Shiny does whether tracing is on or
not: `extract_source_ref` (inspect.getsourcelines for every effect, calc, output and extended
task; 3.5 of 8.9 s) and `Value._try_infer_name` (inspect.stack() for every reactive value; 3.5 s).
A session start holds the event loop that every session shares, so 20 users arriving together
queued each other's messages for a minute. Here:

- the source reference is computed once per function body (its code object) and reused: the
  same attributes, since a module server's functions are new objects with the same code each
  session;
- a value's name is inferred only while OpenTelemetry tracing is on (it names the value in
  traces; inputs are named by Shiny's Inputs anyway).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import Any

from shiny.otel import _attributes, _core
from shiny.reactive import _extended_task, _reactives
from shiny.session import _session

log = logging.getLogger(__name__)

_original_source_ref = _attributes.extract_source_ref
_original_infer_name = _reactives.Value._try_infer_name
_source_refs: dict[Any, dict[str, Any]] = {}


def source_ref(func: Callable[..., Any]) -> Any:
    """extract_source_ref(func), computed once per code object."""
    try:
        code = inspect.unwrap(func).__code__
    except (AttributeError, ValueError):  # no code object: builtins, callables, odd wrappers
        return _original_source_ref(func)
    found = _source_refs.get(code)
    if found is None:
        found = _source_refs[code] = dict(_original_source_ref(func))
    return dict(found)  # callers may add to it


def _infer_name_if_tracing(self: Any) -> str | None:
    return _original_infer_name(self) if _core.is_otel_tracing_enabled() else None


def install() -> None:
    """Apply both (idempotent)."""
    if _reactives.extract_source_ref is source_ref:
        return
    for module in (_reactives, _session, _extended_task):
        module.extract_source_ref = source_ref
    _reactives.Value._try_infer_name = _infer_name_if_tracing  # type: ignore[method-assign]
    log.info("shiny: source references cached, value names only when tracing")
