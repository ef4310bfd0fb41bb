"""Off-by-default memory diagnostics: MEDSTAT_DEBUG_TRACEMALLOC=1 traces Python allocations, and
each SIGUSR1 logs what grew since the previous signal (bench/leak.py sends it).

Read from the environment here, not utils/config.py: it is a developer's switch, not a setting.
"""

from __future__ import annotations

import logging
import os
import signal
import tracemalloc

log = logging.getLogger(__name__)
ENV = "MEDSTAT_DEBUG_TRACEMALLOC"
TOP = 15

_previous: tracemalloc.Snapshot | None = None


def _snapshot() -> tracemalloc.Snapshot:
    return tracemalloc.take_snapshot().filter_traces(
        [tracemalloc.Filter(False, tracemalloc.__file__)]
    )


def _log_growth(signum: int, frame: object) -> None:
    global _previous
    current = _snapshot()
    traced, peak = tracemalloc.get_traced_memory()
    log.info("tracemalloc: %.1f MB traced (peak %.1f MB)", traced / 2**20, peak / 2**20)
    if _previous is not None:
        for stat in current.compare_to(_previous, "traceback")[:TOP]:
            where = " <- ".join(f"{f.filename}:{f.lineno}" for f in stat.traceback[:4])
            log.info(
                "tracemalloc grew %+.1f kB (%+d blocks) at %s",
                stat.size_diff / 1024,
                stat.count_diff,
                where,
            )
    _previous = current


def install() -> bool:
    """Start tracing and listen for SIGUSR1 when MEDSTAT_DEBUG_TRACEMALLOC is set; True if so."""
    if os.environ.get(ENV, "").strip().lower() not in {"1", "true", "yes", "on"}:
        return False
    tracemalloc.start(6)
    signal.signal(signal.SIGUSR1, _log_growth)
    log.info("tracemalloc on: send SIGUSR1 to log what grew since the last signal")
    return True
