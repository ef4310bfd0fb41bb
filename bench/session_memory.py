"""What an open session costs the server: RSS growth per idle websocket (issue 17 case 5 measured
~1.6 MB each: 520 of them took RSS from 198 to 1,037 MB) and what stays after they close, so
that MEDSTAT_MAX_SESSIONS x the cost of one fits the memory budget.

The app runs as `make run` starts it with the session caps out of the way; each socket comes
from an address of its own (X-Forwarded-For through one trusted hop) and never says anything,
as in the issue.

Run: .venv/bin/python -m bench.session_memory   (writes bench/results/session_memory.json)
"""

from __future__ import annotations

import asyncio
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


if __name__ == "__main__":
    main(sys.argv[1:])
