"""What each browser tab has done (its data, cleaning steps, last results), kept for a while
after its connection ends, so that a tab that reconnects, or is reloaded, gets it back.

Shiny starts a NEW session when a dropped websocket reconnects: everything the old session held
is gone unless it was kept outside it. Each tab holds a random token (in the browser's
sessionStorage, so it is per tab and survives a reload); the server keys the tab's state by it.
The values stored are the objects the live session already holds (immutable Datasets and
results), so a live tab costs no copy; an ended tab's state is kept `keep_s` seconds, or until
the memory manager asks for the room.

A token is issued by the server (secrets.token_urlsafe, 128 bits), bound to the browser it was
issued to (a digest of that browser's HttpOnly cookie, utils/browser_cookie.py) and good for one
restore: the session that brings it gets a new one, and the token is spent. So a token copied
out of a page restores nothing anywhere else, and nothing twice. When the tab that holds the
token is still open (a duplicated browser tab, which copies sessionStorage; or a dropped
connection the server has not noticed yet), the newcomer gets a copy of the state and the open
tab keeps its own under a new token, which it is told (`rekey`).

The bound applies to ended tabs only, by count and by bytes (measured once, when the tab ends):
a live tab is never evicted to make room (live tabs are bounded by the number of open sessions,
utils/connection_limit.py), and an ended one goes oldest first (issue 17 case 5: 520 idle
websockets evicted a live user).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


@dataclass
class _Entry:
    state: dict[str, Any] = field(default_factory=dict)
    ended_at: float | None = None  # None while the tab's session is live
    bytes: int = 0  # measured when the tab ended
    binding: str | None = None  # the browser the token was issued to; None: restores nothing
    rekey: Callable[[str], None] | None = None  # tells the live tab a new token


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
        self._refused = 0
        self._expired = 0
        self._released = 0
        self._measurer: ThreadPoolExecutor | None = None  # measures ended tabs, one at a time

    def open(
        self,
        token: object,
        binding: str | None = None,
        rekey: Callable[[str], None] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """A new token for a starting session, and what was saved under the one it brought.

        The brought token restores once, and only with the `binding` it was issued with: an
        unknown, expired, spent or malformed token, or one from another browser (or from a
        browser without the cookie), restores nothing, and the tab starts afresh. `rekey(token)`
        is how this session is told a new token if its own is brought by another.
        """
        new = secrets.token_urlsafe(16)
        retold: tuple[Callable[[str], None], str] | None = None
        with self._lock:
            self._expire()
            entry = self._entries.get(token) if isinstance(token, str) else None
            restored: dict[str, Any] = {}
            if entry is not None and _same_browser(entry.binding, binding):
                restored = dict(entry.state)
                del self._entries[token]  # spent
                if entry.ended_at is None:  # its tab is open: it keeps its state, re-keyed
                    fresh = secrets.token_urlsafe(16)
                    self._entries[fresh] = entry
                    retold = (entry.rekey, fresh) if entry.rekey is not None else None
                self._restored += 1 if restored else 0
            elif entry is not None:
                self._refused += 1
            self._entries[new] = _Entry(dict(restored), binding=binding, rekey=rekey)
            self._bound()
        if retold is not None:
            retold[0](retold[1])
        return new, restored

    def put(self, token: str, name: str, value: Any) -> None:
        """Save one part of a tab's state (replacing what was saved under that name)."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None:
                entry.state[name] = value

    def end(self, token: str, background: bool = False) -> None:
        """The tab's session ended: keep its state keep_s seconds more for a reconnect (or
        until ended tabs pass their bound: the oldest go first). It is marked ended at once;
        its bytes are measured here, or with `background` in the store's own thread (a wide
        dataset takes most of a second, which the event loop must not spend)."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return
            entry.ended_at = self._timer()
            entry.rekey = None  # the session is gone; do not keep it alive from here
            state = dict(entry.state)
            self._bound()

        def measure() -> None:
            size = self._measure(state)  # outside the lock: a large dataset takes a moment
            with self._lock:
                if self._entries.get(token) is entry:  # not restored or dropped meanwhile
                    entry.bytes = size
                    self._bound()

        if not background:
            measure()
            return
        with self._lock:
            if self._measurer is None:
                self._measurer = ThreadPoolExecutor(1, thread_name_prefix="medstat-tab-ended")
        self._measurer.submit(measure)

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
                "refused": float(self._refused),
                "expired": float(self._expired),
                "released": float(self._released),
            }


def _same_browser(issued: str | None, brought: str | None) -> bool:
    """Both bindings known and equal (compared in constant time)."""
    return issued is not None and brought is not None and hmac.compare_digest(issued, brought)


def _measure_bytes(state: dict[str, Any]) -> int:
    from utils.cache import measure_bytes  # the cache's measure: frames deep, the rest reached

    return measure_bytes(state)
