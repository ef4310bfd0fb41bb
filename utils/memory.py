"""Layer 2: the memory manager: watch RSS against a limit, clean up on warn, refuse on critical,
and admit an analysis only when its estimated working memory fits."""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path

import psutil

from utils.config import settings
from utils.memory_limit import CGROUP_FILES, resolve_limit

log = logging.getLogger(__name__)

MB = 1024 * 1024
OK, WARN, CRITICAL = 0, 1, 2
STATUS_NAMES = ("ok", "warn", "critical")
BUSY_MESSAGE = "The server is busy with large analyses; try again in a minute."

# Working memory of one analysis = base_mb + per_cell x rows x p x 8 bytes, where p = 1 + cols x
# levels is the width of the design matrix. Calibrated on analyses.outcome.analyze (tracemalloc
# peak and ru_maxrss growth, 10k-300k rows, 13-20 covariates, 0-5 factors): the peak is 4.2-4.6
# float64 copies of the design (the data subset, dummies, statsmodels' exog and its n x p
# temporaries in the Hessian, univariable fits) plus ~8 MB at 10k rows. 5 copies leaves a margin.
COSTS: dict[str, tuple[float, float]] = {
    "outcome": (10.0, 5.0),
    # Reading an upload: rows = file bytes, cols = 0, so the estimate is per_cell x 8 x bytes.
    # Peak RSS growth measured at ~14x the file size for text-heavy CSVs (each text cell becomes
    # a Python string while pandas parses; 50 MB -> 732 MB), ~3.4x for numeric ones.
    "read": (0.0, 14 / 8),
    # Codebook matching: rows = variables, cols = data columns; ~50 B per pair scored (the
    # score matrices of names and labels), measured in bench/codebook_memory.py; 60 B kept.
    "codebook": (10.0, 60 / 8),
    # Agreement: rows x (1 + raters), or rows x 4 for the long layout's three columns; peaks of
    # 36-64 B per rating wide and 143 B long, measured by tracemalloc at 100,000 subjects.
    "agreement": (10.0, 8.0),
}


