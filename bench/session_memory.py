"""What an open session costs the server: RSS growth per idle websocket (issue 17 case 5 measured
~1.6 MB each: 520 of them took RSS from 198 to 1,037 MB) and what stays after they close, so
that MEDSTAT_MAX_SESSIONS x the cost of one fits the memory budget.

The app runs as `make run` starts it with the session caps out of the way; each socket comes
from an address of its own (X-Forwarded-For through one trusted hop) and never says anything,
as in the issue.

A full session (`--full`): a browser tab in Debian's chromium uploads the example file and runs
each main tab once; after one warm-up session (the statistics stack imported, the results
cached), six more: RSS per session while open, and what stays once they closed.

Run: .venv/bin/python -m bench.session_memory [--full]   (writes bench/results/session_memory.json)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from bench import harness
from bench.load import start_app, wait_for_health

NAME = "session_memory"
COMMAND = ".venv/bin/python -m bench.session_memory"
SOCKETS = 150  # the default MEDSTAT_MAX_SESSIONS
SETTLE_S = 4.0


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


async def _open(url: str, count: int) -> list:
    import websockets

    ws_url = url.replace("http://", "ws://") + "/websocket/"
    return [
        await websockets.connect(
            ws_url, additional_headers={"X-Forwarded-For": f"10.9.{k // 250}.{k % 250}"}
        )
        for k in range(count)
    ]


def main(argv: list[str]) -> dict[str, Any]:
    if "--full" in argv:
        return _main_full()
    os.environ.update(
        {
            "MEDSTAT_PROXY_HOPS": "1",
            "MEDSTAT_MAX_SESSIONS": "10000",
            "MEDSTAT_ADDRESS_SESSIONS": "10000",
            "MEDSTAT_SESSION_OPEN_BURST": "10000",
        }
    )
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp()) / "server.log"
    proc = start_app(port, log_path, None)
    try:
        wait_for_health(url + "/healthz", proc)
        time.sleep(SETTLE_S)
        before = _rss_mb(proc.pid)

        async def run() -> tuple[float, float]:
            sockets = await _open(url, SOCKETS)
            await asyncio.sleep(SETTLE_S)
            held = _rss_mb(proc.pid)
            for ws in sockets:
                await ws.close()
            await asyncio.sleep(SETTLE_S)
            return held, _rss_mb(proc.pid)

        held, after = asyncio.run(run())
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    per_socket = (held - before) / SOCKETS
    payload = {
        "sockets": SOCKETS,
        "rss_before_mb": before,
        "rss_open_mb": held,
        "rss_after_close_mb": after,
        "mb_per_idle_socket": per_socket,
        "default_cap_costs_mb": per_socket * SOCKETS,
    }
    harness.table(
        "Idle websockets (each its own address, never a message)",
        ["sockets", "RSS before", "RSS open", "RSS closed", "MB each", "cap x each"],
        [[SOCKETS, before, held, after, per_socket, per_socket * SOCKETS]],
    )
    harness.write_result(NAME, COMMAND, payload)
    return payload


# --- A full session: the example file uploaded and one analysis of each main tab -------------
TABS = {  # module id -> the tab's name in the navbar (Survival needs a follow-up time,
    # which the example file has not: left out)
    "outcome": "Outcome analysis",
    "table1": "Table 1",
    "regression": "Regression",
    "diagnostic": "Diagnostic accuracy",
    "correlation": "Correlation",
}
FULL_SESSIONS = 6  # measured after one warm-up session (statistics imported, results cached)


def _full_session(browser, url: str, example: Path) -> tuple[Any, list[str]]:
    """One browser tab: upload the example file, run each main tab once; (page, tabs run)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    from tests.e2e.helpers import choose, click_run_and_wait, open_tab, upload
    from tests.hostile.trust_helpers import open_page

    page = open_page(browser, url)
    upload(page, example)
    ran = []
    for tab, name in TABS.items():
        open_tab(page, name)
        try:
            if tab == "regression":  # no default outcome: a continuous one chosen, as a user does
                page.locator("#regression-outcome").wait_for(state="attached", timeout=20_000)
                page.locator("#regression-outcome").select_option("albumin")
                choose(page, "regression-covariates", "age")
            if tab == "diagnostic":  # the reference is chosen by default, markers are not
                choose(page, "diagnostic-markers", "crp")
            page.locator(f"#{tab}-run:enabled").wait_for(timeout=30_000)
            click_run_and_wait(page, tab, timeout=30_000)
            ran.append(tab)
        except (PlaywrightTimeout, AssertionError):  # named in the figures as not run
            pass
    return page, ran


def full_sessions(sessions: int = FULL_SESSIONS) -> dict[str, Any]:
    """RSS per full session (browser tabs in Debian's chromium), after one warm-up session,
    and what stays once they closed (their kept state waits MEDSTAT_SESSION_KEEP_S)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    example = harness.ROOT / "data" / "example_clinical.csv"
    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp()) / "server.log"
    proc = start_app(port, log_path, None)
    try:
        wait_for_health(url + "/healthz", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            warm, ran = _full_session(browser, url, example)
            warm.context.close()
            time.sleep(SETTLE_S)
            before = _rss_mb(proc.pid)
            pages = []
            for _ in range(sessions):
                page, also = _full_session(browser, url, example)
                pages.append(page)
                ran = [tab for tab in ran if tab in also]  # run in every session
            time.sleep(SETTLE_S)
            held = _rss_mb(proc.pid)
            for page in pages:
                page.context.close()
            time.sleep(SETTLE_S)
            after = _rss_mb(proc.pid)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    each = (held - before) / sessions
    return {
        "sessions": sessions,
        "tabs_run": ran,
        "rss_before_mb": before,
        "rss_open_mb": held,
        "rss_after_close_mb": after,
        "mb_per_full_session": each,
        "mb_kept_per_closed_session": (after - before) / sessions,
    }


def _main_full() -> dict[str, Any]:
    # the caps on sessions of one address out of the way (every tab here comes from loopback)
    os.environ.update({"MEDSTAT_ADDRESS_SESSIONS": "100", "MEDSTAT_SESSION_OPEN_BURST": "100"})
    full = full_sessions()
    harness.table(
        "Full sessions (the example file, each main tab run once; after a warm-up session)",
        ["sessions", "tabs run", "RSS before", "RSS open", "RSS closed", "MB each", "kept each"],
        [
            [
                full["sessions"],
                len(full["tabs_run"]),
                full["rss_before_mb"],
                full["rss_open_mb"],
                full["rss_after_close_mb"],
                full["mb_per_full_session"],
                full["mb_kept_per_closed_session"],
            ]
        ],
    )
    path = harness.RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.pop("benchmark", None), previous.pop("command", None), previous.pop("machine", None)
    harness.write_result(NAME, COMMAND, {**previous, "full_sessions": full})
    return full


if __name__ == "__main__":
    main(sys.argv[1:])
