"""Run blocking work (reading uploads, fitting models) off Shiny's event loop, in a bounded pool.

Every session of a worker shares one asyncio loop; work done on it freezes every user and
starves websocket heartbeats. The pool is bounded by settings.worker_threads so that a burst of
analyses queues instead of oversubscribing a 2-vCPU host.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from utils.config import settings

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The process's analysis pool, created on first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=max(1, settings.worker_threads), thread_name_prefix="medstat-work"
            )
        return _pool


async def run_in_worker(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Await func(*args, **kwargs) computed in the bounded worker pool."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), functools.partial(func, *args, **kwargs))
