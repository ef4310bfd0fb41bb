"""Issue 17 case 1: what sets /healthz's worst answer while a 16,000-column file is uploaded.

The scenario of tests/hostile/test_wide_csv.py (a victim's outcome analysis, another browser
uploads the wide CSV, the editor paged, the Outcome tab's controls drawn), with the server
instrumented by bench/loop_probe.py (slow event-loop callbacks with their CPU time, garbage
collections, each thread's CPU) and /healthz polled every 100 ms twice: from a thread of this
process, which also drives the browser (as the test and bench/wide_data.py do), and from a
process of its own. Optionally py-spy samples which thread holds the interpreter lock.
The worst answers are lined up with what the server logged around them.

    .venv/bin/python -m bench.healthz_stalls --label after [--py-spy /tmp/pyspy/bin/py-spy]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import harness

NAME = "healthz_stalls"
COMMAND = ".venv/bin/python -m bench.healthz_stalls --label after"
COLUMNS = 16_000
PROBE_DIR = Path(__file__).parent / "probe"


def poll_apart(url: str, stop_file: Path, out: Path) -> subprocess.Popen:
    """A /healthz poller in a process of its own (nothing else runs there)."""
    code = (
        "import json, pathlib, sys, time\n"
        "from tests.hostile.wide_helpers import HealthPoller\n"
        f"stop = pathlib.Path({str(stop_file)!r})\n"
        f"with HealthPoller({url!r}) as p:\n"
        "    while not stop.exists(): time.sleep(0.05)\n"
        f"pathlib.Path({str(out)!r}).write_text(json.dumps("
        "{'summary': p.summary(), 'sent_at': p.sent_at, 'ms': p.latencies_ms}))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "MEDSTAT_PROBE_OUT"}
    return subprocess.Popen([sys.executable, "-c", code], cwd=harness.ROOT, env=env)


class ClientPauses:
    """Full garbage collections of this (the polling) process over 20 ms, with their times."""

    def __init__(self) -> None:
        self.pauses: list[dict[str, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        import time as clock

        if phase == "start":
            self._started = clock.perf_counter()
        elif (took := clock.perf_counter() - self._started) > 0.02:
            self.pauses.append({"generation": info["generation"], "ms": round(took * 1000, 1)})


def scenario(tmp: Path, py_spy: str | None) -> dict[str, Any]:
    from playwright.sync_api import expect, sync_playwright

    from bench.wide_data import write_wide_csv
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.e2e.helpers import choose, open_tab, run_outcome
    from tests.hostile.trust_helpers import app, open_page
    from tests.hostile.wide_helpers import HealthPoller, timed_run, upload_wide

    wide = write_wide_csv(tmp / f"wide_{COLUMNS}.csv", COLUMNS)
    probe_out = tmp / "probe.jsonl"
    os.environ["MEDSTAT_PROBE_OUT"] = str(probe_out)
    os.environ["PYTHONPATH"] = os.pathsep.join([str(PROBE_DIR), str(harness.ROOT)])
    stop, apart_out = tmp / "stop", tmp / "apart.json"
    spy = None
    pauses = ClientPauses()
    gc.callbacks.append(pauses)
    try:
        with sync_playwright() as p, app(tmp, embeddings="false") as server:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            victim = open_page(browser, server.url)
            run_outcome(victim)
            open_tab(victim, "Outcome analysis")
            victim.locator("input[name='outcome-summary'][value='median']").check()
            uploader = open_page(browser, server.url)
            if py_spy:
                spy = subprocess.Popen(
                    [py_spy, "record", "--pid", str(server.pid), "--gil", "--threads",
                     "--rate", "200", "--format", "raw", "--output", str(tmp / "spy.txt")],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
            apart = poll_apart(server.url, stop, apart_out)
            time.sleep(1)
            started = time.time()
            with HealthPoller(server.url) as health:
                upload_wide(uploader, wide)
                shown_s = time.time() - started
                victim_s = timed_run(victim, "outcome")
                uploader.click("#data-column_next")
                expect(uploader.locator("#column-showing")).to_contain_text("Showing 51–100")
                open_tab(uploader, "Outcome analysis")
                choose(uploader, "outcome-covariates", "v15997")
            stop.write_text("")
            apart.wait(timeout=30)
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                spy.wait(timeout=60)
                spy = None
            ended = time.time()
            log = server.log()
    finally:
        gc.callbacks.remove(pauses)
        os.environ.pop("MEDSTAT_PROBE_OUT", None)
        if spy is not None:
            spy.kill()
    far = json.loads(apart_out.read_text())
    probe = [json.loads(line) for line in probe_out.read_text().splitlines()]
    # The server's own lines (the reading child loads the probe too: its collections stop no loop)
    probe = [r for r in probe if r["pid"] == server.pid and started <= r["t"] <= ended]
    return {
        "in_process": health.summary(),
        "apart": far["summary"],
        "editor_shown_s": round(shown_s, 2),
        "victim_analysis_s": round(victim_s, 2),
        "worst_in_process": worst(health.sent_at, health.latencies_ms, probe),
        "worst_apart": worst(far["sent_at"], far["ms"], probe),
        "slow_callbacks": sorted(
            (r for r in probe if r["kind"] == "callback"), key=lambda r: -r["wall_ms"]
        )[:8],
        "gc": [r for r in probe if r["kind"] == "gc"],
        "thread_cpu_s": thread_totals(probe),
        "gil": gil_holders(tmp / "spy.txt") if py_spy else None,
        "log_lines": len(log.splitlines()),
        "client_gc_pauses": pauses.pauses,
        "client_tracked_objects": len(gc.get_objects()),
    }


def worst(sent_at: list[float], ms: list[float], probe: list[dict], n: int = 3) -> list[dict]:
    """The n slowest answers, each with the probe's findings that overlap it."""
    rows = sorted(zip(sent_at, ms, strict=True), key=lambda r: -r[1])[:n]
    out = []
    for sent, took in rows:
        end = sent + took / 1000
        near = [
            {k: v for k, v in r.items() if k != "t"} | {"ended_after_s": round(r["t"] - sent, 3)}
            for r in probe
            if r["kind"] in ("callback", "gc") and sent - 0.05 <= r["t"] <= end + 0.05
        ]
        out.append({"ms": round(took, 1), "at": round(sent, 3), "server": near})
    return out


