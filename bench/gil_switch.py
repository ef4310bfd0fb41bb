"""The event loop's turn while worker threads fit models: the GIL switch interval.

Two threads run the outcome analysis's Firth fit (pure-Python steps between numpy calls, as a
long user's work does) while an asyncio loop in the main thread does what serving a page does
many times over: a small piece of Python work, then a socket round trip that gives the GIL up.
Reported per switch interval: the loop's per-step latency (p50, p99, max) and the fits' CPU
throughput (fits per second), so the price of a shorter interval is seen next to its gain.

Run: .venv/bin/python -m bench.gil_switch   (writes bench/results/gil_switch.json)
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import threading
import time
from typing import Any

from bench import harness

NAME = "gil_switch"
COMMAND = ".venv/bin/python -m bench.gil_switch"
INTERVALS_MS = (5.0, 1.0, 0.5)
SECONDS = 6.0


def _fits(stop: threading.Event, done: list[int]) -> None:
    import numpy as np
    import pandas as pd

    from analyses import outcome
    from analyses.specs import OutcomeSpec

    rng = np.random.default_rng(3)
    n = 3000
    frame = pd.DataFrame({f"x{k}": rng.normal(size=n) for k in range(6)})
    frame["y"] = np.where(rng.random(n) < 0.2, "yes", "no")
    spec = OutcomeSpec(outcome="y", covariates=tuple(f"x{k}" for k in range(6)), method="firth")
    while not stop.is_set():
        outcome.analyze(frame, spec)
        done.append(1)


async def _loop_steps(seconds: float) -> list[float]:
    """A step: a little Python work, then a loopback socket round trip (the GIL is given up)."""
    left, right = socket.socketpair()
    left.setblocking(False)
    right.setblocking(False)
    loop = asyncio.get_running_loop()
    steps: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        sum(range(2000))
        await loop.sock_sendall(left, b"x")
        await loop.sock_recv(right, 1)
        steps.append((time.perf_counter() - started) * 1000)
    left.close()
    right.close()
    return steps


def measure(interval_ms: float) -> dict[str, Any]:
    sys.setswitchinterval(interval_ms / 1000)
    stop, done = threading.Event(), []
    threads = [threading.Thread(target=_fits, args=(stop, done)) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # both fitting
    before = len(done)
    steps = asyncio.run(_loop_steps(SECONDS))
    fits = len(done) - before
    stop.set()
    for t in threads:
        t.join()
    steps.sort()
    return {
        "interval_ms": interval_ms,
        "loop_step_p50_ms": statistics.median(steps),
        "loop_step_p99_ms": steps[int(0.99 * (len(steps) - 1))],
        "loop_step_max_ms": steps[-1],
        "loop_steps": len(steps),
        "fits_per_s": fits / SECONDS,
    }


def main(argv: list[str]) -> dict[str, Any]:
    import analyses.outcome  # noqa: F401  (imported before timing)

    runs = [measure(ms) for ms in INTERVALS_MS]
    base = runs[0]
    for r in runs:
        r["p99_vs_5ms"] = r["loop_step_p99_ms"] / base["loop_step_p99_ms"]
        r["fits_vs_5ms"] = r["fits_per_s"] / base["fits_per_s"] if base["fits_per_s"] else 0.0
    harness.table(
        "The loop's step latency while two threads fit (a step: Python work + a socket trip)",
        ["switch ms", "p50 ms", "p99 ms", "max ms", "steps", "fits/s", "p99 vs 5", "fits vs 5"],
        [
            [
                r["interval_ms"],
                r["loop_step_p50_ms"],
                r["loop_step_p99_ms"],
                r["loop_step_max_ms"],
                r["loop_steps"],
                r["fits_per_s"],
                r["p99_vs_5ms"],
                r["fits_vs_5ms"],
            ]
            for r in runs
        ],
    )
    payload = {"runs": runs}
    harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
