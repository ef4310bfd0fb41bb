"""`make load`: concurrent users against ONE app process, in real browsers, for a bounded time.

Each session is a Playwright context (its own websocket and Shiny session) in Debian's chromium,
spread over a few browser processes. A session uploads a CSV (sizes vary; several sessions upload
identical bytes under their own names), then until time is up runs mixed interactions with a
short think time: outcome analyses with varied covariates, Table 1, correlation, the stats tab,
and now and then a new upload. Loopback only; the app is started as `make run` starts it.

Reported: errors (goal 0; memory refusals are counted apart, they are the designed answer to a
full server), p50/p95 latency of each kind of interaction (click to result on screen), the
server's peak RSS against its limit, and the cache hit rate over the run (from the stats tab).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from bench import harness
from bench.data_gen import SEED, clinical_frame
from bench.load_browser import RAMP_S, STEP_TIMEOUT_MS, read_cache_counts, user
from bench.load_report import (
    PRESETS,
    ServerWatch,
    Step,
    report,
    server_log_counts,
    step_of,
    summarise,
)
from bench.load_report import limit_mb as logged_limit_mb
from bench.load_ws import ws_user

NAME = "load"
COMMAND = ".venv/bin/python -m bench.load"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = (500, 2_000, 5_000, 20_000)  # rows; every file has the 13 covariates
DISTINCT_FILES = 8  # 20 sessions over 8 files: most files are uploaded by 2-3 sessions
# 20 chromium pages and the server on 2 cores: the pages took 60 s to open (measured), so most
# users are raw websocket clients; a few real browsers keep the page-level path honest.
IN_BROWSERS = 4


def make_files(folder: Path, sessions: int) -> list[Path]:
    """One CSV per session, named for it; sessions i and i + 8 upload identical bytes."""
    distinct = []
    for i in range(DISTINCT_FILES):
        rows = SIZES[i % len(SIZES)]
        path = folder / f"load_{rows}_{i}.csv"
        clinical_frame(rows, 13, seed=SEED + i).to_csv(path, index=False)
        distinct.append(path)
    files = []
    for s in range(sessions):
        target = folder / f"session{s:02d}_{distinct[s % DISTINCT_FILES].name}"
        shutil.copy(distinct[s % DISTINCT_FILES], target)
        files.append(target)
    return files


async def ws_users(
    first: int,
    count: int,
    url: str,
    files: list[Path],
    deadline: float,
    steps: list[Step],
    init: asyncio.Future,
) -> None:
    """The sessions played by raw websocket clients, arriving after the browsers."""
    data = await asyncio.wait_for(init, STEP_TIMEOUT_MS / 1000)

    async def one(number: int) -> None:
        await asyncio.sleep((number - first) * RAMP_S)
        await ws_user(
            number, url, data, files, PRESETS, deadline, steps, step_of, STEP_TIMEOUT_MS / 1000
        )

    await asyncio.gather(*[one(n) for n in range(first, first + count)])


async def drive(
    url: str, files: list[Path], sessions: int, in_browsers: int, browsers: int, seconds: float
):
    """Run the users: `in_browsers` Playwright contexts, the rest raw websocket clients."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        procs = [
            await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for _ in range(browsers)
        ]
        before = await read_cache_counts(procs[0], url)
        steps: list[Step] = []
        init: asyncio.Future = asyncio.get_running_loop().create_future()
        deadline = time.monotonic() + seconds
        started = time.perf_counter()
        users = [
            user(s, procs[s % browsers], url, files, deadline, steps, init)
            for s in range(in_browsers)
        ]
        users.append(
            ws_users(in_browsers, sessions - in_browsers, url, files, deadline, steps, init)
        )
        await asyncio.gather(*users)
        wall = time.perf_counter() - started
        await asyncio.sleep(harness_refresh_s())
        after = await read_cache_counts(procs[0], url)
        for proc in procs:
            await proc.close()
    return steps, before, after, wall


