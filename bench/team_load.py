"""The team shape under load: 40 simulated users through nginx against 1, 2 and 4 workers
sharing Redis (deploy/team.py, as `make team` runs it), each run bounded in time.

Every user is a raw websocket client (bench/load_ws.py: the protocol a browser speaks, a
fraction of its CPU) with its own medstat_browser cookie, so nginx spreads them over the
workers by its hash as it does browsers. A user uploads a CSV (40 users over 8 distinct files:
most bytes are uploaded by several users, on different workers), then until time is up runs
outcome analyses with varied covariates, looks at the stats tab and now and then uploads again.
The inputs a browser sends at start are taken once from a real page (chromium, through nginx).

Reported per worker count: errors (goal 0), refusals (memory or fair share: the designed
answer to a full server), p50/p95 latency by kind (input sent to result on screen), completed
analyses per minute (the speed-up), the cache hit rate (worker logs: memory, Redis, a twin's
flight against computed) and each worker's peak RSS.

All users come from 127.0.0.1, which is one client address to the app's per-address bounds
(sessions, their start pace, fair shares): the run raises those (MEDSTAT_ADDRESS_*), as a
course whose students come from one NAT would need to.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import secrets
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psutil

from bench import harness
from bench.load import make_files
from bench.load_browser import RAMP_S, STEP_TIMEOUT_MS, keep_init
from bench.load_report import PRESETS, Step, step_of, summarise
from bench.load_ws import ws_user

NAME = "team_load"
COMMAND = ".venv/bin/python -m bench.team_load"
ONE_ADDRESS = {  # 40 users behind one address (see the docstring)
    "MEDSTAT_ADDRESS_SESSIONS": "100",
    "MEDSTAT_SESSION_OPEN_BURST": "100",
    "MEDSTAT_ADDRESS_ANALYSES": "16",
    "MEDSTAT_ADDRESS_QUEUE": "64",
}


async def capture_init(url: str) -> dict[str, Any]:
    """The inputs a real page sends when its session starts (through nginx)."""
    from playwright.async_api import async_playwright

    from bench.load import CHROMIUM, CHROMIUM_ARGS

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        init: asyncio.Future = asyncio.get_running_loop().create_future()
        page = await browser.new_page()
        page.on("websocket", lambda ws: ws.on("framesent", lambda f: keep_init(f, init)))
        await page.goto(url)
        data = await asyncio.wait_for(init, STEP_TIMEOUT_MS / 1000)
        await browser.close()
    return data


async def drive(url: str, init: dict, files: list[Path], seconds: float) -> list[Step]:
    steps: list[Step] = []
    deadline = time.monotonic() + seconds

    async def one(number: int) -> None:
        await asyncio.sleep(number * RAMP_S / 4)  # four new users a second
        await ws_user(
            number,
            url,
            init,
            files,
            PRESETS,
            deadline,
            steps,
            step_of,
            STEP_TIMEOUT_MS / 1000,
            cookie=secrets.token_urlsafe(16),
        )

    await asyncio.gather(*[one(n) for n in range(len(files))])
    return steps


class RssWatch:
    """Each worker's RSS, sampled every second in a thread: the peak per worker."""

    def __init__(self, workers) -> None:
        self.workers = workers
        self.peak_mb = [0.0] * len(workers)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for i, worker in enumerate(self.workers):
                try:
                    rss = psutil.Process(worker.proc.pid).memory_info().rss / harness.MB
                except (psutil.Error, AttributeError):
                    continue
                self.peak_mb[i] = max(self.peak_mb[i], rss)
            self._stop.wait(1.0)

    def __enter__(self) -> RssWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def served(logs: str) -> dict[str, int]:
    """Where the workers' results came from, from their logs (logic's one line per request)."""
    counts = {
        source: len(re.findall(rf" {source} in ", logs))
        for source in ("computed", "memory", "redis", "shared")
    }
    return counts


def run_shape(workers: int, sessions: int, seconds: float, worker_mb: float) -> dict[str, Any]:
    from deploy.team import Team

    folder = Path(tempfile.mkdtemp(prefix=f"medstat-team{workers}-"))
    files = make_files(folder, sessions)
    os.environ.update(ONE_ADDRESS)
    load_before = os.getloadavg()[0]
    with Team(folder / "shape", workers=workers, worker_mb=worker_mb) as team:
        init = asyncio.run(capture_init(team.url))
        with RssWatch(team.workers) as watch:
            started = time.perf_counter()
            steps = asyncio.run(drive(team.url, init, files, seconds))
            wall = time.perf_counter() - started
        logs = [w.log_path.read_text(errors="replace") for w in team.workers]
        restarts = [w.starts - 1 for w in team.workers]
    summary = summarise(steps)
    sources = served("\n".join(logs))
    asked = sum(sources[s] for s in ("computed", "memory", "redis", "shared"))
    outcome = summary["by_kind"]["outcome"]
    return {
        "workers": workers,
        "wall_s": round(wall, 1),
        **summary,
        "outcome_done_per_min": round(outcome["done"] / (wall / 60), 1),
        "served": sources,
        "hit_rate": round(1 - sources["computed"] / asked, 3) if asked else None,
        "sessions_per_worker": [log.count("WebSocket /websocket/") for log in logs],
        "worker_rss_peak_mb": [round(mb, 1) for mb in watch.peak_mb],
        "worker_restarts": restarts,
        "tracebacks": sum(log.count("Traceback (most recent call last)") for log in logs),
        # The host is shared: its 1-minute load before and after says what else was running.
        "host_load_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=90.0, help="per worker count")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run, in turn")
    parser.add_argument("--worker-mb", type=float, default=1024.0, help="each worker's budget")
    args = parser.parse_args(argv)
    runs = [
        run_shape(int(n), args.sessions, args.seconds, args.worker_mb)
        for n in args.workers.split(",")
    ]
    base = runs[0]["outcome_done_per_min"] or None
    for run in runs:
        run["speedup_vs_first"] = round(run["outcome_done_per_min"] / base, 2) if base else None
    harness.table(
        f"team_load: {args.sessions} users through nginx, {args.seconds:g} s per shape",
        ["workers", "errors", "refused", "p50 ms", "p95 ms", "outcome p95", "runs/min",
         "speed-up", "hit rate", "peak RSS MB"],
        [
            [r["workers"], r["errors"], r["refused"], r["p50_ms"], r["p95_ms"],
             r["by_kind"]["outcome"]["p95_ms"], r["outcome_done_per_min"],
             r["speedup_vs_first"], r["hit_rate"], r["worker_rss_peak_mb"]]
            for r in runs
        ],
    )  # fmt: skip
    payload = {
        "notes": (
            f"{args.sessions} raw websocket users (bench/load_ws.py), each with its own browser "
            "cookie, through nginx (hash on the cookie) to N workers sharing Redis, as "
            "deploy/team.py starts them; think time 0.5-2 s; latency = input sent to result "
            f"on screen; {os.cpu_count()} cores"
        ),
        "sessions": args.sessions,
        "seconds": args.seconds,
        "worker_mb": args.worker_mb,
        "runs": runs,
    }
    harness.write_result(NAME, f"{COMMAND} --seconds {args.seconds:g}", payload)
    return payload


if __name__ == "__main__":
    main()
