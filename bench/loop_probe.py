"""Measuring only (bench/healthz_stalls.py): what holds a server's event loop.

Loaded into the app's process by bench/probe/sitecustomize.py when MEDSTAT_PROBE_OUT names a
file (and so into the child that reads a wide file, whose lines carry its own pid); never
imported by the app. It writes one JSON line per finding:

- `callback`: an event-loop callback (a Task step, a Handle) that took over SLOW_S of wall
  time, with the CPU time the loop's thread spent in it (wall much above CPU: the loop waited
  for the interpreter lock, held by another thread) and what it ran (a task's coroutine and
  the line it stopped at);
- `gc`: a garbage collection over GC_S, its generation and the objects it saw;
- `threads`: every RUN_EVERY_S, the CPU seconds each of the process's threads used since the
  last line (who competes with the loop for the lock).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import threading
import time

SLOW_S = 0.05
GC_S = 0.02
THREADS_EVERY_S = 1.0

_out = None
_lock = threading.Lock()


def _write(record: dict) -> None:
    record["t"], record["pid"] = round(time.time(), 3), os.getpid()
    line = json.dumps(record, default=str)
    with _lock:
        _out.write(line + "\n")
        _out.flush()


def _what(handle: asyncio.Handle) -> str:
    callback = getattr(handle, "_callback", None)
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, asyncio.Task):
        coro = owner.get_coro()
        frame = getattr(coro, "cr_frame", None)
        where = f" at {frame.f_code.co_filename}:{frame.f_lineno}" if frame else ""
        return f"task {getattr(coro, '__qualname__', coro)}{where}"
    return repr(handle)[:300]


_running: dict[str, object] = {}  # the loop's callback now running: its start, its samples


def _install_handle_timer() -> None:
    original = asyncio.events.Handle._run

    def _run(self):  # noqa: ANN001, ANN202
        wall, cpu = time.perf_counter(), time.thread_time()
        what = _what(self) if isinstance(self, asyncio.Handle) else ""
        samples: dict[str, int] = {}
        _running.update(start=wall, samples=samples, thread=threading.get_ident())
        try:
            return original(self)
        finally:
            _running.clear()
            took = time.perf_counter() - wall
            if took > SLOW_S:
                top = sorted(samples.items(), key=lambda kv: -kv[1])[:6]
                _write(
                    {
                        "kind": "callback",
                        "wall_ms": round(took * 1000, 1),
                        "cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
                        "what": what,
                        "stacks": dict(top),
                    }
                )

    asyncio.events.Handle._run = _run


def _ours(frame) -> str:  # noqa: ANN001
    """The innermost frame, then the innermost few of the app's own code, innermost first."""
    inner = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno} {frame.f_code.co_name}"
    outer = frame.f_back
    lib = ""
    while outer is not None and ("site-packages" in outer.f_code.co_filename or not lib):
        if "site-packages" in outer.f_code.co_filename:
            lib = f"{os.path.basename(outer.f_code.co_filename)} {outer.f_code.co_name}"
        outer = outer.f_back
    names = [inner, lib]
    while frame is not None and len(names) < 5:
        path = frame.f_code.co_filename
        if "site-packages" not in path and "/python3." not in path and "loop_probe" not in path:
            names.append(f"{os.path.basename(path)}:{frame.f_lineno} {frame.f_code.co_name}")
        frame = frame.f_back
    return " < ".join(names)


def _stack_sampler() -> None:
    """Every 5 ms, while a loop callback has run 20 ms or more, where the loop's thread is."""
    import sys

    while True:
        time.sleep(0.005)
        start, samples, ident = (_running.get(k) for k in ("start", "samples", "thread"))
        if start is None or time.perf_counter() - start < 0.02:
            continue
        frame = sys._current_frames().get(ident)
        if frame is not None:
            key = _ours(frame)
            samples[key] = samples.get(key, 0) + 1


def _census() -> dict[str, int]:
    """The most common types among the objects the collector tracks and has not frozen."""
    counts: dict[str, int] = {}
    for obj in gc.get_objects():
        name = type(obj).__name__
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1])[:8])


def _install_gc_timer() -> None:
    started: dict[str, float] = {}
    censuses = [3]  # a census of the first few slow full collections (it costs a pass itself)

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started["t"] = time.perf_counter()
            return
        took = time.perf_counter() - started.get("t", time.perf_counter())
        if took > GC_S or info.get("generation") == 2:
            census = None
            if took > 0.1 and info.get("generation") == 2 and censuses[0] > 0:
                censuses[0] -= 1
                census = _census()
            _write(
                {
                    "kind": "gc",
                    "generation": info.get("generation"),
                    "ms": round(took * 1000, 1),
                    "collected": info.get("collected"),
                    "thread": threading.current_thread().name,
                    "frozen": gc.get_freeze_count(),
                    "tracked": sum(gc.get_count()),
                    "census": census,
                }
            )

    gc.callbacks.append(callback)


def _thread_cpu_sampler() -> None:
    import psutil

    process = psutil.Process()
    last: dict[int, float] = {}
    while True:
        time.sleep(THREADS_EVERY_S)
        names = {t.native_id: t.name for t in threading.enumerate()}
        used = {}
        for thread in process.threads():
            total = thread.user_time + thread.system_time
            delta = total - last.get(thread.id, 0.0)
            last[thread.id] = total
            if delta > 0.05:
                used[names.get(thread.id, str(thread.id))] = round(delta, 2)
        if used:
            _write({"kind": "threads", "cpu_s": used})


def install(path: str) -> None:
    global _out
    _out = open(path, "a", buffering=1)  # noqa: SIM115 (open for the process's life)
    _write({"kind": "start", "pid": os.getpid()})
    _install_handle_timer()
    _install_gc_timer()
    threading.Thread(target=_thread_cpu_sampler, name="probe-threads", daemon=True).start()
    threading.Thread(target=_stack_sampler, name="probe-stacks", daemon=True).start()
