"""What a load run records and how it is reported: steps, the server watcher, the summary."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

import psutil

from bench import harness
from bench.data_gen import covariate_names

KINDS = ("outcome", "table1", "correlation", "stats", "upload")
REPORTED = (*KINDS, "open")
REFUSED = re.compile(r"server is busy|needs about \d+ MB|more than the server has free")
COVARIATES = covariate_names(13)
# A few covariate sets per file, so that sessions on the same bytes repeat each other's work.
PRESETS = (COVARIATES, COVARIATES[:6], COVARIATES[3:10], ("age", "sex", "stage", "albumin"))


@dataclass
class Step:
    session: int
    kind: str
    ms: float
    outcome: str  # done, refused, error, timeout, disconnected, reconnected
    detail: str = ""


def step_of(session: int, kind: str, ms: float, state: str, detail: str = "") -> Step:
    """A Step, with an error that is a memory refusal counted as refused."""
    if state == "error" and REFUSED.search(detail):
        state = "refused"
    return Step(session, kind, ms, state, detail)


class ServerWatch:
    """Polls the server process's RSS (and the host's CPU) in a thread; keeps the peak."""

    def __init__(self, pid: int, every_s: float = 0.25) -> None:
        self.process = psutil.Process(pid)
        self.every_s = every_s
        self.peak_mb = 0.0
        self.samples: list[float] = []
        self.cpu: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        psutil.cpu_percent()
        while not self._stop.wait(self.every_s):
            try:
                mb = self.process.memory_info().rss / harness.MB
            except psutil.Error:
                return
            self.peak_mb = max(self.peak_mb, mb)
            self.samples.append(mb)
            self.cpu.append(psutil.cpu_percent())

    def __enter__(self) -> ServerWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def summarise(steps: list[Step]) -> dict[str, Any]:
    """Counts by outcome and p50/p95 latency by kind (completed interactions only)."""
    by_kind: dict[str, Any] = {}
    for kind in REPORTED:
        done = [s.ms for s in steps if s.kind == kind and s.outcome == "done"]
        stats = harness.summary(done) if done else {}
        by_kind[kind] = {
            "count": sum(1 for s in steps if s.kind == kind),
            "done": len(done),
            "p50_ms": _pct(done, 50),
            "p95_ms": _pct(done, 95),
            "max_ms": max(done) if done else None,
            "summary": stats,
        }
    done_all = [s.ms for s in steps if s.outcome == "done"]
    outcomes = Counter(s.outcome for s in steps)
    return {
        "interactions": len([s for s in steps if s.kind != "js"]),
        "outcomes": dict(outcomes),
        "errors": sum(n for o, n in outcomes.items() if o not in ("done", "refused")),
        "refused": outcomes.get("refused", 0),
        "p50_ms": _pct(done_all, 50),
        "p95_ms": _pct(done_all, 95),
        "by_kind": by_kind,
        "error_examples": [asdict(s) for s in steps if s.outcome not in ("done", "refused")][:20]
        + [asdict(s) for s in steps if s.outcome == "refused"][:3],
    }


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 1)


def limit_mb(log: str) -> float | None:
    """The memory limit the server logged at start-up ('memory limit 300 MB (default)')."""
    found = re.search(r"memory limit (\d+(?:\.\d+)?) MB", log)
    return float(found[1]) if found else None


def server_log_counts(log: str) -> dict[str, int]:
    """What the server said about the run: refusals, cleanups, errors, websocket trouble.

    The pages show some refusals as an 'unexpected error' (see the report), so the log is the
    authority on which failures were memory refusals."""
    return {
        "memory_refused": log.count("memory refused"),
        "memory_cleanups": len(re.findall(r"utils\.memory: memory (?:warn|critical) at", log)),
        "error_lines": len(re.findall(r" ERROR ", log)),
        "errors_from_memory_refused": log.count("utils.memory.MemoryRefused"),
        "tracebacks": log.count("Traceback (most recent call last)"),
        "computed": log.count(" computed in "),
        "served_from_memory": log.count(" memory in "),
        "served_shared": log.count(" shared in "),
    }


def report(p: dict[str, Any]) -> None:
    rows = [
        [k, v["count"], v["done"], v["p50_ms"], v["p95_ms"], v["max_ms"]]
        for k, v in p["by_kind"].items()
    ]
    harness.table(
        f"load: {p['sessions']} sessions for {p['seconds']:g} s",
        ["interaction", "count", "done", "p50 ms", "p95 ms", "max ms"],
        rows,
    )
    harness.out(
        f"errors {p['errors']} ({p['errors_not_memory_refusals']} not memory refusals) · "
        f"refused {p['refused']} · memory refusals in the server log "
        f"{p['server_log']['memory_refused']} · all p50 {p['p50_ms']} ms, p95 "
        f"{p['p95_ms']} ms · server RSS peak {p['server_rss_peak_mb']} of "
        f"{p['server_limit_mb']} MB · cache hit rate {p['cache']['hit_rate']} "
        f"({p['cache']['hits']} hits, {p['cache']['misses']} misses) · host CPU "
        f"{p['host_cpu_mean_pct']}%"
    )