def thread_totals(probe: list[dict]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for r in probe:
        if r["kind"] == "threads":
            for name, s in r["cpu_s"].items():
                totals[name] = round(totals.get(name, 0.0) + s, 2)
    return dict(sorted(totals.items(), key=lambda kv: -kv[1]))


def gil_holders(path: Path, top: int = 12) -> dict[str, Any]:
    """py-spy's samples of the thread holding the interpreter lock: by thread, and the
    innermost frames of our code most often seen holding it."""
    if not path.exists():
        return {}
    threads: dict[str, int] = {}
    frames: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n = int(count)
        total += n
        parts = stack.split(";")
        thread = parts[0]
        threads[thread] = threads.get(thread, 0) + n
        ours = [f for f in parts[1:] if "/site-packages/" not in f and "python3.11/" not in f]
        key = f"{thread} | {ours[-1] if ours else parts[-1]}"
        frames[key] = frames.get(key, 0) + n
    by_thread = dict(sorted(threads.items(), key=lambda kv: -kv[1]))
    return {
        "samples": total,
        "by_thread": by_thread,
        "top_frames": dict(sorted(frames.items(), key=lambda kv: -kv[1])[:top]),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after")
    parser.add_argument("--py-spy", default=None, help="path of a py-spy binary (optional)")
    parser.add_argument(
        "--measure-first",
        type=int,
        default=0,
        help="first run bench/wide_data.py's in-process builders on this many columns, as "
        "`wide_data --server` does before its server run (the data stays in this process)",
    )
    args = parser.parse_args(argv)
    if args.measure_first:
        import asyncio

        from bench.wide_data import measure

        asyncio.set_event_loop(asyncio.new_event_loop())
        measure(args.measure_first)
    with tempfile.TemporaryDirectory() as tmp:
        figures = {"machine": harness.machine(), **scenario(Path(tmp), args.py_spy)}
        keep = Path(tempfile.gettempdir()) / f"{NAME}_{args.label}"  # raw samples, not committed
        keep.mkdir(exist_ok=True)
        for name in ("spy.txt", "probe.jsonl", "server.log"):
            if (Path(tmp) / name).exists():
                (keep / name).write_bytes((Path(tmp) / name).read_bytes())
    harness.out(json.dumps({k: figures[k] for k in ("in_process", "apart")}))
    path = harness.RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()).get("runs", {}) if path.exists() else {}
    harness.write_result(NAME, COMMAND, {"runs": {**previous, args.label: figures}})
    return figures


if __name__ == "__main__":
    main()
