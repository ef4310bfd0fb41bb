"""Retries: only transient errors are retried, with doubling jittered waits, and counted."""

import errno
import logging
from dataclasses import replace

import pytest
import redis.exceptions

from analyses.cancellation import Cancelled
from analyses.errors import AnalysisError
from utils import resilience
from utils.config import Settings
from utils.resilience import Retrier, RetryPolicy, TransientError, is_transient


class Flaky:
    """Fails with `error` the first `failures` calls, then returns "ok"."""

    def __init__(self, failures, error):
        self.failures = failures
        self.error = error
        self.calls = 0

    def __call__(self):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return "ok"


@pytest.fixture
def waits():
    return []


@pytest.fixture
def retrier(waits):
    # The waits are recorded instead of slept, so the tests run at once.
    return Retrier(
        RetryPolicy(retries=3, initial_s=0.5, max_s=2.0, jitter_s=0.25), sleep=waits.append
    )


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionResetError("reset"),
        ConnectionError("refused"),
        TimeoutError("slow"),
        OSError(errno.EAGAIN, "try again"),
        OSError(errno.EBUSY, "busy"),
        OSError(errno.EINTR, "interrupted"),
        OSError(errno.ETIMEDOUT, "timed out"),
        TransientError("model still loading"),
        redis.exceptions.ConnectionError("redis gone"),
        redis.exceptions.TimeoutError("redis slow"),
    ],
)
def test_transient_errors_are_recognised(exc):
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad input"),
        AnalysisError("outcome has one level"),
        KeyError("x"),
        ZeroDivisionError(),
        FileNotFoundError(errno.ENOENT, "missing"),
        PermissionError(errno.EACCES, "denied"),
        redis.exceptions.AuthenticationError("wrong password"),
        redis.exceptions.ResponseError("WRONGTYPE"),
    ],
)
def test_permanent_errors_are_not_transient(exc):
    assert not is_transient(exc)


def test_recovers_after_two_transient_failures(retrier, waits, caplog):
    flaky = Flaky(2, ConnectionError("down"))
    with caplog.at_level(logging.INFO, logger="utils.resilience"):
        assert retrier.call(flaky) == "ok"
    assert flaky.calls == 3
    assert len(waits) == 2
    assert sum("retry" in r.getMessage() for r in caplog.records) == 2
    stats = retrier.stats()
    assert stats["calls"] == 1
    assert stats["attempts"] == 3
    assert stats["retries"] == 2
    assert stats["retried_calls"] == 1
    assert stats["recovered"] == 1
    assert stats["failed"] == 0
    assert stats["success_rate"] == 1.0


def test_backoff_doubles_from_initial_with_jitter_and_caps(retrier, waits):
    with pytest.raises(TimeoutError):
        retrier.call(Flaky(10, TimeoutError("slow")))
    # 3 retries: 0.5 s, 1 s, 2 s, each plus up to 0.25 s of jitter; the cap is 2 s.
    assert len(waits) == 3
    assert 0.5 <= waits[0] <= 0.75
    assert 1.0 <= waits[1] <= 1.25
    assert waits[2] == 2.0


def test_gives_up_after_configured_retries_and_reraises_the_original(retrier):
    flaky = Flaky(10, OSError(errno.EAGAIN, "busy"))
    with pytest.raises(OSError) as info:
        retrier.call(flaky)
    assert info.value.errno == errno.EAGAIN
    assert flaky.calls == 4  # 1 try + 3 retries
    stats = retrier.stats()
    assert stats["failed"] == 1
    assert stats["recovered"] == 0
    assert stats["attempts"] == 4
    assert stats["success_rate"] == 0.0


@pytest.mark.parametrize("exc", [AnalysisError("no events"), ValueError("bad"), KeyError("k")])
def test_permanent_errors_are_never_retried(retrier, waits, exc):
    flaky = Flaky(1, exc)
    with pytest.raises(type(exc)):
        retrier.call(flaky)
    assert flaky.calls == 1
    assert waits == []
    stats = retrier.stats()
    assert stats["errors"] == 1
    assert stats["failed"] == 0
    assert stats["retried_calls"] == 0


def test_a_cancelled_call_is_never_retried_and_counts_as_neither_failure_nor_error(retrier, waits):
    flaky = Flaky(1, Cancelled())
    with pytest.raises(Cancelled):
        retrier.call(flaky)
    assert flaky.calls == 1
    assert waits == []
    assert not is_transient(Cancelled())
    stats = retrier.stats()
    assert (stats["cancelled"], stats["errors"], stats["failed"]) == (1, 0, 0)
    assert (stats["attempts"], stats["retries"], stats["success_rate"]) == (1, 0, 1.0)


def test_success_rate_counts_calls_lost_to_transient_errors(retrier):
    retrier.call(lambda: 1)
    retrier.call(Flaky(1, ConnectionError("blip")))
    with pytest.raises(ConnectionError):
        retrier.call(Flaky(9, ConnectionError("down")))
    retrier.call(lambda: 2)
    stats = retrier.stats()
    assert stats["calls"] == 4
    assert stats["failed"] == 1
    assert stats["success_rate"] == 0.75
    assert stats["attempts"] == 1 + 2 + 4 + 1


def test_wrap_passes_arguments_and_retries(retrier):
    seen = []

    @retrier.wrap
    def load(name, *, size):
        seen.append((name, size))
        if len(seen) < 2:
            raise TransientError("not ready")
        return f"{name}:{size}"

    assert load("model", size=3) == "model:3"
    assert seen == [("model", 3), ("model", 3)]
    assert load.__name__ == "load"


def test_tuned_copy_has_its_own_policy_and_shared_counters(retrier, waits):
    quick = retrier.tuned(retries=1, initial_s=0.05, max_s=0.1, jitter_s=0.0)
    flaky = Flaky(5, ConnectionError("down"))
    with pytest.raises(ConnectionError):
        quick.call(flaky)
    assert flaky.calls == 2
    assert waits == [0.05]
    assert retrier.stats()["failed"] == 1
    assert retrier.stats()["calls"] == 1


def test_fallbacks_are_counted_apart_from_retries(retrier):
    retrier.record_fallback("bfgs")
    retrier.record_fallback("firth")
    retrier.record_fallback("firth")
    stats = retrier.stats()
    assert stats["fallbacks"] == 3
    assert stats["calls"] == 0
    assert retrier.fallback_counts() == {"bfgs": 1, "firth": 2}


def test_policy_is_read_from_settings(monkeypatch):
    configured = replace(Settings(), retry_attempts=5, retry_initial_s=0.2, retry_max_s=1.5)
    monkeypatch.setattr(resilience, "settings", configured)
    assert RetryPolicy.from_settings() == RetryPolicy(
        retries=5, initial_s=0.2, max_s=1.5, jitter_s=0.1
    )


def test_stats_are_flat_numbers_before_any_call():
    stats = Retrier(sleep=lambda s: None).stats()
    assert all(isinstance(v, float) for v in stats.values())
    assert stats["success_rate"] == 1.0
