"""The optional shared second cache tier: Redis, read-through and write-through, safe JSON only.

Nothing read from Redis is trusted: a value is read only up to `max_bytes` (GETRANGE, so an
over-size one is never even transferred whole), must carry the HMAC of MEDSTAT_REDIS_SECRET over
its key and body (utils/signed_value.py), and is rebuilt only as an allowed result type whose
fields have their declared types (utils/codec.py, utils/result_schema.py). Anything else is a
miss, counted by reason and logged, never shown. Without a secret the tier does not start.

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

from utils import codec, signed_value
from utils.config import settings
from utils.resilience import Retrier, is_transient

log = logging.getLogger(__name__)

FORMAT = "medstat-result/2"  # envelope version; a value without it is treated as a miss
REFUSALS = ("size", "format", "signature", "schema")  # why a stored value was not used


class RedisTier:
    """Results shared between workers through Redis, under the in-memory cache.

    `allowed` lists the result dataclasses that may be rebuilt from Redis (an allow-list: any
    other stored type is a miss). `secret` signs and checks every value; `max_bytes` bounds
    what is read. `client` may be any object with redis-py's getrange/set.
    """

    def __init__(
        self,
        url: str,
        allowed: Iterable[type],
        *,
        secret: str,
        max_bytes: int = 8 * 2**20,
        retrier: Retrier | None = None,
        socket_timeout_s: float = 0.2,
        probe_s: float = 30.0,
        timer: Callable[[], float] = time.monotonic,
        client: Any = None,
    ) -> None:
        if len(secret) < signed_value.MIN_SECRET_CHARS:
            raise ValueError(
                f"the shared tier's secret must be {signed_value.MIN_SECRET_CHARS}+ characters"
            )
        self.url = url
        self._allowed = tuple(allowed)
        self._secret = secret.encode("utf-8")
        self._max_bytes = int(max_bytes)
        # One quick retry: a shared cache that is slow is worth less than computing again.
        base = retrier or Retrier()
        self._retrier = base.tuned(retries=1, initial_s=0.05, max_s=0.1, jitter_s=0.05)
        self._probe_s = probe_s
        self._timer = timer
        self._client = client if client is not None else connect(url, socket_timeout_s)
        self._lock = threading.Lock()
        self._up = True
        self._next_probe = 0.0
        self._hits = 0
        self._misses = 0
        self._errors = 0
        self._refused = dict.fromkeys(REFUSALS, 0)
        self._writes = 0

    def get(self, key: str) -> tuple[Any, float] | None:
        """(result, compute seconds) under key; None on a miss, a bad value or an outage."""
        # At most max_bytes + 1 bytes come over the wire: enough to tell an over-size value.
        raw = self._call("getrange", key, 0, self._max_bytes)
        if not raw:  # GETRANGE answers b"" for a missing key
            with self._lock:
                self._misses += 1
            return None
        try:
            body = signed_value.unseal(self._secret, key, raw, self._max_bytes)
        except signed_value.Refused as exc:
            self._refuse(key, exc.reason, str(exc))
            return None
        try:
            envelope = json.loads(body)
            if not isinstance(envelope, dict) or envelope.get("format") != FORMAT:
                raise codec.CodecError("not a MedStat result envelope")
            compute_s = float(envelope.get("compute_s", 0.0))
            value = codec.decode(envelope["result"], {codec.type_name(c): c for c in self._allowed})
        except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
            # CodecError is a ValueError: signed by a worker of another version, or damaged.
            self._refuse(key, "schema", str(exc))
            return None
        with self._lock:
            self._hits += 1
        return value, compute_s

    def _refuse(self, key: str, reason: str, detail: str) -> None:
        with self._lock:
            self._refused[reason] += 1
        log.warning("shared cache: refused the value under %s (%s: %s)", key, reason, detail)

    def set(self, key: str, value: Any, compute_s: float, ttl_s: float) -> None:
        """Store a result under key for ttl_s seconds; failures are counted, never raised."""
        try:
            result = codec.encode(value)
        except codec.CodecError as exc:
            log.info("shared cache: %s not stored (%s)", key, exc)
            return
        body = json.dumps(
            {"format": FORMAT, "compute_s": compute_s, "result": result},
            allow_nan=False,
            separators=(",", ":"),
        ).encode("utf-8")
        if len(body) > self._max_bytes - 100:  # readers refuse it: do not send it
            log.info("shared cache: %s not stored (%d bytes, over the bound)", key, len(body))
            return
        text = signed_value.seal(self._secret, key, body)
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
                safe_url(self.url),
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
            log.info("shared cache tier %s is back up", safe_url(self.url))

    @property
    def up(self) -> bool:
        with self._lock:
            return self._up

    def stats(self) -> dict[str, float]:
        """redis_up (1/0), hits, misses, errors, refused values (all, and by reason), writes."""
        with self._lock:
            out = {
                "redis_up": 1.0 if self._up else 0.0,
                "redis_hits": float(self._hits),
                "redis_misses": float(self._misses),
                "redis_errors": float(self._errors),
                "redis_rejected": float(sum(self._refused.values())),
                "redis_writes": float(self._writes),
            }
            for reason, count in self._refused.items():
                out[f"redis_rejected_{reason}"] = float(count)
            return out


def make_tier(
    allowed: Iterable[type],
    retrier: Retrier | None = None,
    url: str | None = None,
    secret: str | None = None,
) -> RedisTier | None:
    """The shared tier configured by MEDSTAT_REDIS_URL and MEDSTAT_REDIS_SECRET, or None.

    Without a (long enough) secret the tier does not start: values nobody can vouch for would
    be shown to users. The app then runs on the in-memory cache alone, and says so once."""
    url = getattr(settings, "redis_url", "") if url is None else url
    secret = getattr(settings, "redis_secret", "") if secret is None else secret
    if not url:
        return None
    if len(secret) < signed_value.MIN_SECRET_CHARS:
        log.error(
            "shared cache tier NOT started: MEDSTAT_REDIS_URL is set but MEDSTAT_REDIS_SECRET is"
            " %s (it signs every shared value; give every worker the same random string of %d+"
            " characters); results stay in this worker's memory",
            "too short" if secret else "not set",
            signed_value.MIN_SECRET_CHARS,
        )
        return None
    max_bytes = int(getattr(settings, "redis_max_value_mb", 8.0) * 2**20)
    tier = RedisTier(url, allowed, retrier=retrier, secret=secret, max_bytes=max_bytes)
    log.info("shared cache tier: %s (signed values up to %d bytes)", safe_url(url), max_bytes)
    return tier


def connect(url: str, socket_timeout_s: float) -> Any:
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


def safe_url(url: str) -> str:
    """The URL without a password, for logs."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rsplit('@', 1)[1]}"