def harness_refresh_s() -> float:
    """The stats panel refreshes every few seconds; wait one period for the last counts."""
    return 3.5


def start_app(port: int, log_path: Path, limit_mb: float | None) -> subprocess.Popen:
    """The app as `make run` starts it, on loopback; its default memory budget unless given."""
    env = {k: v for k, v in os.environ.items() if k != "MEDSTAT_MEMORY_LIMIT_MB"}
    env.setdefault("MALLOC_ARENA_MAX", "2")  # as the Makefile's run and the Dockerfile set it
    if limit_mb:
        env["MEDSTAT_MEMORY_LIMIT_MB"] = f"{limit_mb:g}"
    with open(log_path, "w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "shiny", "run", "app.py", "--host", "127.0.0.1"]
            + ["--port", str(port)],
            cwd=harness.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**env, "PYTHONUNBUFFERED": "1"},
        )


def wait_for_health(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer at {url} within {seconds} s")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--browsers", type=int, default=2, help="chromium processes")
    parser.add_argument(
        "--in-browsers",
        type=int,
        default=IN_BROWSERS,
        help="sessions driven in chromium; the others are raw websocket clients",
    )
    parser.add_argument("--limit-mb", type=float, default=None, help="MEDSTAT_MEMORY_LIMIT_MB")
    args = parser.parse_args(argv)
    in_browsers = max(1, min(args.in_browsers, args.sessions))
    folder = Path(tempfile.mkdtemp(prefix="medstat-load-"))
    files = make_files(folder, args.sessions)
    port = harness.free_port()
    log_path = folder / "server.log"
    proc = start_app(port, log_path, args.limit_mb)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url + "/healthz", proc)
        with ServerWatch(proc.pid) as watch:
            steps, before, after, wall = asyncio.run(
                drive(url, files, args.sessions, in_browsers, args.browsers, args.seconds)
            )
        server_log = log_path.read_text(errors="replace")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
    hits, misses = after[0] - before[0], after[1] - before[1]
    payload = {
        "notes": (
            f"{args.sessions} sessions against one `shiny run app.py` process on loopback: "
            f"{in_browsers} Playwright contexts in {args.browsers} chromium processes, "
            f"{args.sessions - in_browsers} raw websocket clients (bench/load_ws.py); think "
            "time 0.5-2 s; latency = input sent to the new result (or tab) on screen"
        ),
        "sessions": args.sessions,
        "in_browsers": in_browsers,
        "websocket_clients": args.sessions - in_browsers,
        "browsers": args.browsers,
        "seconds": args.seconds,
        "wall_s": round(wall, 1),
        **summarise(steps),
        "server_rss_peak_mb": round(watch.peak_mb, 1),
        "server_rss_median_mb": round(sorted(watch.samples)[len(watch.samples) // 2], 1)
        if watch.samples
        else None,
        "server_limit_mb": logged_limit_mb(server_log),
        "server_log": server_log_counts(server_log),
        "host_cpu_mean_pct": round(sum(watch.cpu) / len(watch.cpu), 1) if watch.cpu else None,
        "cache": {
            "hits": hits,
            "misses": misses,
            "hit_rate": round(hits / (hits + misses), 3) if hits + misses else None,
        },
    }
    # Until the tabs tell a refusal from a crash, the log says which "errors" were refusals.
    payload["errors_not_memory_refusals"] = max(
        0, payload["errors"] - payload["server_log"]["errors_from_memory_refused"]
    )
    report(payload)
    limit = f" --limit-mb {args.limit_mb:g}" if args.limit_mb else ""
    name = NAME if not args.limit_mb else f"{NAME}_{args.limit_mb:g}mb"
    harness.write_result(name, f"{COMMAND} --seconds {args.seconds:g}{limit}", payload)
    for path in files:
        path.unlink(missing_ok=True)
    harness.out(f"server log kept in {log_path}")
    return payload


if __name__ == "__main__":
    main()
