"""Run blocking work (reading uploads, fitting models) off Shiny's event loop, in a bounded pool.

Every session of a worker shares one asyncio loop; work done on it freezes every user and
starves websocket heartbeats. The pool is bounded by settings.worker_threads so that a burst of
analyses queues instead of oversubscribing a 2-vCPU host, and work that names its browser tab
and client address (`share=`) enters it through fair shares (fair_share.py): its place is held
until its thread ends, even when the page stopped waiting (Cancel), so a tab cannot pile up
cancelled work that still runs. Short work (`short=True`: logic.is_short) may start in a lane
of `settings.short_lane` threads of its own when the pool is full (fair_share.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from modules.shared.fair_share import FairShare, Ticket
from utils.config import settings

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_lane: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()
_shares: FairShare | None = None


def _executor() -> ThreadPoolExecutor:
    """The process's analysis pool, created on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            # The event loop competes with the pool's threads for the GIL; at Python's default
            # 5 ms switch interval, each time the loop gives the GIL up (every socket write)
            # it waits up to 5 ms per busy thread to get it back, and a page update of a few
            # hundred such steps took seconds behind two long fits (tests/hostile).
            sys.setswitchinterval(settings.gil_switch_ms / 1000)
            _pool = ThreadPoolExecutor(
                max_workers=max(1, settings.worker_threads), thread_name_prefix="medstat-work"
            )
        return _pool


def _short_lane() -> ThreadPoolExecutor:
    """The threads kept for short work, created on first use."""
    global _lane
    with _pool_lock:
        if _lane is None:
            _lane = ThreadPoolExecutor(
                max_workers=max(1, settings.short_lane), thread_name_prefix="medstat-short"
            )
        return _lane


def shares() -> FairShare:
    """The process's fair shares of the pool (on the event loop's thread only)."""
    global _shares
    if _shares is None:
        _shares = FairShare.from_settings()
    return _shares


async def run_in_worker(
    func: Callable[..., T],
    *args: Any,
    share: tuple[str, str] | None = None,
    on_place: Callable[[Ticket], None] | None = None,
    short: bool = False,
    **kwargs: Any,
) -> T:
    """Await func(*args, **kwargs) computed in the bounded worker pool; with
    share=(browser tab, client address), once that tab's and address's share allows it
    (`on_place` gets the ticket while it waits, for the queue position). `short` work (with
    a share) may run in the short lane when every pool thread is taken."""
    loop = asyncio.get_running_loop()
    call = functools.partial(func, *args, **kwargs)
    if share is None:
        return await loop.run_in_executor(_executor(), call)
    fair = shares()
    ticket = await fair.enter(*share, on_place=on_place, short=short)
    try:
        future = (_short_lane() if ticket.lane else _executor()).submit(call)
    except BaseException:
        fair.leave(ticket)
        raise
    future.add_done_callback(lambda _: _release(loop, fair, ticket))
    return await asyncio.wrap_future(future)


def _release(loop: asyncio.AbstractEventLoop, fair: FairShare, ticket: Ticket) -> None:
    """From the worker thread: the place is given back on the event loop's thread."""
    with contextlib.suppress(RuntimeError):  # the loop closed first (the server stopping)
        loop.call_soon_threadsafe(fair.leave, ticket)
