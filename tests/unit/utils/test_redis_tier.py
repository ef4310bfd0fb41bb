"""The shared Redis tier, against a real redis-server: read-through between workers, TTL,
outages handled quietly, tampered values rejected, never executed, and no tier without a
secret. (Planted values of every kind, against the running app: tests/hostile/.)"""

import logging
import os
import pickle

import pandas as pd
import pytest
import redis

from analyses.fit_records import OutcomeFit
from analyses.results import OutcomeResult
from analyses.specs import OutcomeSpec
from utils.cache import ResultCache, make_key
from utils.redis_tier import RedisTier, make_tier
from utils.resilience import Retrier

pytestmark = pytest.mark.redis

KEY = make_key("outcome", "1", "fingerprint", OutcomeSpec("death", ("age", "stage")))
SECRET = "test-secret-of-32-characters-xyz"


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def worker(url, clock=None, ttl_s=600):
    """One worker's cache: its own memory tier over the shared Redis."""
    retrier = Retrier(sleep=lambda s: None)
    tier = RedisTier(
        url, [OutcomeResult, OutcomeFit], retrier=retrier, timer=clock or FakeClock(), secret=SECRET
    )
    return ResultCache(max_mb=16, max_items=100, ttl_s=ttl_s, tier=tier, clock=clock or FakeClock())


def assert_same_result(a, b):
    pd.testing.assert_frame_equal(a.univariable, b.univariable)
    pd.testing.assert_frame_equal(a.multivariable, b.multivariable)
    pd.testing.assert_frame_equal(a.vif, b.vif)
    assert a.warnings == b.warnings
    assert type(a.fit) is type(b.fit) and a.fit.covariates_in_model == b.fit.covariates_in_model


def test_a_result_computed_by_one_worker_is_served_to_another(redis_server, outcome_result):
    clock = FakeClock()

    def compute():
        clock.now += 3.0  # "took" 3 s
        return outcome_result

    first, second = worker(redis_server.url, clock), worker(redis_server.url, clock)
    assert first.get_or_compute(KEY, compute).source == "computed"

    def must_not_run():
        raise AssertionError("the second worker recomputed a shared result")

    value, source = second.get_or_compute(KEY, must_not_run)
    assert source == "redis"
    assert_same_result(value, outcome_result)
    assert second.get_or_compute(KEY, must_not_run).source == "memory"  # now in its own tier
    stats = second.stats()
    assert (stats["hits"], stats["misses"], stats["redis_hits"]) == (2, 0, 1)
    assert stats["saved_s"] == 6.0  # both hits credited with the 3 s the first worker spent
    assert (stats["redis_enabled"], stats["redis_up"], stats["redis_errors"]) == (1, 1, 0)


def test_values_are_stored_as_signed_json_with_the_cache_ttl(redis_server, outcome_result):
    cache = worker(redis_server.url, ttl_s=120)
    cache.get_or_compute(KEY, lambda: outcome_result)
    client = redis.Redis.from_url(redis_server.url)
    assert 115 <= client.ttl(KEY) <= 120
    raw = client.get(KEY)
    head, body = raw.split(b"\n", 1)
    assert head.startswith(b"medstat/2 ") and len(head) == len(b"medstat/2 ") + 64
    assert body.startswith(b'{"format":"medstat-result/2"')
    assert b"OutcomeResult" in body


