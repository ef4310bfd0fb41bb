"""Layer 3: retries with exponential backoff and jitter, for transient errors only (tenacity)."""

from __future__ import annotations

import errno
import functools
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from analyses.cancellation import Cancelled
from utils.config import settings

log = logging.getLogger(__name__)

T = TypeVar("T")

# OS errors worth another try: the resource was busy or the call was interrupted, not wrong.
TRANSIENT_ERRNOS = frozenset(
    {errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.ETIMEDOUT, errno.ENOBUFS}
)


class TransientError(RuntimeError):
    """A failure that may pass if tried again (e.g. a model that is still loading)."""


def _redis_transient(exc: BaseException) -> bool:
    # Only look at redis if something already imported it: a redis error cannot exist otherwise,
    # and importing the client here would cost memory in every process.
    module = sys.modules.get("redis.exceptions")
    if module is None:
        return False
    # Bad credentials subclass redis' ConnectionError but will not pass on a second try.
    permanent = (module.AuthenticationError, module.AuthorizationError)
    transient = (module.ConnectionError, module.TimeoutError)
    return isinstance(exc, transient) and not isinstance(exc, permanent)


def is_transient(exc: BaseException) -> bool:
    """True for errors a retry can fix: connections, timeouts, busy resources, model loading."""
    # AnalysisError and bad input fail again on the same input; a cancelled request is not wanted.
    if isinstance(exc, (ValueError, Cancelled)):
        return False
    if isinstance(exc, (TransientError, ConnectionError, TimeoutError)):
        return True
    if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
        return True
    return _redis_transient(exc)


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to retry and how long to wait: initial_s, doubling, capped at max_s."""

    retries: int = 3
    initial_s: float = 0.5
    max_s: float = 2.0
    jitter_s: float = 0.25  # up to this much random extra per wait, so clients do not retry in step

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        """The policy configured by MEDSTAT_RETRY_*; jitter is half the first wait."""
        initial = float(getattr(settings, "retry_initial_s", 0.5))
        return cls(
            retries=int(getattr(settings, "retry_attempts", 3)),
            initial_s=initial,
            max_s=float(getattr(settings, "retry_max_s", 2.0)),
            jitter_s=initial / 2,
        )


class _Counters:
    """Running totals shared by a Retrier and its tuned copies; one lock, plain ints."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls = 0
        self.retried_calls = 0
        self.attempts = 0
        self.recovered = 0
        self.succeeded = 0
        self.failed = 0
        self.errors = 0
        self.cancelled = 0
        self.fallbacks: Counter[str] = Counter()


class Retrier:
    """Runs callables with retries on transient errors and counts what happened.

    `sleep` is injectable so tests run without waiting. `tuned()` gives a copy with another
    policy (e.g. a quick one for the shared cache tier) that counts into the same stats.
    """

    def __init__(
        self,
        policy: RetryPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        _counters: _Counters | None = None,
    ) -> None:
        self.policy = policy or RetryPolicy.from_settings()
        self._sleep = sleep
        self._counters = _counters or _Counters()
        self._retrying = Retrying(
            sleep=sleep,
            stop=stop_after_attempt(self.policy.retries + 1),
            wait=wait_exponential_jitter(
                multiplier=self.policy.initial_s,
                max=self.policy.max_s,
                jitter=self.policy.jitter_s,
            ),
            retry=retry_if_exception(is_transient),
            reraise=True,
        )

    def describe(self) -> str:
        """One line for the start-up log."""
        p = self.policy
        return (
            f"retries {p.retries} on transient errors, backoff {p.initial_s:g} s doubling to "
            f"{p.max_s:g} s, jitter up to {p.jitter_s:g} s"
        )

    def tuned(self, **changes: Any) -> Retrier:
        """A retrier with some policy fields changed, sharing this one's counters."""
        policy = replace(self.policy, **changes)
        return Retrier(policy, sleep=self._sleep, _counters=self._counters)

    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """fn(*args, **kwargs), retried on transient errors; other errors pass through at once."""
        tries = 0

        def attempt() -> T:
            nonlocal tries
            tries += 1
            return fn(*args, **kwargs)

        counters = self._counters
        with counters.lock:
            counters.calls += 1
        try:
            retrying = self._retrying.copy(before_sleep=functools.partial(_log_retry, _name(fn)))
            result = retrying(attempt)
        except BaseException as exc:
            with counters.lock:
                counters.attempts += tries
                counters.retried_calls += tries > 1
                if isinstance(exc, Cancelled):
                    counters.cancelled += 1
                elif is_transient(exc):
                    counters.failed += 1
                else:
                    counters.errors += 1
            if tries > 1:
                log.info("gave up on %s after %d attempts: %r", _name(fn), tries, exc)
            raise
        with counters.lock:
            counters.attempts += tries
            counters.retried_calls += tries > 1
            counters.recovered += tries > 1
            counters.succeeded += 1
        return result

    def wrap(self, fn: Callable[..., T]) -> Callable[..., T]:
        """Decorator form of call()."""

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> T:
            return self.call(fn, *args, **kwargs)

        return wrapper

    def record_fallback(self, name: str) -> None:
        """Count one solver fallback (e.g. Newton -> BFGS -> Firth); not a retry."""
        with self._counters.lock:
            self._counters.fallbacks[name] += 1

    def fallback_counts(self) -> dict[str, int]:
        """Fallbacks by name, for the log or a detail view."""
        with self._counters.lock:
            return dict(self._counters.fallbacks)

    def stats(self) -> dict[str, float]:
        """Flat numbers for the stats panel.

        `failed` counts calls lost to a transient error after every retry; `errors` counts calls
        that ended in a non-transient error (bad data, a bug), which are never retried;
        `cancelled` counts calls stopped by their requester (never retried, not failures).
        success_rate = share of calls not lost to transient failures (1.0 before any call).
        """
        c = self._counters
        with c.lock:
            calls = c.calls
            return {
                "calls": float(calls),
                "retried_calls": float(c.retried_calls),
                "attempts": float(c.attempts),
                "retries": float(c.attempts - (c.succeeded + c.failed + c.errors + c.cancelled)),
                "recovered": float(c.recovered),
                "failed": float(c.failed),
                "errors": float(c.errors),
                "cancelled": float(c.cancelled),
                "success_rate": (calls - c.failed) / calls if calls else 1.0,
                "fallbacks": float(sum(c.fallbacks.values())),
            }


def _log_retry(label: str, state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else 0.0
    log.info(
        "retry %d of %s after %s: %s; waiting %.2f s",
        state.attempt_number,
        label,
        type(exc).__name__,
        exc,
        wait,
    )


def _name(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
