"""Browser tabs' saved state in Redis, so that a tab whose worker died reconnects to another
worker and finds its data, cleaning steps and last results (utils/session_store.py uses it
when MEDSTAT_REDIS_URL and MEDSTAT_REDIS_SECRET are set).

Keys (all expire `keep_s` after their last write; a live tab's are refreshed while it is open):

    medstat:tab:token:<sha256 of the token>  hash {b: browser binding, v: signed {"sid"}}
    medstat:tab:state:<sid>                  hash {part name: signed part (utils/tab_codec.py)}
    medstat:tab:frame:<fingerprint>          signed frame (utils/dataset_codec.py), shared by
                                             every tab holding the same data

A token is claimed by one Lua script (`CLAIM`): the binding brought is compared in Redis and the
token deleted in the same step, so two workers can never both restore it, and a token brought
by another browser is refused without being spent. A tab's state is written when it changes
(a part is put), by one writer thread, `debounce_s` after the change and only the parts that
changed; a frame once per fingerprint (an EXPIRE finds it already stored). A frame over
`max_frame_bytes` is not stored: the tab's description of its data is, and on reconnect the page
says the data must be uploaded again. Every value is signed (utils/signed_value.py) and read up
to its bound; a bad one is a miss, counted by reason, never shown.

Redis calls go through the retry layer; after a failure the store is marked down and the
caller carries on in process (utils/session_store.py), re-probing every `probe_s` seconds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from utils import codec, dataset_codec, signed_value, tab_codec
from utils.dataset import Dataset
from utils.redis_tier import connect, safe_url
from utils.resilience import Retrier, is_transient

log = logging.getLogger(__name__)

PREFIX = "medstat:tab:"
# Spends a token only when the browser binding matches: [0] unknown, [1] refused, [2, value].
CLAIM = """
local b = redis.call('HGET', KEYS[1], 'b')
if not b then return {0} end
if b ~= ARGV[1] then return {1} end
local v = redis.call('HGET', KEYS[1], 'v')
redis.call('DEL', KEYS[1])
return {2, v}
"""
COUNTERS = (
    "restored", "unknown", "refused", "writes", "write_mb", "frames_written", "over_bound",
    "unstorable", "errors", "rejected_size", "rejected_format", "rejected_signature",
    "rejected_schema", "frames_missing",
)  # fmt: skip


@dataclass(frozen=True)
class Claim:
    """What a brought token gave: `sid` when restored; `status` restored, unknown or refused."""

    status: str
    sid: str = ""


@dataclass
class _Tab:
    """A tab this worker writes for: its latest parts and which of them Redis holds."""

    token_key: str
    latest: dict[str, Any] = field(default_factory=dict)
    written: dict[str, Any] = field(default_factory=dict)  # part -> the value written
    due: float | None = None  # when it is written next (changed parts, or its keys refreshed)
    dirty: bool = False  # parts changed since the last write
    writing: bool = False  # the writer thread is writing it now
    ended: bool = False
    frames: set[str] = field(default_factory=set)


class SharedTabStore:
    """The Redis side of the tab store: tokens, parts, frames; `allowed` the codec's types."""

    def __init__(
        self,
        url: str,
        allowed: Iterable[type],
        *,
        secret: str,
        keep_s: float = 600.0,
        max_frame_bytes: int = 64 * 2**20,
        max_part_bytes: int = 8 * 2**20,
        debounce_s: float = 0.5,
        retrier: Retrier | None = None,
        socket_timeout_s: float = 0.5,
        probe_s: float = 10.0,
        timer: Callable[[], float] = time.monotonic,
        client: Any = None,
    ) -> None:
        if len(secret) < signed_value.MIN_SECRET_CHARS:
            raise ValueError(f"the secret must be {signed_value.MIN_SECRET_CHARS}+ characters")
        self.url = url
        self.keep_s = keep_s
        self._allowed = {codec.type_name(t): t for t in allowed}
        self._secret = secret.encode("utf-8")
        self._max_frame = int(max_frame_bytes)
        self._max_part = int(max_part_bytes)
        self._debounce_s = debounce_s
        base = retrier or Retrier()
        # A claim runs on the event loop as a session starts: a hung Redis may cost it at most
        # two socket timeouts, once per probe_s (then the store is down and skipped).
        self._retrier = base.tuned(retries=1, initial_s=0.05, max_s=0.1, jitter_s=0.05)
        self._probe_s = probe_s
        self._timer = timer
        self._client = client if client is not None else connect(url, socket_timeout_s)
        self._claim = self._client.register_script(CLAIM)
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._tabs: dict[str, _Tab] = {}
        self._counts = dict.fromkeys(COUNTERS, 0.0)
        self._up = True
        self._next_probe = 0.0
        self._closed = False
        # Told (from the writer thread) the id of an open tab whose token was spent elsewhere.
        self.on_token_taken: Callable[[str], None] | None = None
        self._thread = threading.Thread(target=self._write_loop, name="tab-store", daemon=True)
        self._thread.start()

    # --- tokens -------------------------------------------------------------------------------
    def issue(self, token: str, sid: str, binding: str | None) -> bool:
        """Record a new token for the tab `sid` (written now: the page may reload at once)."""
        if binding is None:
            return False  # a browser without the cookie: its token restores nothing anyway
        key = _token_key(token)
        body = json.dumps({"sid": sid}).encode()
        value = signed_value.seal(self._secret, key, body)
        ttl = max(1, round(self.keep_s))
        ok = self._call(_issue, self._client, key, binding, value, ttl) is not None
        with self._lock:
            tab = self._tabs.setdefault(sid, _Tab(key))
            tab.token_key = key
        return ok

    def claim(self, token: str, binding: str | None) -> Claim | None:
        """Spend a brought token; None when Redis cannot answer (the caller decides alone)."""
        answer = self._call(self._claim, keys=[_token_key(token)], args=[binding or "-"])
        if answer is None:
            return None
        status = ("unknown", "refused", "restored")[int(answer[0])]
        if status != "restored":
            self._count(status)
            return Claim(status)
        try:
            raw = signed_value.unseal(self._secret, _token_key(token), answer[1], 4096)
            sid = json.loads(raw)["sid"]
            if not isinstance(sid, str):
                raise ValueError("no tab id")
        except signed_value.Refused as exc:
            self._refuse(exc.reason, str(exc))
            return Claim("unknown")
        except (ValueError, KeyError, TypeError) as exc:
            self._refuse("schema", str(exc))
            return Claim("unknown")
        self._count("restored")
        return Claim("restored", sid)

    # --- reading ------------------------------------------------------------------------------
    def load(self, sid: str) -> dict[str, Any] | None:
        """The parts stored for `sid`, each Dataset a StoredDataset whose frame `dataset` reads
        (not here: this runs as a session starts, on the event loop); None when Redis cannot
        answer."""
        key = _state_key(sid)
        fields = self._call(self._client.hgetall, key)
        if fields is None:
            return None
        parts: dict[str, Any] = {}
        for name_raw, raw in fields.items():
            name = name_raw.decode("utf-8", "replace")
            try:
                body = signed_value.unseal(self._secret, f"{key}|{name}", raw, self._max_part)
                parts[name] = tab_codec.decode_part(body, self._allowed)
            except signed_value.Refused as exc:
                self._refuse(exc.reason, f"{name}: {exc}")
            except codec.CodecError as exc:
                self._refuse("schema", f"{name}: {exc}")
        return parts

    def dataset(self, stored: tab_codec.StoredDataset) -> Dataset | tab_codec.DataLost:
        """The Dataset a restored part names, its frame read from Redis (a large read and
        decode: call it off the event loop), or DataLost saying why it cannot come back."""
        try:
            return tab_codec.dataset(stored, self._allowed, self._load_frame)
        except codec.CodecError as exc:
            self._refuse("schema", f"data set {stored.fingerprint}: {exc}")
            return tab_codec.DataLost("damaged", stored.fingerprint, "", stored.meta)

    def _load_frame(self, fingerprint: str) -> Any:
        """The frame stored under a fingerprint, or why not (a sentence's reason)."""
        key = _frame_key(fingerprint)
        bound = self._max_frame + 200  # the signature's prefix
        raw = self._call(self._client.getrange, key, 0, bound)
        if not raw:
            self._count("frames_missing")
            return "expired" if raw is not None else "unreachable"
        try:
            return dataset_codec.load_frame(signed_value.unseal(self._secret, key, raw, bound))
        except signed_value.Refused as exc:
            self._refuse(exc.reason, f"frame {fingerprint}: {exc}")
        except codec.CodecError as exc:
            self._refuse("schema", f"frame {fingerprint}: {exc}")
        return "damaged"

    # --- writing ------------------------------------------------------------------------------
    def put(self, sid: str, name: str, value: Any) -> None:
        """A part of a tab changed: written within debounce_s, off the caller's thread."""
        with self._lock:
            tab = self._tabs.get(sid)
            if tab is None:
                return
            tab.latest[name] = value
            soon = self._timer() + self._debounce_s
            if not tab.dirty or tab.due is None or tab.due > soon:
                tab.dirty, tab.due = True, soon
                self._wake.notify()

    def end(self, sid: str) -> None:
        """The tab's session ended: write what changed now; its keys then expire keep_s on."""
        with self._lock:
            tab = self._tabs.get(sid)
            if tab is not None:
                tab.ended = tab.dirty = True
                tab.due = self._timer()
                self._wake.notify()

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until every changed part is written (tests, shutdown); False on timeout."""
        deadline = time.monotonic() + timeout_s
        with self._lock:
            for tab in self._tabs.values():
                if tab.dirty:
                    tab.due = self._timer()
            self._wake.notify()
        while time.monotonic() < deadline:
            with self._lock:
                if not any(t.dirty or t.writing for t in self._tabs.values()):
                    return True
            time.sleep(0.01)
        return False

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._wake.notify()

    def _write_loop(self) -> None:
        while True:
            with self._lock:
                while not self._closed and not self._due_now():
                    self._wake.wait(self._wait_s())
                if self._closed:
                    return
                now = self._timer()
                work = [
                    (sid, tab, dict(tab.latest))
                    for sid, tab in self._tabs.items()
                    if tab.due is not None and tab.due <= now
                ]
                for _, tab, _ in work:
                    tab.due, tab.dirty = None, False  # a put from now on marks it again
                    tab.writing = True
            for sid, tab, latest in work:
                written = self._write(sid, tab, latest)
                with self._lock:
                    tab.writing = False
                    if not written:
                        tab.dirty = True  # Redis down: try again after the next probe
                    if tab.ended and not tab.dirty:
                        self._tabs.pop(sid, None)
                    elif tab.due is None:  # a live tab's keys are kept alive while it is open
                        wait = self._probe_s if tab.dirty else self.keep_s / 3
                        tab.due = self._timer() + wait

    def _due_now(self) -> bool:
        now = self._timer()
        return any(t.due is not None and t.due <= now for t in self._tabs.values())

    def _wait_s(self) -> float | None:
        dues = [t.due for t in self._tabs.values() if t.due is not None]
        return max(0.0, min(dues) - self._timer()) if dues else None

    def _write(self, sid: str, tab: _Tab, latest: dict[str, Any]) -> bool:
        """Write the parts of one tab that changed since they were last written."""
        key = _state_key(sid)
        sealed: dict[str, bytes] = {}
        for name, value in latest.items():
            if name in tab.written and tab.written[name] is value:
                continue
            try:
                body = tab_codec.encode_part(value, lambda ds: self._store_frame(ds, tab))
            except codec.CodecError as exc:
                self._count("unstorable")
                log.info("tab store: part %s not stored (%s)", name, exc)
                continue
            if len(body) > self._max_part - 200:
                self._count("unstorable")
                log.info("tab store: part %s not stored (%d bytes)", name, len(body))
                continue
            sealed[name] = signed_value.seal(self._secret, f"{key}|{name}", body)
        ttl = max(1, round(self.keep_s))
        token_kept = self._call(
            _write_parts, self._client, key, sealed, tab.token_key, ttl, tab.frames
        )
        if token_kept is None:
            return False
        if not token_kept and not tab.ended and self.on_token_taken is not None:
            # Its token was spent by a page elsewhere (a duplicated browser tab on another
            # worker): the open tab goes on under a new one, as within one worker.
            self.on_token_taken(sid)
        self._count("writes", len(sealed))
        self._count("write_mb", sum(map(len, sealed.values())) / 2**20)
        for name, value in latest.items():
            tab.written[name] = value
        return True

    def _store_frame(self, ds: Dataset | tab_codec.StoredDataset, tab: _Tab) -> bool:
        """Store a Dataset's frame under its fingerprint unless it is there; whether it is."""
        key = _frame_key(ds.fingerprint)
        ttl = max(1, round(self.keep_s))
        if self._call(self._client.expire, key, ttl):  # stored already (by any worker)
            tab.frames.add(ds.fingerprint)
            return True
        if not isinstance(ds, Dataset):  # restored but not read, and gone from Redis since
            return False
        try:
            raw = dataset_codec.dump_frame(ds.df)
        except codec.CodecError as exc:
            self._count("unstorable")
            log.info("tab store: data set not stored (%s)", exc)
            return False
        if len(raw) > self._max_frame:
            self._count("over_bound")
            log.info("tab store: data set of %.1f MB over the bound", len(raw) / 2**20)
            return False
        if self._call(self._client.set, key, signed_value.seal(self._secret, key, raw), ex=ttl):
            self._count("frames_written")
            self._count("write_mb", len(raw) / 2**20)
            tab.frames.add(ds.fingerprint)
            return True
        return False

    # --- plumbing -----------------------------------------------------------------------------
    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A Redis call through the retry layer; None when down or failed."""
        with self._lock:
            if not self._up:
                now = self._timer()
                if now < self._next_probe:
                    return None
                self._next_probe = now + self._probe_s
        try:
            result = self._retrier.call(fn, *args, **kwargs)
        except Exception as exc:
            transient = is_transient(exc)
            with self._lock:
                self._counts["errors"] += 1
                was_up = self._up
                if transient:
                    self._up = False
                    self._next_probe = self._timer() + self._probe_s
            if not transient:
                log.warning("tab store: Redis call failed: %s: %s", type(exc).__name__, exc)
            elif was_up:
                log.warning(
                    "tab store: Redis %s is down (%s: %s); tabs are kept in this worker only,"
                    " re-probing every %.0f s",
                    safe_url(self.url),
                    type(exc).__name__,
                    exc,
                    self._probe_s,
                )
            return None
        with self._lock:
            was_down, self._up = not self._up, True
        if was_down:
            log.info("tab store: Redis %s is back up", safe_url(self.url))
        return result

    def _count(self, name: str, by: float = 1.0) -> None:
        with self._lock:
            self._counts[name] += by

    def _refuse(self, reason: str, detail: str) -> None:
        self._count(f"rejected_{reason}")
        log.warning("tab store: refused a stored value (%s: %s)", reason, detail)

    @property
    def up(self) -> bool:
        with self._lock:
            return self._up

    def stats(self) -> dict[str, float]:
        with self._lock:
            out = {f"shared_{k}": float(v) for k, v in self._counts.items()}
            out["shared_up"] = 1.0 if self._up else 0.0
            return out


def make_shared_store(allowed: Iterable[type], retrier: Retrier | None = None) -> Any:
    """The Redis tab store configured by MEDSTAT_REDIS_URL and MEDSTAT_REDIS_SECRET, or None
    (tabs are then kept in each worker's memory only). The secret's absence is logged by the
    result tier (utils/redis_tier.make_tier), which the same two variables configure."""
    from utils.config import settings

    if not settings.redis_url or len(settings.redis_secret) < signed_value.MIN_SECRET_CHARS:
        return None
    store = SharedTabStore(
        settings.redis_url,
        allowed,
        secret=settings.redis_secret,
        keep_s=settings.session_keep_s,
        max_frame_bytes=int(settings.session_store_max_mb * 2**20),
        max_part_bytes=int(settings.redis_max_value_mb * 2**20),
        debounce_s=settings.session_save_delay_s,
        retrier=retrier,
    )
    log.info(
        "tab store: tabs saved in Redis %s (data sets up to %.0f MB, kept %.0f s)",
        safe_url(settings.redis_url),
        settings.session_store_max_mb,
        settings.session_keep_s,
    )
    return store


def new_sid() -> str:
    return secrets.token_urlsafe(16)


def _issue(client: Any, key: str, binding: str, value: bytes, ttl: int) -> bool:
    pipe = client.pipeline(transaction=True)
    pipe.hset(key, mapping={"b": binding, "v": value})
    pipe.expire(key, ttl)
    pipe.execute()
    return True


def _write_parts(
    client: Any, key: str, sealed: dict[str, bytes], token_key: str, ttl: int, frames: set[str]
) -> bool:
    """One round trip: the changed parts, and every key of the tab kept another keep_s;
    whether its token is still there."""
    pipe = client.pipeline(transaction=False)
    pipe.expire(token_key, ttl)
    if sealed:
        pipe.hset(key, mapping=sealed)
    pipe.expire(key, ttl)
    for fingerprint in frames:
        pipe.expire(_frame_key(fingerprint), ttl)
    return bool(pipe.execute()[0])


def _token_key(token: str) -> str:
    return PREFIX + "token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()[:32]


def _state_key(sid: str) -> str:
    return PREFIX + "state:" + sid


def _frame_key(fingerprint: str) -> str:
    return PREFIX + "frame:" + fingerprint
