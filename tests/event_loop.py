"""asyncio.run for tests that share a process with the browser tests.

Playwright's sync API keeps an event loop running in the main thread once a browser test has
run, and asyncio.run refuses to start inside a running loop; a thread of its own has none.
"""

from __future__ import annotations

import threading
from collections.abc import Coroutine
from typing import Any


def run_apart(coroutine: Coroutine[Any, Any, Any], timeout: float = 10.0) -> Any:
    """asyncio.run(coroutine) in a new thread; its result, or the exception it raised."""
    import asyncio

    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # handed to the test's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=target)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"the coroutine did not finish within {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
