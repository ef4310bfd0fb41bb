"""A short record of recent analyses: what ran, how long it took, whether the cache served it."""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    at: float  # wall-clock time the request finished
    kind: str
    ms: float
    hit: bool


class Timings:
    """Thread-safe ring of the last requests plus running totals for the stats panel."""

    def __init__(self, keep: int = 50) -> None:
        self._recent: deque[Timing] = deque(maxlen=keep)
        self._lock = threading.Lock()
        self._count = 0
        self._hits = 0
        self._cold_ms_total = 0.0
        self._hit_ms_total = 0.0
        self._cancelled = 0

    def record(self, kind: str, ms: float, hit: bool) -> None:
        with self._lock:
            self._recent.append(Timing(time.time(), kind, ms, hit))
            self._count += 1
            if hit:
                self._hits += 1
                self._hit_ms_total += ms
            else:
                self._cold_ms_total += ms

    def record_cancelled(self) -> None:
        """Count one analysis stopped by its requester; it is no timing of the analysis, so it
        stays out of the recent list and the means."""
        with self._lock:
            self._cancelled += 1

    def recent(self) -> list[Timing]:
        """Newest first."""
        with self._lock:
            return list(reversed(self._recent))

    def stats(self) -> dict[str, float]:
        with self._lock:
            cold = self._count - self._hits
            last = self._recent[-1].ms if self._recent else 0.0
            return {
                "analyses": float(self._count),
                "cache_served": float(self._hits),
                "computed": float(cold),
                "last_ms": last,
                "mean_cold_ms": self._cold_ms_total / cold if cold else 0.0,
                "mean_hit_ms": self._hit_ms_total / self._hits if self._hits else 0.0,
                "cancelled": float(self._cancelled),
            }
