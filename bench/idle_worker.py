"""What a worker costs before anyone uses it (issue 16: idle RSS <= 150 MB, was 196 MB).

Two parts, each in fresh processes:
1. Imports: RSS after each import the app makes, in the order it makes them, then what the
   first analysis adds (the statistics stack the warm-up thread imports when a session opens).
2. The app as `make run` starts it (bench/load.start_app): RSS once /healthz answers and the
   page has been served with no session open (idle), with one browser session open on the
   example data, and after that session closed.

Run: .venv/bin/python -m bench.idle_worker   (writes bench/results/idle_worker.json)
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import psutil

from bench import harness
from bench.load import start_app, wait_for_health

NAME = "idle_worker"
COMMAND = ".venv/bin/python -m bench.idle_worker"
GOAL_IDLE_MB = 150.0
SETTLE_S = 3.0

# What `import app` pulls in, heaviest first in the order the app meets them; then what the
# first analysis and the other tabs' analyses add.
IMPORTS = (
    "numpy",
    "pandas",
    "shiny",
    "plotly.graph_objects",
    "rapidfuzz",
    "app",
    "analyses.outcome",
    "analyses.table1",
    "analyses.survival",
    "analyses.diagnostic",
    "analyses.correlation",
    "analyses.regression",
)

_PROBE = """
import json, logging, sys, psutil
logging.disable(logging.CRITICAL)
process = psutil.Process()
rows = [("python", process.memory_info().rss / 2**20)]
for name in sys.argv[1:]:
    __import__(name)
    rows.append((name, process.memory_info().rss / 2**20))
print(json.dumps(rows))
"""


def import_costs() -> list[dict[str, Any]]:
    """RSS after each import, cumulative, in one fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *IMPORTS],
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        {"module": name, "rss_mb": rss, "adds_mb": rss - rows[i - 1][1] if i else rss}
        for i, (name, rss) in enumerate(rows)
    ]


def _rss_mb(pid: int) -> float:
    return psutil.Process(pid).memory_info().rss / 2**20


def served_worker() -> dict[str, float]:
    """RSS of a started app: idle, with one browser session on the example data, after it."""
    from playwright.sync_api import sync_playwright

    port = harness.free_port()
    url = f"http://127.0.0.1:{port}"
    proc = start_app(port, Path(harness.ROOT / "bench" / "results" / "idle_worker.log"), None)
    try:
        wait_for_health(url + "/healthz", proc)
        with urllib.request.urlopen(url + "/", timeout=30) as response:
            response.read()
        time.sleep(SETTLE_S)
        idle = _rss_mb(proc.pid)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium")
            page = browser.new_page()
            page.goto(url)
            page.wait_for_selector("text=example_clinical.csv", timeout=60_000)
            time.sleep(SETTLE_S * 2)  # the warm-up thread's imports
            one_session = _rss_mb(proc.pid)
            browser.close()
        time.sleep(SETTLE_S)
        return {"idle_mb": idle, "one_session_mb": one_session, "after_close_mb": _rss_mb(proc.pid)}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        Path(harness.ROOT / "bench" / "results" / "idle_worker.log").unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    imports = import_costs()
    harness.table(
        "RSS after each import, one fresh process (MB)",
        ["module", "RSS", "adds"],
        [[r["module"], r["rss_mb"], r["adds_mb"]] for r in imports],
    )
    served = served_worker()
    harness.table(
        "The app as `make run` starts it (MB)",
        ["idle (page served, no session)", "one session open", "after it closed", "goal"],
        [
            [
                served["idle_mb"],
                served["one_session_mb"],
                served["after_close_mb"],
                "met" if served["idle_mb"] <= GOAL_IDLE_MB else "MISSED",
            ]
        ],
    )
    payload = {
        "goal": f"idle RSS <= {GOAL_IDLE_MB:g} MB",
        "units": "MB (RSS)",
        "notes": (
            "imports: cumulative RSS in one fresh process, in the order listed; served: the app "
            "started as bench.load.start_app does (MALLOC_ARENA_MAX=2, default budget), idle = "
            "/healthz answered and the page served, no session; the statistics stack is imported "
            "when the first session opens (logic.warm_up)"
        ),
        "imports": imports,
        "served": served,
        "goal_met": served["idle_mb"] <= GOAL_IDLE_MB,
    }
    path = harness.write_result(NAME, COMMAND, payload)
    harness.out(f"wrote {path.relative_to(harness.ROOT)}")
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
