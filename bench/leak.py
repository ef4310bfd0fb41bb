"""Where the server's memory goes under repeated cached requests: RSS per request, and (with
--trace) what Python objects grew, to tell a leak of objects from malloc fragmentation.

Starts the app as bench.load does, takes one browser's init message, then N raw websocket
clients (bench/load_ws.py) each repeat the same outcome analysis on the example data (cached
after the first run). The server's RSS is sampled every K requests. --fresh-sessions opens a
new session for every request and closes it, as reconnecting or short-lived users do.
--env NAME=VALUE passes settings (e.g. MALLOC_ARENA_MAX=2) to the server. With --trace each
sample is a tracemalloc snapshot, which holds the server's event loop for 10-40 s on 2 busy
cores: use few samples (--every 300) and read the diffs in the server log it names.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import harness
from bench.load import CHROMIUM, CHROMIUM_ARGS, start_app, wait_for_health
from bench.load_browser import keep_init
from bench.load_report import PRESETS
from bench.load_ws import WsSession

NAME = "leak"
COMMAND = ".venv/bin/python -m bench.leak"


async def capture_init(url: str) -> dict[str, Any]:
    """The inputs a real browser sends when it opens the app."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        init: asyncio.Future = asyncio.get_running_loop().create_future()
        page = await browser.new_page()
        page.on("websocket", lambda ws: ws.on("framesent", lambda f: keep_init(f, init)))
        await page.goto(url)
        data = await asyncio.wait_for(init, 60)
        await browser.close()
    return data


async def drive(url: str, pid: int, args: argparse.Namespace) -> list[dict[str, float]]:
    init = await capture_init(url)
    data_file = harness.ensure_csv(args.rows)
    server = psutil.Process(pid)
    samples: list[dict[str, float]] = []
    done = 0
    started = time.perf_counter()
    lock = asyncio.Lock()

    def sample() -> None:
        samples.append(
            {
                "requests": done,
                "rss_mb": round(server.memory_info().rss / harness.MB, 1),
                "s": round(time.perf_counter() - started, 1),
            }
        )
        if args.trace:
            os.kill(pid, signal.SIGUSR1)

    async def client(number: int) -> None:
        nonlocal done
        session = None
        for _ in range(args.requests // args.clients):
            if session is None:
                session = WsSession(url, init, number, 300 if args.trace else 60)
                await session.open()
                await session.upload(data_file)
            state, text = await session.run_outcome(list(PRESETS[0]))
            if state != "done":
                raise RuntimeError(f"client {number}: {text}")
            if args.fresh_sessions:
                await session.close()
                session = None
            async with lock:
                done += 1
                if done % args.every == 0:
                    sample()
        if session is not None:
            await session.close()

    sample()
    await asyncio.gather(*[client(n) for n in range(args.clients)])
    await asyncio.sleep(args.settle)
    sample()
    return samples


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=800)
    parser.add_argument("--rows", type=int, default=2_000, help="rows of the uploaded file")
    parser.add_argument("--every", type=int, default=100, help="sample RSS every K requests")
    parser.add_argument("--fresh-sessions", action="store_true")
    parser.add_argument("--trace", action="store_true", help="MEDSTAT_DEBUG_TRACEMALLOC=1")
    parser.add_argument("--settle", type=float, default=5.0, help="seconds before the last sample")
    parser.add_argument("--env", action="append", default=[], help="NAME=VALUE for the server")
    parser.add_argument("--label", default="")
    args = parser.parse_args(argv)
    extra = dict(item.split("=", 1) for item in args.env)
    if args.trace:
        extra["MEDSTAT_DEBUG_TRACEMALLOC"] = "1"
    folder = Path(tempfile.mkdtemp(prefix="medstat-leak-"))
    log_path = folder / "server.log"
    port = harness.free_port()
    saved = {k: os.environ.get(k) for k in extra}
    os.environ.update(extra)
    try:
        proc = start_app(port, log_path, None)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_health(url + "/healthz", proc)
        samples = asyncio.run(drive(url, proc.pid, args))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    first = next(s for s in samples if s["requests"] >= args.every)
    last = samples[-1]
    per_request_kb = (
        (last["rss_mb"] - first["rss_mb"]) * 1024 / max(1, last["requests"] - first["requests"])
    )
    harness.table(
        f"leak: {args.clients} clients, {args.requests} cached outcome requests"
        + (", a new session each" if args.fresh_sessions else "")
        + (f", {' '.join(args.env)}" if args.env else ""),
        ["requests", "seconds", "server RSS MB"],
        [[s["requests"], s["s"], s["rss_mb"]] for s in samples],
    )
    harness.out(
        f"growth after the first {args.every} requests: {per_request_kb:.1f} kB per request"
    )
    harness.out(f"server log kept in {log_path}")
    payload = {
        "clients": args.clients,
        "requests": args.requests,
        "fresh_sessions": args.fresh_sessions,
        "env": extra,
        "samples": samples,
        "kb_per_request_after_warmup": round(per_request_kb, 1),
    }
    name = f"{NAME}_{args.label}" if args.label else NAME
    harness.write_result(name, COMMAND + " " + " ".join(argv or []), payload)
    return payload


if __name__ == "__main__":
    main()