class Exploit:
    """Unpickling this would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.parametrize(
    "make_value",
    [
        lambda marker: pickle.dumps(Exploit(marker)),
        lambda marker: b"not json",
        lambda marker: (
            b'{"format":"medstat-result/1","compute_s":1,"result":'
            b'{"$":"dataclass","type":"os.system","v":{"command":"touch x"}}}'
        ),
        lambda marker: b'{"$":"tuple","v":[1]}',  # JSON, but not our envelope
    ],
)
def test_tampered_values_are_misses_and_never_executed(
    redis_server, outcome_result, tmp_path, caplog, make_value
):
    marker = tmp_path / "pwned"
    client = redis.Redis.from_url(redis_server.url)
    client.set(KEY, make_value(marker))
    cache = worker(redis_server.url)
    with caplog.at_level(logging.WARNING, logger="utils.redis_tier"):
        value, source = cache.get_or_compute(KEY, lambda: outcome_result)
    assert source == "computed"
    assert value is outcome_result
    assert not marker.exists()
    assert cache.stats()["redis_rejected"] == cache.stats()["redis_rejected_format"] == 1
    assert any("refused the value" in r.getMessage() for r in caplog.records)
    # The write-through replaced the planted value with a good one.
    assert worker(redis_server.url).get_or_compute(KEY, lambda: None).source == "redis"


def test_an_outage_is_logged_once_and_the_cache_carries_on(redis_server, caplog):
    clock = FakeClock()
    cache = worker(redis_server.url, clock)
    assert cache.get_or_compute("before", lambda: "a").source == "computed"
    redis_server.stop()

    with caplog.at_level(logging.INFO, logger="utils.redis_tier"):
        for i in range(5):
            assert cache.get_or_compute(f"during{i}", lambda i=i: i) == (i, "computed")
        assert cache.get_or_compute("before", lambda: "b") == ("a", "memory")
        stats = cache.stats()
        assert stats["redis_up"] == 0
        assert stats["redis_errors"] == 1  # the tier was skipped after the first failure

        clock.now += 31  # re-probe: still down, counted, not logged again
        cache.get_or_compute("probe", lambda: "p")
        assert cache.stats()["redis_errors"] == 2

        redis_server.start()  # back on the same port
        clock.now += 31
        cache.get_or_compute("after", lambda: "c")
        assert cache.stats()["redis_up"] == 1

    down = [r for r in caplog.records if "is down" in r.getMessage()]
    assert len(down) == 1 and down[0].levelno == logging.WARNING
    assert sum("back up" in r.getMessage() for r in caplog.records) == 1
    other = worker(redis_server.url)
    assert other.get_or_compute("after", lambda: "recomputed") == ("c", "redis")


def test_a_redis_that_hangs_times_out_and_is_skipped(redis_server):
    cache = worker(redis_server.url)
    redis_server.pause()
    try:
        assert cache.get_or_compute("k", lambda: 42) == (42, "computed")
        assert cache.get_or_compute("k2", lambda: 43) == (43, "computed")
        stats = cache.stats()
        assert stats["redis_up"] == 0
        assert stats["redis_errors"] == 1
    finally:
        redis_server.resume()


def test_retries_of_the_tier_are_counted_by_the_retry_layer(redis_server):
    retrier = Retrier(sleep=lambda s: None)
    tier = RedisTier(redis_server.url, [OutcomeResult], retrier=retrier, secret=SECRET)
    redis_server.stop()
    assert tier.get(KEY) is None
    stats = retrier.stats()
    assert (stats["calls"], stats["attempts"], stats["failed"]) == (1, 2, 1)


def test_no_url_means_no_tier():
    assert make_tier([OutcomeResult], url="", secret=SECRET) is None


@pytest.mark.parametrize("secret", ["", "short"])
def test_without_a_secret_the_tier_does_not_start_and_says_why(redis_server, caplog, secret):
    with caplog.at_level(logging.ERROR, logger="utils.redis_tier"):
        assert make_tier([OutcomeResult], url=redis_server.url, secret=secret) is None
    (line,) = [r.getMessage() for r in caplog.records]
    assert "NOT started" in line and "MEDSTAT_REDIS_SECRET" in line
    assert "too short" in line if secret else "not set" in line
    with pytest.raises(ValueError, match="secret"):
        RedisTier(redis_server.url, [OutcomeResult], secret=secret)


def test_a_value_signed_with_another_secret_is_refused(redis_server, outcome_result):
    first = worker(redis_server.url)
    first.get_or_compute(KEY, lambda: outcome_result)
    retrier = Retrier(sleep=lambda s: None)
    other = RedisTier(
        redis_server.url, [OutcomeResult, OutcomeFit], retrier=retrier, secret="x" * 32
    )
    assert other.get(KEY) is None
    assert other.stats()["redis_rejected_signature"] == 1
    assert worker(redis_server.url).get_or_compute(KEY, lambda: None).source == "redis"


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda t: t.drop(columns=["p_value"]), "missing ['p_value']"),
        (lambda t: t.assign(note="=HYPERLINK(0)"), "unexpected ['note']"),
        (lambda t: t.rename(columns={"estimate": "Estimate"}), "missing ['estimate']"),
    ],
)
def test_a_signed_value_whose_table_has_other_columns_is_a_counted_miss(
    redis_server, outcome_result, caplog, change, named
):
    """Right types, signed with the secret, but a table's columns are not the declared ones
    (OutcomeResult.TABLE_COLUMNS): refused before it is built, counted, recomputed."""
    import dataclasses

    planted = dataclasses.replace(outcome_result, univariable=change(outcome_result.univariable))
    writer = RedisTier(redis_server.url, [OutcomeResult, OutcomeFit], secret=SECRET)
    writer.set(KEY, planted, compute_s=1.0, ttl_s=600)
    cache = worker(redis_server.url)
    with caplog.at_level(logging.WARNING, logger="utils.redis_tier"):
        value, source = cache.get_or_compute(KEY, lambda: outcome_result)
    assert source == "computed" and value is outcome_result
    stats = cache.stats()
    assert stats["redis_rejected"] == stats["redis_rejected_schema"] == 1
    refused = [r.getMessage() for r in caplog.records if "refused the value" in r.getMessage()]
    assert len(refused) == 1 and "OutcomeResult.univariable" in refused[0] and named in refused[0]
    # The write-through replaced it with the good result, which the next worker is served.
    again, source = worker(redis_server.url).get_or_compute(KEY, lambda: None)
    assert source == "redis"
    assert_same_result(again, outcome_result)
