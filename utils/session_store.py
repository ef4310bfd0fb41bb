"""What each browser tab has done (its data, cleaning steps, last results), kept for a while
after its connection ends, so that a tab that reconnects, or is reloaded, gets it back.

Shiny starts a NEW session when a dropped websocket reconnects: everything the old session held
is gone unless it was kept outside it. Each tab holds a random token (in the browser's
sessionStorage, so it is per tab and survives a reload); the server keys the tab's state by it.
The values stored are the objects the live session already holds (immutable Datasets and
results), so a live tab costs no copy; an ended tab's state is kept `keep_s` seconds, or until
the memory manager asks for the room.

A token is issued by the server (secrets.token_urlsafe, 128 bits) and replaced at every session
start: a duplicated browser tab, which copies sessionStorage, gets its own copy of the state
instead of sharing one that both would overwrite.

The bound applies to ended tabs only, by count and by bytes (measured once, when the tab ends):
a live tab is never evicted to make room (live tabs are bounded by the number of open sessions,
utils/connection_limit.py), and an ended one goes oldest first (issue 17 case 5: 520 idle
websockets evicted a live user).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Entry:
    state: dict[str, Any] = field(default_factory=dict)
    ended_at: float | None = None  # None while the tab's session is live
    bytes: int = 0  # measured when the tab ended


class SessionStore:
    """Token -> a tab's saved state; thread-safe; ended entries expire after keep_s."""

    def __init__(
        self,
        keep_s: float = 600.0,
        max_entries: int = 500,
        timer: Callable[[], float] = time.monotonic,
        max_kept_mb: float = 128.0,
        measure: Callable[[Any], int] | None = None,
    ) -> None:
        self.keep_s = keep_s
        self.max_entries = max_entries  # ended tabs kept, at most
        self.max_kept_bytes = int(max_kept_mb * 2**20)
        self._measure = measure or _measure_bytes
        self._timer = timer
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._restored = 0
        self._expired = 0
        self._released = 0

    def open(self, token: object) -> tuple[str, dict[str, Any]]:
        """A new token for a starting session, and what was saved under the one it brought.

        An unknown, expired or malformed token restores nothing: the tab starts afresh.
        """
        new = secrets.token_urlsafe(16)
        with self._lock:
            self._expire()
            entry = self._entries.get(token) if isinstance(token, str) else None
            restored = dict(entry.state) if entry is not None else {}
            if restored:
                self._restored += 1
            self._entries[new] = _Entry(dict(restored))
            self._bound()
        return new, restored

    def put(self, token: str, name: str, value: Any) -> None:
        """Save one part of a tab's state (replacing what was saved under that name)."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                entry.state[name] = value

    def end(self, token: str) -> None:
        """The tab's session ended: keep its state keep_s seconds more for a reconnect (or
        until ended tabs pass their bound: the oldest go first)."""
        with self._lock:
            entry = self._entries.get(token)
            state = dict(entry.state) if entry is not None else None
        if state is None:
            return
        size = self._measure(state)  # outside the lock: a large dataset takes a moment
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                entry.ended_at, entry.bytes = self._timer(), size
                self._bound()

    def release_ended(self) -> int:
        """Forget every ended tab now (the memory manager's cleanup); returns how many."""
        with self._lock:
            ended = [t for t, e in self._entries.items() if e.ended_at is not None]
            for token in ended:
                del self._entries[token]
            self._released += len(ended)
            return len(ended)

    def _expire(self) -> None:
        now = self._timer()
        old = [
            t
            for t, e in self._entries.items()
            if e.ended_at is not None and now - e.ended_at >= self.keep_s
        ]
        for token in old:
            del self._entries[token]
        self._expired += len(old)

    def _bound(self) -> None:
        """Ended tabs above max_entries or max_kept_bytes go, longest-ended first; live ones
        are never dropped for room."""
        ended = sorted(
            (t for t, e in self._entries.items() if e.ended_at is not None),
            key=lambda t: self._entries[t].ended_at or 0.0,
        )
        kept = sum(self._entries[t].bytes for t in ended)
        while ended and (len(ended) > self.max_entries or kept > self.max_kept_bytes):
            token = ended.pop(0)
            kept -= self._entries.pop(token).bytes
            self._expired += 1

    def stats(self) -> dict[str, float]:
        """Flat numbers for the stats panel."""
        with self._lock:
            self._expire()
            live = sum(e.ended_at is None for e in self._entries.values())
            kept_mb = sum(e.bytes for e in self._entries.values() if e.ended_at) / 2**20
            return {
                "live": float(live),
                "kept": float(len(self._entries) - live),
                "kept_mb": kept_mb,
                "restored": float(self._restored),
                "expired": float(self._expired),
                "released": float(self._released),
            }


def _measure_bytes(state: dict[str, Any]) -> int:
    from utils.cache import measure_bytes  # the cache's measure: frames deep, the rest reached

    return measure_bytes(state)
