"""One headless Chromium, through kaleido, that turns plotly figures into SVG, PDF and PNG.

kaleido 1.x drives a Chromium it is given (Debian's /usr/bin/chromium here) over the DevTools
protocol; plotly.js comes from the installed plotly package (a file:// URL) and MathJax is off,
so nothing is fetched. Starting Chromium costs ~2 s and a few hundred MB (OPTIMIZATION.md,
"Figure export"); a render on a warm one ~0.2 s. So one Chromium is kept for the whole server:
started on first need (admitted by the memory manager at its measured cost), used by one
export at a time (`render` holds a lock: a second export waits its turn, a burst never starts a
second browser), closed after `idle_s` without use, on the memory manager's cleanup, and at
exit. Closing it ends every Chromium process it started (tests/unit/utils/test_figure_renderer.py
checks that none is left behind).

`render` blocks: call it from a worker thread (modules/shared/background.py), never the event
loop. kaleido is asyncio code, so the browser lives on an event loop of its own, in a daemon
thread of its own; `render` hands each figure to that loop and waits for the bytes.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

import psutil

log = logging.getLogger(__name__)

FORMATS = ("svg", "pdf", "png")
NO_NETWORK = "http://127.0.0.1:9"  # the discard port: a proxy that never answers


class RenderError(RuntimeError):
    """The figure could not be drawn (the browser failed, timed out or is missing)."""


def process_tree(pid: int | None) -> list[psutil.Process]:
    """The process `pid` and its descendants that are alive (not zombies)."""
    if pid is None:
        return []
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []
    alive = []
    for proc in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            if proc.status() != psutil.STATUS_ZOMBIE:
                alive.append(proc)
    return alive


class FigureRenderer:
    """The server's one figure-drawing browser: lazy, one render at a time, closed when idle."""

    def __init__(
        self,
        chromium: str = "/usr/bin/chromium",
        idle_s: float = 120.0,
        timeout_s: float = 60.0,
        admit: Callable[[], Any] | None = None,
    ) -> None:
        self.chromium = chromium
        self.idle_s = idle_s
        self.timeout_s = timeout_s
        # admit() -> context manager, raising MemoryRefused when a browser would not fit; it is
        # held while the browser runs, so its room is reserved from other work until it closes.
        self._admit = admit
        self._held = contextlib.ExitStack()
        self._lock = threading.Lock()  # one render (and one start or close) at a time
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._pid: int | None = None  # the browser's main process
        self._last_used = 0.0
        self._idle_timer: threading.Timer | None = None
        self._counts = dict(starts=0, stops=0, idle_stops=0, renders=0, failures=0)
        self._start_ms = 0.0
        self._last_ms = 0.0

    # -- the browser's own loop -------------------------------------------------------------

    def _run(self, coro: Any, timeout: float) -> Any:
        assert self._loop is not None
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(timeout)
        except FutureTimeout as exc:
            future.cancel()
            raise RenderError("the figure took too long to draw") from exc

    def _start(self) -> None:
        import kaleido  # imported on first export only: the server starts without it

        started = time.perf_counter()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="medstat-figures", daemon=True
        )
        self._thread.start()

        async def open_browser() -> Any:
            k = kaleido.Kaleido(
                n=1,
                timeout=self.timeout_s,
                mathjax=False,
                path=self.chromium,
                # Nothing it draws needs the network (plotly.js is a file): a proxy that answers
                # nothing makes any fetch fail rather than leave the machine.
                proxy_server=NO_NETWORK,
            )
            await k.open()
            return k

        try:
            self._kaleido = self._run(open_browser(), self.timeout_s)
        except BaseException:
            self._stop_loop()
            raise
        self._pid = self._kaleido.subprocess.pid
        self._start_ms = (time.perf_counter() - started) * 1000
        if not self._counts["starts"]:
            atexit.register(self.close)  # a server that stops takes its browser with it
        self._counts["starts"] += 1
        log.info("figure browser started in %.0f ms (%s)", self._start_ms, self.chromium)

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()
        self._loop = self._thread = self._kaleido = None

    def _close_locked(self) -> bool:
        if self._kaleido is None:
            return False
        started = process_tree(self._pid)
        try:
            self._run(self._kaleido.close(), 15)
        except Exception:  # noqa: BLE001 - the loop is stopped and the processes ended below
            log.warning("figure browser did not close cleanly", exc_info=True)
        self._stop_loop()
        self._held.close()  # the memory reserved for it is free again
        # A process of this browser kaleido did not end (a crash mid-close) is ended here.
        for proc in started:
            with contextlib.suppress(psutil.NoSuchProcess):
                if proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE:
                    proc.kill()
        self._pid = None
        self._counts["stops"] += 1
        log.info("figure browser closed")
        return True

    # -- public ------------------------------------------------------------------------------

    def render(self, figure: dict, fmt: str, width: int, height: int, scale: float = 1.0) -> bytes:
        """The figure (a plotly figure dict) as `fmt` bytes at width x height CSS pixels, raster
        pixels multiplied by `scale`. Blocking: call it from a worker thread."""
        if fmt not in FORMATS:
            raise ValueError(f"format must be one of {', '.join(FORMATS)}")
        opts = {"format": fmt, "width": int(width), "height": int(height), "scale": scale}
        with self._lock:
            if self._kaleido is None:
                held = contextlib.ExitStack()
                if self._admit is not None:
                    held.enter_context(self._admit())
                with held:
                    self._start()
                    self._held = held.pop_all()  # kept until the browser closes
            started = time.perf_counter()
            try:
                data = self._run(self._kaleido.calc_fig(figure, opts=opts), self.timeout_s)
            except Exception as exc:
                self._counts["failures"] += 1
                # A browser that failed once is not trusted with the next figure.
                self._close_locked()
                if isinstance(exc, RenderError):
                    raise
                raise RenderError(f"the figure could not be drawn ({type(exc).__name__})") from exc
            self._last_ms = (time.perf_counter() - started) * 1000
            self._counts["renders"] += 1
            self._last_used = time.monotonic()
            self._arm_idle_timer()
        return bytes(data)

    def _arm_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = threading.Timer(self.idle_s, self.close_if_idle)
        self._idle_timer.daemon = True
        self._idle_timer.start()

    def close_if_idle(self) -> bool:
        """Close the browser if it has not drawn for idle_s; True if it was closed."""
        with self._lock:
            if self._kaleido is None or time.monotonic() - self._last_used < self.idle_s:
                return False
            self._counts["idle_stops"] += 1
            return self._close_locked()

    def close(self) -> bool:
        """Close the browser now (memory cleanup, shutdown, tests); True if one was open."""
        with self._lock:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
            return self._close_locked()

    def processes(self) -> list[psutil.Process]:
        """The browser's live processes (none when closed): for tests and the memory bench."""
        return process_tree(self._pid)

    @property
    def running(self) -> bool:
        return self._kaleido is not None

    def stats(self) -> dict[str, float]:
        """Counters and the last start and render times (ms) for the stats panel."""
        return {
            **{k: float(v) for k, v in self._counts.items()},
            "running": float(self.running),
            "start_ms": round(self._start_ms, 1),
            "render_ms": round(self._last_ms, 1),
        }
