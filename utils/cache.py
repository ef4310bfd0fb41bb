"""Layer 1: the process-wide result cache (TTL + LRU, bounded by bytes and items, single-flight).

Built on cachetools.TTLCache, whose `getsizeof` bound gives the byte limit; this module adds the
item-count bound, single-flight, stats, cleanup hooks for the memory manager and an optional
shared second tier (utils/redis_tier.py) underneath.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import numpy as np
import pandas as pd
import xxhash
from cachetools import TTLCache

from analyses.cancellation import Cancelled, checkpoint
from utils.config import settings
from utils.redis_tier import REFUSALS

log = logging.getLogger(__name__)

MB = 1024 * 1024
# What a DataFrame costs beyond memory_usage(deep=True): its block manager, index objects and
# per-column blocks. Measured with tracemalloc on unpickled copies of result-sized tables
# (pandas 3.1: 4-5 kB fixed, 0.5-0.9 kB a column); without it small tables count ~40% of their size.
FRAME_OVERHEAD = 4096
COLUMN_OVERHEAD = 512
# A twin waiting on another request's computation looks at its own cancel token this often.
WAIT_SLICE_S = 0.05


class Tier(Protocol):
    """A shared second tier (see utils/redis_tier.RedisTier)."""

    def get(self, key: str) -> tuple[Any, float] | None: ...
    def set(self, key: str, value: Any, compute_s: float, ttl_s: float) -> None: ...
    def stats(self) -> dict[str, float]: ...


class Lookup(NamedTuple):
    """A result and where it came from: memory, redis, shared (waited on a twin) or computed."""

    value: Any
    source: str

    @property
    def hit(self) -> bool:
        return self.source != "computed"


def make_key(kind: str, version: str, fingerprint: str, spec: Any) -> str:
    """Stable cache key: digest of kind, version, dataset fingerprint and the spec's fields.

    Field order inside the spec does not matter (keys are sorted), but order inside a field does
    (a covariate tuple in another order is another key). The key never touches the data itself.
    """
    if hasattr(spec, "key_fields"):  # a spec carrying bulky input names it by a digest
        fields = spec.key_fields()
    else:
        fields = dataclasses.asdict(spec) if dataclasses.is_dataclass(spec) else spec
    spec_type = f"{type(spec).__module__}.{type(spec).__qualname__}"
    canonical = json.dumps(
        [kind, version, fingerprint, spec_type, fields],
        sort_keys=True,
        separators=(",", ":"),
        default=repr,
    )
    return f"medstat:{kind}:{version}:{xxhash.xxh3_128_hexdigest(canonical.encode())}"


def measure_bytes(obj: Any, _seen: set[int] | None = None) -> int:
    """Approximate bytes held by a result: DataFrames by memory_usage(deep=True) plus a measured
    overhead, the rest by sys.getsizeof of each object reached, each counted once."""
    seen = set() if _seen is None else _seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    # pandas' and numpy's own __sizeof__ already include their data, so count it once here.
    if isinstance(obj, pd.DataFrame):
        data = int(obj.memory_usage(deep=True, index=True).sum())
        return data + FRAME_OVERHEAD + COLUMN_OVERHEAD * obj.shape[1]
    if isinstance(obj, pd.Series):
        return int(obj.memory_usage(deep=True, index=True)) + object.__sizeof__(obj)
    if isinstance(obj, np.ndarray):
        return int(obj.nbytes) + object.__sizeof__(obj)
    size = sys.getsizeof(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return size + sum(
            measure_bytes(getattr(obj, f.name), seen) for f in dataclasses.fields(obj)
        )
    if isinstance(obj, dict):
        return size + sum(measure_bytes(k, seen) + measure_bytes(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple, set, frozenset)):
        return size + sum(measure_bytes(v, seen) for v in obj)
    return size


@dataclasses.dataclass(frozen=True)
class _Entry:
    value: Any
    size: int
    compute_s: float  # what computing it cost, credited to saved_s on every hit


class _Store(TTLCache):
    """TTLCache sized in bytes, with an item-count bound and eviction/expiry counters."""

    def __init__(self, max_bytes: int, max_items: int, ttl_s: float, timer: Callable[[], float]):
        super().__init__(max_bytes, ttl_s, timer=timer, getsizeof=lambda entry: entry.size)
        self.max_items = max_items
        self.evictions = 0
        self.expired = 0

    def __setitem__(self, key: str, value: _Entry) -> None:
        super().__setitem__(key, value)
        while len(self) > self.max_items:
            self.expire()
            if len(self) > self.max_items:
                self.popitem()

    def popitem(self) -> tuple[str, _Entry]:
        item = super().popitem()
        self.evictions += 1
        return item

    def expire(self, time: float | None = None) -> list[tuple[str, _Entry]]:
        items = super().expire(time)
        self.expired += len(items)
        return items


class _Flight:
    """One computation in progress; twins of the request wait on `done`."""

    __slots__ = ("compute_s", "done", "error", "value")

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None
        self.compute_s = 0.0


class ResultCache:
    """Thread-safe TTL + LRU cache of analysis results, bounded by bytes and by item count.

    `timer` drives expiry and `clock` times computations (inject fakes in tests). `tier`, when
    given, is a shared second tier: read on a memory miss, written after every computation.
    """

    def __init__(
        self,
        *,
        max_mb: float | None = None,
        max_items: int | None = None,
        ttl_s: float | None = None,
        timer: Callable[[], float] = time.monotonic,
        clock: Callable[[], float] = time.perf_counter,
        tier: Tier | None = None,
    ) -> None:
        max_mb = float(getattr(settings, "cache_max_mb", 64.0) if max_mb is None else max_mb)
        items = int(getattr(settings, "cache_max_items", 256) if max_items is None else max_items)
        self.ttl_s = float(getattr(settings, "cache_ttl_s", 1800.0) if ttl_s is None else ttl_s)
        self.max_bytes = int(max_mb * MB)
        self._store = _Store(self.max_bytes, items, self.ttl_s, timer)
        self._tier = tier
        self._clock = clock
        self._lock = threading.Lock()
        self._flights: dict[str, _Flight] = {}
        self._hits = 0
        self._shared_hits = 0
        self._waiting = 0
        self._misses = 0
        self._too_large = 0
        self._saved_s = 0.0

    def describe(self) -> str:
        """One line for the start-up log."""
        tier = "on" if self._tier is not None else "off"
        return (
            f"result cache {self.max_bytes / MB:g} MB, {self._store.max_items} items, "
            f"TTL {self.ttl_s:g} s, shared tier {tier}"
        )

    def get_or_compute(self, key: str, compute: Callable[[], Any]) -> Lookup:
        """The cached result for key, else compute() once however many threads ask at once.

        An exception from compute() reaches every waiting twin and nothing is cached, except a
        cancellation: it belongs to the request that was cancelled, so a twin that still wants
        the result takes over and computes it (with its own compute and cancel token). A twin
        whose own token is set while it waits raises Cancelled within WAIT_SLICE_S.
        """
        while True:
            with self._lock:
                entry = self._store.get(key)
                if entry is not None:
                    self._hits += 1
                    self._saved_s += entry.compute_s
                    return Lookup(entry.value, "memory")
                flight = self._flights.get(key)
                leader = flight is None
                if leader:
                    flight = self._flights[key] = _Flight()
            if leader:
                return self._lead(key, flight, compute)
            found = self._wait(flight)
            if found is not None:
                return found
            checkpoint()  # the leader was cancelled; so, perhaps, was this request meanwhile

    def peek(self, key: str) -> Any | None:
        """The result held in memory for key (a hit), else None; never computes, never waits
        and never asks the shared tier (a network call): safe on the event loop."""
        with self._lock:
            entry = self._store.get(key)
            if entry is None:
                return None
            self._hits += 1
            self._saved_s += entry.compute_s
            return entry.value

    def _lead(self, key: str, flight: _Flight, compute: Callable[[], Any]) -> Lookup:
        try:
            found = self._tier.get(key) if self._tier is not None else None
            if found is not None:
                value, compute_s = found
                source = "redis"
                with self._lock:
                    self._hits += 1
                    self._saved_s += compute_s
            else:
                with self._lock:
                    self._misses += 1
                started = self._clock()
                value = compute()
                compute_s = self._clock() - started
                source = "computed"
                if self._tier is not None:
                    self._tier.set(key, value, compute_s, self.ttl_s)
            self._put(key, value, compute_s)
            flight.value, flight.compute_s = value, compute_s
            return Lookup(value, source)
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                self._flights.pop(key, None)
            flight.done.set()

    def _wait(self, flight: _Flight) -> Lookup | None:
        """The twin's result, or None when its leader was cancelled (the caller starts over)."""
        with self._lock:
            self._waiting += 1
        try:
            while not flight.done.wait(WAIT_SLICE_S):
                checkpoint()  # this request's own Cancel ends its wait, not the computation
        finally:
            with self._lock:
                self._waiting -= 1
        if isinstance(flight.error, Cancelled):
            return None
        if flight.error is not None:
            raise flight.error
        with self._lock:
            self._hits += 1
            self._shared_hits += 1
            self._saved_s += flight.compute_s
        return Lookup(flight.value, "shared")

    def _put(self, key: str, value: Any, compute_s: float) -> None:
        size = measure_bytes(value) + sys.getsizeof(key)
        with self._lock:
            if size > self.max_bytes:
                self._too_large += 1
                log.info("result %s not cached: %.1f MB exceeds the cache", key, size / MB)
                return
            self._store[key] = _Entry(value, size, compute_s)

    def __contains__(self, key: str) -> bool:
        with self._lock:
            return key in self._store

    def __len__(self) -> int:
        with self._lock:
            return len(self._store)

    def expire(self) -> int:
        """Drop entries past their TTL now; returns how many went."""
        with self._lock:
            return len(self._store.expire())

    def shrink(self, fraction: float = 0.5) -> int:
        """Evict least-recently-used entries until `fraction` of the bytes are freed; returns bytes
        freed. For the memory manager's cleanups."""
        with self._lock:
            store = self._store
            store.expire()
            before = store.currsize
            target = before * (1.0 - min(max(fraction, 0.0), 1.0))
            while store.currsize > target and len(store):
                store.popitem()
            return before - store.currsize

    def clear(self) -> None:
        """Forget every entry (counters are kept)."""
        with self._lock:
            self._store.clear()

    def stats(self) -> dict[str, float]:
        """Flat numbers for the stats panel; the redis_* fields are 0 without a shared tier."""
        with self._lock:
            hits, misses = self._hits, self._misses
            store = self._store
            store.expire()  # so `entries` and `bytes` never count what has already expired
            out = {
                "hits": float(hits),
                "misses": float(misses),
                "hit_rate": hits / (hits + misses) if hits + misses else 0.0,
                "shared_hits": float(self._shared_hits),
                "waiting": float(self._waiting),
                "entries": float(len(store)),
                "bytes": float(store.currsize),
                "mb": store.currsize / MB,
                "max_mb": self.max_bytes / MB,
                "evictions": float(store.evictions),
                "expired": float(store.expired),
                "too_large": float(self._too_large),
                "saved_s": self._saved_s,
                "ttl_s": self.ttl_s,
            }
        tier = self._tier.stats() if self._tier is not None else {}
        out["redis_enabled"] = 1.0 if self._tier is not None else 0.0
        names = ["redis_up", "redis_hits", "redis_errors", "redis_rejected"]
        names += [f"redis_rejected_{reason}" for reason in REFUSALS]
        for name in names:
            out[name] = float(tier.get(name, 0.0))
        return out
