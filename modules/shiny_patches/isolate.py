"""A fix for Shiny's isolate(): every call leaves a context behind in what it read, for good.

shiny.reactive.isolate() (1.8.0) runs its body in a new throwaway Context that is never
invalidated. Each reactive value or calc read inside it registers that context as a dependent,
and a dependent is only dropped when the value changes. Shiny itself reads every output's
`.clientdata_output_<id>_hidden` input inside isolate() on every message a browser sends, and
most of those inputs never change, so a live session kept ~170 kB per analysis run (measured
with bench/leak.py and MEDSTAT_DEBUG_TRACEMALLOC: Context objects and their callbacks under
Session._is_hidden). R Shiny invalidates isolate's context when the block ends; this does the
same, which removes the context from every dependents list it joined.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Generator

from shiny.reactive import _core

log = logging.getLogger(__name__)

_original_isolate = _core.ReactiveEnvironment.isolate


@contextlib.contextmanager
def _isolate(self: _core.ReactiveEnvironment) -> Generator[None, None, None]:
    ctx = _core.Context()
    token = self._current_context.set(ctx)
    try:
        yield
    finally:
        self._current_context.reset(token)
        ctx.invalidate()  # nothing can depend on it once the block is over


def install() -> None:
    """Make isolate() release its context on exit (idempotent)."""
    if _core.ReactiveEnvironment.isolate is not _isolate:
        _core.ReactiveEnvironment.isolate = _isolate  # type: ignore[method-assign]
        log.info("shiny isolate() releases its context on exit (modules/shiny_patches/isolate.py)")
