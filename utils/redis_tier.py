"""The optional shared second cache tier: Redis, read-through and write-through, safe JSON only.

Redis is never a single point of failure: every call has a short socket timeout and a quick
retry; after a failure the tier is marked down (logged once) and skipped, so requests cost
nothing extra, until a re-probe at most every `probe_s` seconds finds it back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from utils import codec
from utils.config import settings
from utils.resilience import Retrier, is_transient

log = logging.getLogger(__name__)

FORMAT = "medstat-result/1"  # envelope version; a value without it is treated as a miss


class RedisTier:
    """Results shared between workers through Redis, under the in-memory cache.

    `allowed` lists the result dataclasses that may be rebuilt from Redis (an allow-list: any
    other stored type is a miss). `client` may be any object with redis-py's get/set.
    """

    def __init__(
        self,
        url: str,
        allowed: Iterable[type],
        *,
        retrier: Retrier | None = None,
        socket_timeout_s: float = 0.2,
        probe_s: float = 30.0,
        timer: Callable[[], float] = time.monotonic,
        client: Any = None,
    ) -> None:
        self.url = url
        self._allowed = tuple(allowed)
        # One quick retry: a shared cache that is slow is worth less than computing again.
        base = retrier or Retrier()
        self._retrier = base.tuned(retries=1, initial_s=0.05, max_s=0.1, jitter_s=0.05)
        self._probe_s = probe_s
        self._timer = timer
        self._client = client if client is not None else _connect(url, socket_timeout_s)
        self._lock = threading.Lock()
        self._up = True
        self._next_probe = 0.0
        self._hits = 0
        self._misses = 0
        self._errors = 0
        self._rejected = 0
        self._writes = 0

    def get(self, key: str) -> tuple[Any, float] | None:
        """(result, compute seconds) under key; None on a miss, a bad value or an outage."""
        raw = self._call("get", key)
        if raw is None:
            with self._lock:
                self._misses += 1
            return None
        try:
            envelope = json.loads(raw)
            if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
                raise codec.CodecError("not a MedStat result envelope")
            compute_s = float(envelope.get("compute_s", 0.0))
            value = codec.decode(envelope["result"], {codec.type_name(c): c for c in self._allowed})
        except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
            # CodecError is a ValueError; a value we did not write is a miss, never executed.
            with self._lock:
                self._rejected += 1
            log.warning("shared cache: ignored an unreadable value under %s (%s)", key, exc)
            return None
        with self._lock:
            self._hits += 1
        return value, compute_s

    def set(self, key: str, value: Any, compute_s: float, ttl_s: float) -> None:
        """Store a result under key for ttl_s seconds; failures are counted, never raised."""
        try:
            result = codec.encode(value)
        except codec.CodecError as exc:
            log.info("shared cache: %s not stored (%s)", key, exc)
            return
        text = json.dumps(
            {"format": FORMAT, "compute_s": compute_s, "result": result},
            allow_nan=False,
            separators=(",", ":"),
        )
        if self._call("set", key, text, ex=max(1, int(round(ttl_s)))) is not None:
            with self._lock:
                self._writes += 1

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        """A Redis call through the retry layer; None when the tier is down or the call failed."""
        with self._lock:
            if not self._up:
                now = self._timer()
                if now < self._next_probe:
                    return None
                self._next_probe = now + self._probe_s  # this call is the probe; others skip
        try:
            result = self._retrier.call(getattr(self._client, method), *args, **kwargs)
        except Exception as exc:
            self._failed(method, exc)
            return None
        self._recovered()
        return result

    def _failed(self, method: str, exc: Exception) -> None:
        with self._lock:
            self._errors += 1
            went_down = self._up and is_transient(exc)
            if is_transient(exc):
                self._up = False
                self._next_probe = self._timer() + self._probe_s
        if went_down:
            log.warning(
                "shared cache tier %s is down (%s: %s); carrying on in memory, re-probing every"
                " %.0f s",
                _safe_url(self.url),
                type(exc).__name__,
                exc,
                self._probe_s,
            )
        elif not is_transient(exc):
            log.warning("shared cache: redis %s failed: %s: %s", method, type(exc).__name__, exc)

    def _recovered(self) -> None:
        with self._lock:
            was_down = not self._up
            self._up = True
        if was_down:
            log.info("shared cache tier %s is back up", _safe_url(self.url))

    @property
    def up(self) -> bool:
        with self._lock:
            return self._up

    def stats(self) -> dict[str, float]:
        """redis_up (1/0), hits, misses, errors, rejected values, writes."""
        with self._lock:
            return {
                "redis_up": 1.0 if self._up else 0.0,
                "redis_hits": float(self._hits),
                "redis_misses": float(self._misses),
                "redis_errors": float(self._errors),
                "redis_rejected": float(self._rejected),
                "redis_writes": float(self._writes),
            }


def make_tier(
    allowed: Iterable[type], retrier: Retrier | None = None, url: str | None = None
) -> RedisTier | None:
    """The shared tier configured by MEDSTAT_REDIS_URL, or None when it is not set."""
    url = getattr(settings, "redis_url", "") if url is None else url
    if not url:
        return None
    tier = RedisTier(url, allowed, retrier=retrier)
    log.info("shared cache tier: %s", _safe_url(url))
    return tier


def _connect(url: str, socket_timeout_s: float) -> Any:
    import redis  # imported only when the tier is on: the client costs memory in every worker
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # redis-py retries on its own by default; turn that off so our retry layer decides and counts.
    return redis.Redis.from_url(
        url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=socket_timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


def _safe_url(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