def _libc_malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL("libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to call
        return None


_MALLOC_TRIM = _libc_malloc_trim()


def release_heap() -> bool:
    """Give the C heap's free pages back to the system (glibc's malloc_trim); True if it ran.

    Freed Python and numpy memory often stays in glibc's arenas, counted in RSS: after 35 cold
    analyses in 4 threads, a cleared cache and gc, malloc_trim(0) took RSS from 230 to 204 MB
    (bench/heap.py; 209 -> 181 MB with MALLOC_ARENA_MAX=2).
    """
    if _MALLOC_TRIM is None:
        return False
    _MALLOC_TRIM(0)
    return True


class MemoryRefused(RuntimeError):
    """An analysis was not started because the server has no room for it; the message says why."""

    def __init__(self, message: str, need_mb: float = 0.0, free_mb: float = 0.0) -> None:
        super().__init__(message)
        self.need_mb = need_mb
        self.free_mb = free_mb


def estimate_mb(rows: int, cols: int, levels: float = 1.0, kind: str = "outcome") -> float:
    """Estimated peak working memory (MB) of an analysis of rows x cols covariates.

    `levels` is the mean number of model columns per covariate: 1 for numbers and binary
    factors, k - 1 for a factor with k levels (averaged over the covariates).
    """
    base_mb, per_cell = COSTS.get(kind, COSTS["outcome"])
    width = 1 + max(cols, 0) * max(levels, 1.0)
    return base_mb + per_cell * max(rows, 0) * width * 8 / MB


def rows_that_fit(
    free_mb: float,
    cols: int,
    levels: float = 1.0,
    kind: str = "outcome",
    data_per_row_mb: float = 0.0,
) -> int:
    """The most rows whose estimate (`estimate_mb`, plus the data's own MB a row) fits in
    `free_mb`, rounded down to two significant figures (the estimate is not more precise)."""
    base_mb, per_cell = COSTS.get(kind, COSTS["outcome"])
    width = 1 + max(cols, 0) * max(levels, 1.0)
    per_row_mb = per_cell * width * 8 / MB + max(data_per_row_mb, 0.0)
    rows = int(max(free_mb - base_mb, 0.0) / per_row_mb)
    if rows < 100:
        return rows
    step = 10 ** (len(str(rows)) - 2)
    return rows // step * step


def _setting(name: str, given: float | None, default: float) -> float:
    return float(getattr(settings, name, default) if given is None else given)


class Admission:
    """Permission to run one analysis; `with` it to reserve its estimate while it runs."""

    def __init__(self, manager: MemoryManager, need_mb: float) -> None:
        self.manager = manager
        self.need_mb = need_mb

    def __enter__(self) -> Admission:
        self.manager._reserve(self.need_mb)
        return self

    def __exit__(self, *exc: object) -> None:
        self.manager._reserve(-self.need_mb)


class MemoryManager:
    """RSS of this process and its registered children (the embedding worker) against a limit,
    with cleanups, admission control and a short history for the stats panel's sparkline.

    `rss` (bytes, the whole total) and `timer` are injectable for tests.
    """

    def __init__(
        self,
        *,
        limit_mb: float | None = None,
        warn_pct: float | None = None,
        critical_pct: float | None = None,
        poll_s: float | None = None,
        rss: Callable[[], float] | None = None,
        timer: Callable[[], float] = time.monotonic,
        cleanup_gap_s: float = 10.0,
        history_s: float = 600.0,
        cgroup_files: Iterable[Path] = CGROUP_FILES,
        physical_mb: float | None = None,
    ) -> None:
        self.limit_mb, self.limit_source = resolve_limit(
            _setting("memory_limit_mb", limit_mb, 0.0), cgroup_files, physical_mb
        )
        self.warn_pct = _setting("memory_warn_pct", warn_pct, 80.0)
        self.critical_pct = _setting("memory_critical_pct", critical_pct, 93.0)
        self.poll_s = _setting("memory_poll_s", poll_s, 3.0)
        self._rss = rss or self._process_rss
        self._timer = timer
        self._cleanup_gap_s = cleanup_gap_s
        self._lock = threading.Lock()
        self._cleanups: dict[str, Callable[[], object]] = {}
        self._children: set[int] = set()
        self._history: deque[tuple[float, float]] = deque(
            maxlen=max(1, round(history_s / max(self.poll_s, 1e-3)))
        )
        self._rss_mb = 0.0
        self._workers_mb = 0.0
        self._peak_mb = 0.0
        self._lowest_mb = float("inf")
        self._status = OK
        self._reserved_mb = 0.0
        self._last_cleanup: float | None = None
        self._cleanup_runs = 0
        self._refusals = 0
        self._admitted = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def describe(self) -> str:
        """One line for the start-up log."""
        return (
            f"memory limit {self.limit_mb:.0f} MB ({self.limit_source}), warn at "
            f"{self.warn_pct:.0f}%, critical at {self.critical_pct:.0f}%, poll every "
            f"{self.poll_s:g} s"
        )

    def register_cleanup(self, name: str, fn: Callable[[], object]) -> None:
        """Run fn() on every cleanup (at warn and above); gc.collect() and release_heap() always
        run after them."""
        with self._lock:
            self._cleanups[name] = fn

    def register_child(self, pid: int) -> None:
        """Count a worker process's RSS with ours (dropped once it exits)."""
        with self._lock:
            self._children.add(pid)

    def _process_rss(self) -> tuple[float, float]:
        """(bytes of this process and its registered workers, bytes of the workers alone)."""
        workers = 0
        with self._lock:
            children = list(self._children)
        for pid in children:
            try:
                workers += psutil.Process(pid).memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                with self._lock:
                    self._children.discard(pid)
        return psutil.Process(os.getpid()).memory_info().rss + workers, workers

    def _measure(self) -> float:
        measured = self._rss()
        # An injected source (tests) gives the total in bytes; the real one splits out the workers.
        total, workers = measured if isinstance(measured, tuple) else (measured, 0.0)
        rss_mb = total / MB
        status = self._status_for(rss_mb)
        with self._lock:
            self._rss_mb = rss_mb
            self._workers_mb = workers / MB
            self._peak_mb = max(self._peak_mb, rss_mb)
            self._lowest_mb = min(self._lowest_mb, rss_mb)
            self._status = status
        return rss_mb

    def _status_for(self, rss_mb: float) -> int:
        pct = 100.0 * rss_mb / self.limit_mb
        if pct >= self.critical_pct:
            return CRITICAL
        return WARN if pct >= self.warn_pct else OK

    def check(self) -> int:
        """Measure, record history, run cleanups at warn or above; returns the status (0/1/2)."""
        rss_mb = self._measure()
        with self._lock:
            self._history.append((time.time(), rss_mb))
        if self._status_for(rss_mb) >= WARN:
            self._run_cleanups(rss_mb)
        with self._lock:
            return self._status

    def _run_cleanups(self, rss_mb: float) -> bool:
        """Run every cleanup unless one ran less than cleanup_gap_s ago; True if they ran."""
        now = self._timer()
        with self._lock:
            if self._last_cleanup is not None and now - self._last_cleanup < self._cleanup_gap_s:
                return False
            self._last_cleanup = now
            self._cleanup_runs += 1
            cleanups = list(self._cleanups.items())
        status = STATUS_NAMES[self._status_for(rss_mb)]
        for name, fn in cleanups:
            try:
                fn()
            except Exception:  # a broken cleanup must not stop the others or the watcher
                log.exception("memory cleanup %s failed", name)
        gc.collect()
        trimmed = release_heap()
        after = self._measure()
        names = ", ".join([n for n, _ in cleanups] + ["gc"] + (["malloc_trim"] if trimmed else []))
        log.info(
            "memory %s at %.0f of %.0f MB: ran cleanups (%s); now %.0f MB",
            status,
            rss_mb,
            self.limit_mb,
            names,
            after,
        )
        return True

    def admit(
        self,
        rows: int,
        cols: int,
        levels: float = 1.0,
        kind: str = "outcome",
        data_mb: float = 0.0,
        fewer: str = "covariates",
    ) -> Admission:
        """Allow an analysis or raise MemoryRefused; use as `with manager.admit(...):`.

        A refusal says how many rows of these covariates would fit: in the memory free now, or,
        when the analysis could never fit, in the budget less the idle program, counting the
        data's own `data_mb` (a smaller upload holds less of it too). `fewer` names the `cols`
        in the tab's words (covariates, raters, tests, variables)."""
        data_per_row = data_mb / rows if rows else 0.0
        merge = ", or merge rare levels of categorical covariates" if fewer == "covariates" else ""

        def advice(free_mb: float, when: str = " now") -> str:
            per_row = data_per_row if not when else 0.0  # "now": the data is already in RSS
            fit = rows_that_fit(free_mb, cols, levels, kind, data_per_row_mb=per_row)
            if fit < 2 and when:
                return f"Use fewer {fewer}, or try again when the server is less busy."
            if fit < 2:
                return (
                    f"Even a few rows of these {fewer} would not fit: use fewer {fewer}, "
                    "or ask for a larger memory budget."
                )
            return (
                f"With these {fewer} about {fit:,} of the {rows:,} rows would fit{when}: "
                f"use a subset of the patients or fewer {fewer}{merge}."
            )

        need = estimate_mb(rows, cols, levels, kind)
        try:
            return self.admit_mb(need, kind, advice)
        except MemoryRefused as refused:
            # The most one analysis could get with nothing else in memory: the budget less the
            # lowest RSS this program has had (idle, before any data). Not the last minutes'
            # floor: a server busy for minutes with other users' work would look full for good.
            ceiling = self.limit_mb - min(self._lowest_mb, self._rss_mb)
            if need <= ceiling:
                raise
            # Never, not "not now": a busy message would send them back in vain.
            raise MemoryRefused(
                f"This analysis needs about {need:,.0f} MB of memory, more than this server can "
                f"ever give one analysis: its memory budget is {self.limit_mb:,.0f} MB "
                f"(MEDSTAT_MEMORY_LIMIT_MB) and the program itself takes about "
                f"{self.limit_mb - ceiling:,.0f} MB. {advice(ceiling, when='')}",
                need,
                refused.free_mb,
            ) from None

    def admit_mb(
        self,
        need: float,
        kind: str,
        advice: str | Callable[[float], str] = "",
        optional: bool = False,
    ) -> Admission:
        """Allow work of `need` MB or raise MemoryRefused, whose message ends with `advice`
        (or `advice(free MB)`).

        Optional work (the embedding model, which the app can do without) must fit below the
        warn line, where the cleanups would stop it again; it never runs the cleanups to make
        room (they would drop other users' kept tabs for it) and is not counted among the
        analyses admitted or refused.
        """
        ceiling = self.warn_pct if optional else 100.0
        rss_mb = self._measure()
        short = self._status_for(rss_mb) == CRITICAL or need > self._free_mb(rss_mb)
        # Cleanups may make the room (they respect their gap, so refusals cannot thrash).
        if short and not optional and need <= self.limit_mb and self._run_cleanups(rss_mb):
            rss_mb = self._measure()
        if self._status_for(rss_mb) == CRITICAL:
            self._refuse(kind, need, rss_mb, BUSY_MESSAGE, counted=not optional)
        free = self._free_mb(rss_mb, ceiling)
        if need > free:
            if callable(advice):
                advice = advice(free)
            self._refuse(
                kind,
                need,
                rss_mb,
                f"This analysis needs about {need:.0f} MB but only {max(free, 0):.0f} MB is free "
                f"on the server. {advice}".strip(),
                counted=not optional,
                free=free,
            )
        if not optional:
            with self._lock:
                self._admitted += 1
        return Admission(self, need)

    def floor_mb(self) -> float:
        """The lowest RSS of the last minutes: what the program itself takes when idle."""
        with self._lock:
            samples = [mb for _, mb in self._history]
            return min(samples) if samples else self._rss_mb

    def ceiling_mb(self) -> float:
        """The most memory one piece of work could ever be given: the budget less the idle
        program. Work estimated above it is refused for good, not 'try again later'."""
        if not self._history:
            self._measure()
        return self.limit_mb - self.floor_mb()

    def free_mb(self) -> float:
        """Memory free for new work now: the budget less RSS and running work's estimates."""
        return max(self._free_mb(self._measure()), 0.0)

    def _free_mb(self, rss_mb: float, ceiling_pct: float = 100.0) -> float:
        """MB left below ceiling_pct of the limit, after RSS and the work admitted but not yet
        measured."""
        with self._lock:
            return self.limit_mb * ceiling_pct / 100.0 - rss_mb - self._reserved_mb

    def _reserve(self, mb: float) -> None:
        with self._lock:
            self._reserved_mb = max(0.0, self._reserved_mb + mb)

    def _refuse(
        self,
        kind: str,
        need: float,
        rss_mb: float,
        message: str,
        counted: bool = True,
        free: float | None = None,
    ) -> None:
        free = self._free_mb(rss_mb) if free is None else free
        with self._lock:
            self._refusals += counted
        log.info(
            "memory refused %s: needs ~%.0f MB, RSS %.0f of %.0f MB",
            kind,
            need,
            rss_mb,
            self.limit_mb,
        )
        raise MemoryRefused(message, need, free)

    def start(self) -> None:
        """Start the background watcher (a daemon thread calling check() every poll_s)."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._thread = threading.Thread(target=self._watch, name="medstat-memory", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Stop the watcher and wait for it."""
        self._stop.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll_s):
            try:
                self.check()
            except Exception:  # keep watching whatever one check does
                log.exception("memory check failed")

    def history(self) -> list[tuple[float, float]]:
        """(unix time, RSS MB) samples of the last minutes, oldest first."""
        with self._lock:
            return list(self._history)

    @property
    def refusing(self) -> bool:
        """True while memory is critical: new heavy work is refused until it comes down."""
        with self._lock:
            return self._status == CRITICAL

    def status_name(self) -> str:
        """ok, warn or critical, as of the last measurement."""
        with self._lock:
            return STATUS_NAMES[self._status]

    def stats(self) -> dict[str, float]:
        """Flat numbers for the stats panel; status is 0 ok, 1 warn, 2 critical."""
        self._measure()
        with self._lock:
            return {
                "rss_mb": self._rss_mb,
                "server_mb": self._rss_mb - self._workers_mb,
                "workers_mb": self._workers_mb,
                "limit_mb": self.limit_mb,
                "used_pct": 100.0 * self._rss_mb / self.limit_mb,
                "peak_mb": self._peak_mb,
                "status": float(self._status),
                "cleanups": float(self._cleanup_runs),
                "refusals": float(self._refusals),
                "admitted": float(self._admitted),
                "reserved_mb": self._reserved_mb,
                "warn_pct": self.warn_pct,
                "critical_pct": self.critical_pct,
            }
