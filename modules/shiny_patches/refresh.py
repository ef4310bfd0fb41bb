"""Re-run a reactive function after a delay, quietly when the session ends first.

shiny.reactive.invalidate_later (1.8.0) prints a CancelledError traceback to stderr whenever its
timer is cancelled while it waits for the reactive lock: a session that closes, or an output
invalidated by something else just as its timer fires. With 20 sessions the lock is often busy,
so every session end could leave one in the log. The stats badge (every session, every 3 s) and
the running-status lines use this instead: the same timer, with that cancellation expected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from shiny import reactive
from shiny.session import get_current_session

from modules import shiny_patches

log = logging.getLogger(__name__)


def invalidate_later(delay: float) -> None:
    """Invalidate the calling reactive context after `delay` seconds, then flush.

    Shiny's own invalidate_later when the patches are not active (another Shiny version)."""
    if not shiny_patches.active():
        reactive.invalidate_later(delay)
        return
    ctx = reactive.get_current_context()
    session = get_current_session()
    deadline = time.monotonic() + delay
    firing = False  # once it invalidates ctx itself, that must not cancel it mid-flush
    unsubscribe: Callable[[], None] | None = None

    async def fire() -> None:
        nonlocal firing
        try:
            await asyncio.sleep(max(0.0, deadline - time.monotonic()))
            async with reactive.lock():
                firing = True
                ctx.invalidate()
                await reactive.flush()
        except asyncio.CancelledError:
            pass  # the session ended or ctx was invalidated first: nothing left to refresh
        except Exception:
            log.exception("refresh after %g s failed", delay)
        finally:
            if unsubscribe is not None:
                unsubscribe()

    task = asyncio.get_running_loop().create_task(fire())

    def cancel() -> None:
        if not firing:
            task.cancel()

    ctx.on_invalidate(cancel)
    if session is not None:
        unsubscribe = session.on_ended(cancel)
