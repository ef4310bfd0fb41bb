"""What every benchmark shares: result files, tables on stdout, machine facts, child processes."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
# Generated CSVs live outside the repo: they are big and rebuilt from a fixed seed.
DATA_DIR = Path(os.environ.get("MEDSTAT_BENCH_DATA", "/tmp/medstat-bench-data"))
CHILD_MARK = "BENCH-RESULT "
MB = 1024 * 1024


def machine() -> dict[str, Any]:
    """Facts a reader needs to compare figures: cores, CPU, memory, versions, date."""
    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("pandas", "numpy", "scipy", "statsmodels", "shiny", "cachetools", "redis"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "cores": os.cpu_count(),
        "affinity_cores": len(os.sched_getaffinity(0)),
        "cpu": cpu,
        "memory_gb": round(psutil.virtual_memory().total / 1024**3, 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),  # other work on the host skews timings
        "python": platform.python_version(),
        "packages": versions,
    }


def write_result(name: str, command: str, payload: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json with the command and the machine it ran on."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    doc = {"benchmark": name, "command": command, "machine": machine(), **payload}
    path.write_text(json.dumps(doc, indent=2, default=_plain) + "\n")
    return path


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def out(text: str = "") -> None:
    """A line of a benchmark's report on stdout (the benchmarks' output is their product)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A plain-text table on stdout."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(header)
    ]
    out()
    out(title)
    out("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    out("  ".join("-" * w for w in widths))
    for row in cells:
        out("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths)))


def _cell(value: Any) -> str:
    if isinstance(value, float):
        if value == 0 or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    return str(value)


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "", 1).replace("-", "", 1).isdigit()


def summary(values: Sequence[float]) -> dict[str, float]:
    """n, median, p95, min, max of a list of timings."""
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(ordered),
        "median": statistics.median(ordered),
        "p95": p95,
        "min": ordered[0],
        "max": ordered[-1],
    }


def timed(work: Callable[[], Any], repeats: int = 7) -> dict[str, float]:
    """Milliseconds per call of `work`, `repeats` calls, summarised (`summary`)."""
    spent = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        spent.append((time.perf_counter() - start) * 1000)
    return summary(spent)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def emit_child_result(payload: dict[str, Any]) -> None:
    """A child process's answer to its parent: one marked JSON line on stdout."""
    out(CHILD_MARK + json.dumps(payload, default=_plain))


def run_child(
    module: str,
    args: Sequence[str],
    env: dict[str, str] | None = None,
    timeout_s: float = 300,
    unset: Sequence[str] = (),
) -> dict[str, Any]:
    """Run `python -m module args` in a fresh process and return the JSON it emitted.

    The child inherits this environment plus `env`, minus the variables named in `unset`.
    """
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    for name in unset:
        full_env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(CHILD_MARK):
            return json.loads(line[len(CHILD_MARK) :])
    raise RuntimeError(
        f"{module} {' '.join(args)} exited {proc.returncode} without a result:\n"
        f"{proc.stderr[-3000:]}"
    )


class PeakRss:
    """Polls a process's RSS in a thread (default every 10 ms) and keeps the peak in MB.

    With `children`, the RSS of its child processes (e.g. a model worker) is added.
    """

    def __init__(self, pid: int | None = None, every_s: float = 0.01, children: bool = False):
        self._process = psutil.Process(pid or os.getpid())
        self._children = children
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="bench-rss")
        self.peak_mb = self.now_mb()
        self.samples: list[tuple[float, float]] = []

    def now_mb(self) -> float:
        total = self._process.memory_info().rss
        if self._children:
            for child in self._process.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += child.memory_info().rss
        return total / MB

    def _poll(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            try:
                rss = self.now_mb()
            except psutil.NoSuchProcess:
                return
            self.peak_mb = max(self.peak_mb, rss)
            self.samples.append((time.monotonic() - start, rss))
            self._stop.wait(self._every_s)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.peak_mb = max(self.peak_mb, self.now_mb())


def start_logic() -> str:
    """Start the layers as the app does (logic.start) and wait for the statistics stack to import,
    which the app does in a warm-up thread when the first session opens; returns the outcome
    analysis version."""
    import importlib

    import logic

    logic.start()
    return str(importlib.import_module(logic.ANALYSES["outcome"]).VERSION)


def ru_maxrss_mb() -> float:
    """Peak RSS of this whole process so far (Linux reports kB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_csv(rows: int, covariates: int = 13) -> Path:
    """The benchmark CSV of rows x covariates, generated once (fixed seed) and reused.

    It is written by a child process: a parent that built a 1M-row frame itself would pass its
    high-water RSS on to every child it starts (Linux keeps ru_maxrss across fork and exec), and
    the children's peak-memory figures would be the parent's."""
    path = DATA_DIR / f"clinical_{rows}x{covariates}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        script = (
            "import sys, pathlib; from bench.data_gen import write_csv; "
            "write_csv(pathlib.Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))"
        )
        subprocess.run(
            [sys.executable, "-c", script, str(tmp), str(rows), str(covariates)],
            check=True,
            cwd=ROOT,
        )
        tmp.replace(path)
    return path
