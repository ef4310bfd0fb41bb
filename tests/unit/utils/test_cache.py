"""The result cache: keys, TTL with a fake clock, LRU by items and bytes, single-flight, stats."""

import threading
import time

import numpy as np
import pandas as pd
import pytest

from analyses.cancellation import Cancelled, CancelToken, cancellable, checkpoint
from analyses.specs import OutcomeSpec
from utils.cache import MB, ResultCache, make_key, measure_bytes


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def frame(rows, seed=0):
    """A float table of about rows x 4 x 8 bytes."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(size=(rows, 4)), columns=list("abcd"))


SPEC = OutcomeSpec(outcome="death", covariates=("age", "sex", "stage"), categorical=("sex",))


# Keys


def test_equal_requests_make_equal_keys():
    twin = OutcomeSpec(outcome="death", covariates=("age", "sex", "stage"), categorical=("sex",))
    assert make_key("outcome", "1", "fp", SPEC) == make_key("outcome", "1", "fp", twin)


@pytest.mark.parametrize(
    "other",
    [
        ("outcome", "2", "fp", SPEC),  # analysis version bumped
        ("outcome", "1", "fp2", SPEC),  # a changed cell gives the dataset a new fingerprint
        ("table1", "1", "fp", SPEC),
        ("outcome", "1", "fp", OutcomeSpec("death", ("stage", "sex", "age"), categorical=("sex",))),
        ("outcome", "1", "fp", OutcomeSpec("death", SPEC.covariates, categorical=("sex", "stage"))),
        (
            "outcome",
            "1",
            "fp",
            OutcomeSpec("death", SPEC.covariates, categorical=("sex",), reference=(("sex", "F"),)),
        ),
        (
            "outcome",
            "1",
            "fp",
            OutcomeSpec("death", SPEC.covariates, categorical=("sex",), screen_p=None),
        ),
    ],
)
def test_any_change_that_changes_the_model_changes_the_key(other):
    assert make_key(*other) != make_key("outcome", "1", "fp", SPEC)


def test_key_is_a_short_namespaced_string():
    key = make_key("outcome", "1", "fp", SPEC)
    assert key.startswith("medstat:outcome:1:")
    assert len(key) < 80


# Sizes


def test_measured_size_covers_the_frames_deep_memory():
    df = frame(10_000)
    df["label"] = [f"patient {i}" for i in range(len(df))]
    deep = df.memory_usage(deep=True).sum()
    assert deep <= measure_bytes(df) <= deep + 10_000
    result = {"table": df, "same_table_again": df, "n": 3}
    assert deep < measure_bytes(result) < deep + 20_000  # shared objects counted once


def test_measured_size_grows_with_rows():
    assert measure_bytes(frame(20_000)) - measure_bytes(frame(10_000)) == pytest.approx(
        10_000 * 4 * 8, rel=0.01
    )


# TTL and LRU


def test_entries_expire_after_the_ttl():
    clock = FakeClock()
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60, timer=clock)
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cache.get_or_compute("k", compute) == (1, "computed")
    clock.advance(59)
    assert cache.get_or_compute("k", compute) == (1, "memory")
    clock.advance(1)
    assert cache.stats()["entries"] == 0
    assert cache.get_or_compute("k", compute) == (2, "computed")
    stats = cache.stats()
    assert (stats["hits"], stats["misses"], stats["expired"]) == (1, 2, 1)


def test_expire_drops_only_stale_entries():
    clock = FakeClock()
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60, timer=clock)
    cache.get_or_compute("old", lambda: "a")
    clock.advance(30)
    cache.get_or_compute("new", lambda: "b")
    clock.advance(31)
    assert cache.expire() == 1
    assert "new" in cache and "old" not in cache


def test_item_bound_evicts_the_least_recently_used():
    cache = ResultCache(max_mb=8, max_items=2, ttl_s=60)
    cache.get_or_compute("a", lambda: "A")
    cache.get_or_compute("b", lambda: "B")
    cache.get_or_compute("a", lambda: "unused")  # a is now the most recent
    cache.get_or_compute("c", lambda: "C")
    assert "a" in cache and "c" in cache and "b" not in cache
    assert cache.stats()["evictions"] == 1


def test_byte_bound_evicts_by_measured_size():
    one = measure_bytes(frame(20_000)) + 200  # ~640 kB a table, plus key and entry
    cache = ResultCache(max_mb=3.5 * one / MB, max_items=100, ttl_s=60)
    for i in range(5):
        cache.get_or_compute(f"t{i}", lambda i=i: frame(20_000, seed=i))
    stats = cache.stats()
    assert stats["entries"] == 3
    assert stats["evictions"] == 2
    assert stats["bytes"] <= cache.max_bytes
    assert "t0" not in cache and "t1" not in cache and "t4" in cache


def test_a_result_bigger_than_the_cache_is_returned_but_not_kept():
    cache = ResultCache(max_mb=0.1, max_items=10, ttl_s=60)
    value, source = cache.get_or_compute("big", lambda: frame(50_000))
    assert len(value) == 50_000 and source == "computed"
    assert "big" not in cache
    assert cache.stats()["too_large"] == 1


def test_shrink_frees_the_requested_share_oldest_first():
    cache = ResultCache(max_mb=64, max_items=100, ttl_s=60)
    for i in range(8):
        cache.get_or_compute(f"t{i}", lambda i=i: frame(10_000, seed=i))
    before = cache.stats()["bytes"]
    freed = cache.shrink(0.5)
    assert freed >= before / 2
    assert cache.stats()["bytes"] == before - freed
    assert "t0" not in cache and "t7" in cache
    cache.clear()
    assert cache.stats()["entries"] == 0 and cache.stats()["bytes"] == 0


# Hits, saved time


def test_hits_are_credited_with_the_compute_time_they_saved():
    clock = FakeClock()

    def slow():
        clock.advance(2.5)  # the fake clock says computing took 2.5 s
        return "result"

    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60, timer=clock, clock=clock)
    assert not cache.get_or_compute("k", slow).hit
    assert cache.get_or_compute("k", slow).hit
    assert cache.get_or_compute("k", slow).hit
    stats = cache.stats()
    assert stats["saved_s"] == 5.0
    assert stats["hit_rate"] == pytest.approx(2 / 3)


def test_stats_are_flat_numbers_with_the_tier_off():
    stats = ResultCache(max_mb=1, max_items=1, ttl_s=1).stats()
    assert all(isinstance(v, float) for v in stats.values())
    for name in ("hits", "misses", "hit_rate", "entries", "bytes", "evictions", "saved_s"):
        assert name in stats
    assert stats["redis_enabled"] == 0 and stats["redis_up"] == 0


# Single-flight


def run_together(cache, n, compute):
    """n threads ask for the same key; compute is held until the other n-1 are waiting on it."""
    results, errors = [None] * n, [None] * n

    def worker(i):
        try:
            results[i] = cache.get_or_compute("same", compute)
        except Exception as exc:
            errors[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return results, errors


def held_compute(cache, n, outcome):
    calls = []

    def compute():
        calls.append(1)
        deadline = time.monotonic() + 10
        while cache.stats()["waiting"] < n - 1 and time.monotonic() < deadline:
            time.sleep(0.001)
        return outcome()

    return compute, calls


def test_identical_concurrent_requests_compute_once():
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60)
    compute, calls = held_compute(cache, 8, lambda: frame(100))
    results, errors = run_together(cache, 8, compute)
    assert errors == [None] * 8
    assert len(calls) == 1
    assert all(r.value is results[0].value for r in results)
    assert sorted(r.source for r in results) == ["computed"] + ["shared"] * 7
    stats = cache.stats()
    assert (stats["misses"], stats["hits"], stats["shared_hits"]) == (1, 7, 7)


def test_an_error_reaches_every_waiter_and_is_not_cached():
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60)

    def fail():
        raise RuntimeError("solver exploded")

    compute, calls = held_compute(cache, 5, fail)
    results, errors = run_together(cache, 5, compute)
    assert len(calls) == 1
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert "same" not in cache
    assert cache.get_or_compute("same", lambda: "fine") == ("fine", "computed")


# Cancellation


def until_cancelled():
    """A computation that runs until its requester's token is set."""
    while True:
        checkpoint()
        time.sleep(0.001)


