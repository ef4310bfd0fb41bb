"""A short record of analyses: what ran, how long it took, whether the cache served it, and for
whom. Totals are for the whole server; the runs themselves are kept per owner (a browser tab)
and handed only to that owner, so no one sees another user's analyses or when they ran them."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Timing:
    at: float  # wall-clock time the request finished
    kind: str
    ms: float
    hit: bool


@dataclass(frozen=True)
class History:
    """One owner's analyses: how many and how many were instant repeats since the owner's first,
    and the newest few, newest first."""

    count: int = 0
    repeats: int = 0
    recent: tuple[Timing, ...] = ()


@dataclass
class _OwnerLog:
    recent: deque[Timing]
    count: int = 0
    repeats: int = 0


class Timings:
    """Thread-safe running totals for the stats panel, and each owner's last `keep` runs.

    At most `max_owners` owners are remembered, the least recently active forgotten first.
    """

    def __init__(self, keep: int = 20, max_owners: int = 1000) -> None:
        self.keep = keep
        self.max_owners = max_owners
        self._owners: OrderedDict[str, _OwnerLog] = OrderedDict()
        self._lock = threading.Lock()
        self._count = 0
        self._hits = 0
        self._cold_ms_total = 0.0
        self._hit_ms_total = 0.0
        self._last_ms = 0.0
        self._cancelled = 0

    def record(self, kind: str, ms: float, hit: bool, owner: str | None = None) -> None:
        with self._lock:
            self._count += 1
            self._last_ms = ms
            if hit:
                self._hits += 1
                self._hit_ms_total += ms
            else:
                self._cold_ms_total += ms
            if owner is not None:
                self._owner_log(owner).recent.append(Timing(time.time(), kind, ms, hit))
                entry = self._owners[owner]
                entry.count += 1
                entry.repeats += int(hit)

    def record_cancelled(self) -> None:
        """Count one analysis stopped by its requester; it is no timing of the analysis, so it
        stays out of the owners' lists and the means."""
        with self._lock:
            self._cancelled += 1

    def _owner_log(self, owner: str) -> _OwnerLog:
        entry = self._owners.get(owner)
        if entry is None:
            entry = self._owners[owner] = _OwnerLog(deque(maxlen=self.keep))
            while len(self._owners) > self.max_owners:
                self._owners.popitem(last=False)
        self._owners.move_to_end(owner)
        return entry

    def history(self, owner: str | None) -> History:
        """This owner's analyses only; nobody's (empty) for None or an unknown owner."""
        with self._lock:
            entry = self._owners.get(owner) if owner is not None else None
            if entry is None:
                return History()
            return History(entry.count, entry.repeats, tuple(reversed(entry.recent)))

    def stats(self) -> dict[str, float]:
        with self._lock:
            cold = self._count - self._hits
            return {
                "analyses": float(self._count),
                "cache_served": float(self._hits),
                "computed": float(cold),
                "last_ms": self._last_ms,
                "mean_cold_ms": self._cold_ms_total / cold if cold else 0.0,
                "mean_hit_ms": self._hit_ms_total / self._hits if self._hits else 0.0,
                "cancelled": float(self._cancelled),
            }
