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

With a `shared` store (Redis, utils/shared_tab_store.py) every part put is also written there,
and tokens are spent there, so that another worker can restore a tab whose worker died. Redis
then decides whether a brought token restores (once, in this browser); the state comes from this
worker's memory when it is here (a reload), else from Redis. When Redis cannot answer, this
store decides alone, as without it (counted: `shared_fallbacks`). An open tab whose token a
page on another worker spent is given a new one at its next write (`_token_taken`).
"""

from __future__ import annotations

import hmac
import logging
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from utils.shared_tab_store import SharedTabStore

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    state: dict[str, Any] = field(default_factory=dict)
    ended_at: float | None = None  # None while the tab's session is live
    bytes: int = 0  # measured when the tab ended
    binding: str | None = None  # the browser the token was issued to; None: restores nothing
    rekey: Callable[[str], None] | None = None  # tells the live tab a new token
    sid: str = ""  # the tab's id in the shared store
    stored: dict[str, Any] = field(default_factory=dict)  # each part as the shared store gets it
    shared: bool = False  # its token is recorded in the shared store


class SessionStore:
    """Token -> a tab's saved state; thread-safe; ended entries expire after keep_s."""

    def __init__(
        self,
        keep_s: float = 600.0,
        max_entries: int = 500,
        timer: Callable[[], float] = time.monotonic,
        max_kept_mb: float = 128.0,
        measure: Callable[[Any], int] | None = None,
        shared: SharedTabStore | None = None,
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
        self._fallbacks = 0
        self.shared = shared
        if shared is not None:
            shared.on_token_taken = self._token_taken

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
        claim = self._claim_shared(token, binding)
        if claim is None:
            new, restored, stored, retold = self._open_here(token, binding, rekey)
        else:
            new, restored, stored, retold = self._open_shared(token, binding, rekey, claim)
        if retold is not None:  # the open tab whose token was brought: its fresh one
            live, fresh = retold
            if self.shared is not None and live.sid:
                live.shared = self.shared.issue(fresh, live.sid, live.binding)
            if live.rekey is not None:
                live.rekey(fresh)
        self._share_new(new, stored)
        return new, restored

    def _claim_shared(self, token: object, binding: str | None) -> Any:
        """Redis's verdict on a brought token, or None when it is not asked or cannot answer."""
        if self.shared is None or not isinstance(token, str) or not token:
            return None
        with self._lock:
            entry = self._entries.get(token)
            if entry is not None and not entry.shared:  # issued while Redis was away
                return None
        claim = self.shared.claim(token, binding)
        if claim is None:
            with self._lock:
                self._fallbacks += 1
        return claim

    def _open_here(self, token: object, binding: str | None, rekey: Any) -> tuple:
        """Today's rules, in this worker alone."""
        new = secrets.token_urlsafe(16)
        retold = None
        with self._lock:
            self._expire()
            entry = self._entries.get(token) if isinstance(token, str) else None
            restored: dict[str, Any] = {}
            stored: dict[str, Any] = {}
            if entry is not None and _same_browser(entry.binding, binding):
                restored, stored = dict(entry.state), dict(entry.stored)
                del self._entries[token]  # spent
                retold = self._rekey_live(entry)
                self._restored += 1 if restored else 0
            elif entry is not None:
                self._refused += 1
            self._entries[new] = _Entry(
                dict(restored), binding=binding, rekey=rekey, stored=dict(stored)
            )
            self._bound()
        return new, restored, stored, retold

    def _open_shared(self, token: str, binding: str | None, rekey: Any, claim: Any) -> tuple:
        """Redis has spent (or refused) the token; the state from here if it is here."""
        new = secrets.token_urlsafe(16)
        retold = None
        restored: dict[str, Any] = {}
        stored: dict[str, Any] = {}
        with self._lock:
            self._expire()
            entry = self._entries.get(token)
            here = entry is not None and entry.sid == claim.sid
            if claim.status == "restored" and here and _same_browser(entry.binding, binding):
                restored, stored = dict(entry.state), dict(entry.stored)
                del self._entries[token]
                retold = self._rekey_live(entry)
            elif entry is not None and entry.ended_at is not None:
                del self._entries[token]  # spent elsewhere, or refused: not restored from here
            self._refused += claim.status == "refused"
        if claim.status == "restored" and not restored:
            parts = self.shared.load(claim.sid)  # type: ignore[union-attr]
            if parts is None:  # Redis went away between the claim and the read
                log.warning("tab store: a spent token's state could not be read; tab afresh")
            restored = parts or {}
            stored = dict(restored)  # a data set still stored: its frame is read by its tab
        with self._lock:
            self._restored += 1 if restored else 0
            self._entries[new] = _Entry(
                dict(restored), binding=binding, rekey=rekey, stored=dict(stored)
            )
            self._bound()
        return new, restored, stored, retold

    def _rekey_live(self, entry: _Entry) -> tuple[_Entry, str] | None:
        """An open tab whose token was brought goes on under a fresh one (lock held)."""
        if entry.ended_at is not None:
            return None
        fresh = secrets.token_urlsafe(16)
        self._entries[fresh] = entry
        return (entry, fresh)

    def _token_taken(self, sid: str) -> None:
        """An open tab's token was spent by a page on another worker: a fresh one for it."""
        with self._lock:
            found = [
                (t, e) for t, e in self._entries.items() if e.sid == sid and e.ended_at is None
            ]
            if not found:
                return
            token, entry = found[0]
            fresh = secrets.token_urlsafe(16)
            del self._entries[token]
            self._entries[fresh] = entry
        if self.shared is not None:
            entry.shared = self.shared.issue(fresh, sid, entry.binding)
        if entry.rekey is not None:
            entry.rekey(fresh)

    def _share_new(self, token: str, stored: dict[str, Any]) -> None:
        """Record the new token in Redis and write the restored parts under the new tab id."""
        if self.shared is None:
            return
        from utils.shared_tab_store import new_sid

        sid = new_sid()
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return
            entry.sid, binding = sid, entry.binding
        ok = self.shared.issue(token, sid, binding)
        with self._lock:
            entry.shared = ok
        for name, value in stored.items():
            self.shared.put(sid, name, value)

    def put(self, token: str, name: str, value: Any, stored: Any = None) -> None:
        """Save one part of a tab's state (replacing what was saved under that name);
        `stored`: the part as the shared store writes it, when it differs from `value`."""
        with self._lock:
            entry = self._entries.get(token)
            if entry is None:
                return
            entry.state[name] = value
            entry.stored[name] = value if stored is None else stored
            sid = entry.sid
        if self.shared is not None and sid:
            self.shared.put(sid, name, value if stored is None else stored)

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
        if self.shared is not None and entry.sid:
            self.shared.end(entry.sid)  # its last changes written now

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

    def restore_data(self, stored: Any) -> Any:
        """The Dataset a part restored from Redis names (a StoredDataset), or a DataLost; read
        off the event loop by the tab that restores it."""
        from utils.tab_codec import DataLost

        if self.shared is None:
            return DataLost("unreachable", stored.fingerprint, "", stored.meta)
        return self.shared.dataset(stored)

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
                **({"shared_fallbacks": float(self._fallbacks)} if self.shared else {}),
                **(self.shared.stats() if self.shared else {}),
            }


def _same_browser(issued: str | None, brought: str | None) -> bool:
    """Both bindings known and equal (compared in constant time)."""
    return issued is not None and brought is not None and hmac.compare_digest(issued, brought)


def _measure_bytes(state: dict[str, Any]) -> int:
    from utils.cache import measure_bytes  # the cache's measure: frames deep, the rest reached

    return measure_bytes(state)