def in_thread(target):
    box = {}

    def run():
        try:
            box["result"] = target()
        except BaseException as exc:  # Cancelled is a BaseException
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def wait_for(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def test_a_cancelled_leader_hands_the_computation_to_its_waiting_twin():
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60)
    token = CancelToken()
    started = threading.Event()

    def leader_compute():
        started.set()
        until_cancelled()

    def leader():
        with cancellable(token):
            return cache.get_or_compute("same", leader_compute)

    lead, lead_box = in_thread(leader)
    assert started.wait(10)
    twin, twin_box = in_thread(lambda: cache.get_or_compute("same", lambda: "twin's result"))
    wait_for(lambda: cache.stats()["waiting"] == 1)
    token.cancel()
    lead.join(10)
    twin.join(10)
    assert isinstance(lead_box["error"], Cancelled)
    assert twin_box["result"] == ("twin's result", "computed")
    assert cache.get_or_compute("same", lambda: "unused") == ("twin's result", "memory")
    assert cache.stats()["misses"] == 2


def test_a_twin_that_cancels_stops_waiting_while_the_leader_goes_on():
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60)
    release = threading.Event()
    started = threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return "leader's result"

    lead, lead_box = in_thread(lambda: cache.get_or_compute("same", slow))
    assert started.wait(10)
    token = CancelToken()

    def twin():
        with cancellable(token):
            return cache.get_or_compute("same", lambda: "unused")

    waiter, waiter_box = in_thread(twin)
    wait_for(lambda: cache.stats()["waiting"] == 1)
    token.cancel()
    waiter.join(2)
    assert not waiter.is_alive()
    assert isinstance(waiter_box["error"], Cancelled)
    assert cache.stats()["waiting"] == 0
    release.set()
    lead.join(10)
    assert lead_box["result"] == ("leader's result", "computed")
    assert "same" in cache


def test_a_cancelled_computation_is_not_cached():
    cache = ResultCache(max_mb=8, max_items=10, ttl_s=60)

    def cancelled():
        raise Cancelled()

    with pytest.raises(Cancelled):
        cache.get_or_compute("same", cancelled)
    assert "same" not in cache
    assert cache.get_or_compute("same", lambda: "fine") == ("fine", "computed")
