"""A reactive flush that lets other work on the event loop finish between its effects.

Shiny 1.8.0 runs a flush (`ReactiveEnvironment._flush_sequential`) as one coroutine that awaits
each invalidated effect and output in turn, with an `asyncio.sleep(0)` after each
(py-shiny#1381). That gives the loop one turn per effect, not a fair share: a request that
arrives during a flush takes several steps (the connection accepted, its bytes read, the ASGI
task started, run), each queued behind the flush's next effect. After a 16,000-column upload a
flush is ~20 effects of 20-110 ms (every tab resolving its controls, the Data tab's editor), so
/healthz waited behind four or five of them: 0.3 s and more (bench/healthz_stalls.py,
OPTIMIZATION.md "What set /healthz's worst answer").

Here, after each effect, the flush waits while the loop has other callbacks ready (at most
MAX_TURNS turns): what arrived meanwhile, and every step that follows from it, runs before the
next effect. A request now waits for at most the one effect running when it came. The order of
the effects, the reactive lock (held throughout, as before) and what each effect computes are
unchanged; on a loop with nothing else to do the flush goes on at once.
"""

from __future__ import annotations

import asyncio
import logging

from shiny.reactive import _core

log = logging.getLogger(__name__)

MAX_TURNS = 100  # a flush is never held back longer than this many turns of the loop per effect

_original = _core.ReactiveEnvironment._flush_sequential


async def flush_sequential(self: _core.ReactiveEnvironment) -> None:
    """Shiny's sequential flush; between effects, the loop's other ready work goes first."""
    while not self._pending_flush_queue.empty():
        ctx = self._pending_flush_queue.get()
        await ctx.execute_flush_callbacks()
        await let_others_run()


async def let_others_run() -> None:
    """Yield until no other callback is ready on the running loop (at most MAX_TURNS times).

    `sleep(0)` queues this task behind what is ready now, and the loop polls the network on
    each turn, so a request's steps, each queued as the one before it runs, all go first."""
    loop = asyncio.get_running_loop()
    for _ in range(MAX_TURNS):
        if not getattr(loop, "_ready", None):  # asyncio's queue of callbacks ready to run
            return
        await asyncio.sleep(0)


def install() -> None:
    """Apply (idempotent)."""
    if _core.ReactiveEnvironment._flush_sequential is flush_sequential:
        return
    _core.ReactiveEnvironment._flush_sequential = flush_sequential  # type: ignore[method-assign]
    log.info("shiny: a reactive flush lets the loop's other ready work run between its effects")
