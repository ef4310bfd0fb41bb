"""Faults injected under logic.run: memory going critical, and the shared Redis tier dying
mid-run. In both the app's own layer objects (logic.memory, logic.cache) do the work; only the
RSS source and the cache instance are swapped, so nothing here reimplements the policy."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest

import analyses.outcome
import logic
from analyses.results import OutcomeResult
from tests.redis_server import RedisServer
from utils import data_io
from utils.cache import ResultCache
from utils.dataset import Dataset
from utils.memory import BUSY_MESSAGE, MB
from utils.redis_tier import make_tier

COVARIATE_SETS = [("age",), ("age", "group"), ("group",), ("x1",), ("age", "x1"), ("x1", "group")]


@pytest.fixture
def cohort() -> Dataset:
    rng = np.random.default_rng(5)
    n = 400
    age = rng.normal(60, 10, n).round(0)
    x1 = rng.normal(0, 1, n)
    group = rng.choice(["A", "B", "C"], n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-3 + 0.04 * age + 0.5 * x1)))
    frame = pd.DataFrame({"age": age, "x1": x1, "group": group, "event": np.where(y, "yes", "no")})
    return data_io.dataset_from_frame(frame, name="cohort")


@pytest.fixture
def fresh_cache(monkeypatch) -> ResultCache:
    """An empty process cache for this test (the layers' code is the app's own)."""
    cache = ResultCache(max_mb=64, max_items=256, ttl_s=600)
    monkeypatch.setattr(logic, "cache", cache)
    return cache


class Gate:
    """Holds the first analysis of `covariates` inside its computation until released."""

    def __init__(self, monkeypatch, covariates: tuple[str, ...]) -> None:
        self.entered, self.release = threading.Event(), threading.Event()
        real = analyses.outcome.analyze

        def gated(df, spec):
            if spec.covariates == covariates and not self.entered.is_set():
                self.entered.set()
                assert self.release.wait(30), "the test never released the analysis"
            return real(df, spec)

        monkeypatch.setattr(analyses.outcome, "analyze", gated)


def run_in_thread(dataset: Dataset, covariates: tuple[str, ...]) -> tuple[threading.Thread, dict]:
    out: dict = {}

    def target() -> None:
        try:
            out["result"] = logic.analyze_outcome(dataset, "event", covariates)
        except BaseException as exc:  # handed to the test thread
            out["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, out


def test_critical_memory_refuses_new_work_finishes_running_work_and_shrinks_the_cache(
    cohort, fresh_cache, monkeypatch
):
    memory = logic.memory
    rss = {"mb": 0.2 * memory.limit_mb}
    monkeypatch.setattr(memory, "_rss", lambda: rss["mb"] * MB)  # the injectable RSS source
    monkeypatch.setattr(memory, "_last_cleanup", None)  # no cleanup gap left by earlier tests
    # The cache's cleanup keeps small caches whole; these results are small, so lower the floor.
    monkeypatch.setattr(logic, "CACHE_SHRINK_FLOOR_BYTES", 0)
    for covariates in COVARIATE_SETS[:4]:
        logic.analyze_outcome(cohort, "event", covariates)
    before = fresh_cache.stats()
    assert before["entries"] == 4
    refusals, cleanups = memory.stats()["refusals"], memory.stats()["cleanups"]

    gate = Gate(monkeypatch, COVARIATE_SETS[4])
    running, out = run_in_thread(cohort, COVARIATE_SETS[4])
    assert gate.entered.wait(30)  # admitted and computing
    rss["mb"] = 0.95 * memory.limit_mb

    with pytest.raises(logic.MemoryRefused) as refused:
        logic.analyze_outcome(cohort, "event", COVARIATE_SETS[5])
    assert str(refused.value) == BUSY_MESSAGE
    stats = memory.stats()
    assert stats["status"] == 2
    assert stats["refusals"] == refusals + 1
    assert stats["cleanups"] == cleanups + 1
    after = fresh_cache.stats()
    assert after["bytes"] <= before["bytes"] / 2 and after["entries"] < before["entries"]

    gate.release.set()
    running.join(30)
    assert "error" not in out, out.get("error")
    assert isinstance(out["result"], OutcomeResult)
    assert not out["result"].multivariable.empty
    # A finished result is still served while memory is critical: a hit costs no new memory.
    again = logic.analyze_outcome(cohort, "event", COVARIATE_SETS[4])
    assert again is out["result"]

    rss["mb"] = 0.2 * memory.limit_mb  # memory comes down: new work is admitted again
    assert isinstance(logic.analyze_outcome(cohort, "event", COVARIATE_SETS[5]), OutcomeResult)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_shared_tier_dying_mid_run_leaves_the_app_on_memory(cohort, redis_server, monkeypatch):
    tier = make_tier(logic.RESULT_TYPES, logic.retrier, url=redis_server.url, secret="s" * 32)
    cache = ResultCache(max_mb=64, max_items=256, ttl_s=600, tier=tier)
    monkeypatch.setattr(logic, "cache", cache)
    first = logic.analyze_outcome(cohort, "event", COVARIATE_SETS[0])
    stats = logic.stats()["cache"]
    assert stats["redis_enabled"] == 1 and stats["redis_up"] == 1
    assert tier.stats()["redis_writes"] == 1

    gate = Gate(monkeypatch, COVARIATE_SETS[1])
    running, out = run_in_thread(cohort, COVARIATE_SETS[1])
    assert gate.entered.wait(30)
    redis_server.stop()  # killed while an analysis is computing
    gate.release.set()
    running.join(30)
    assert "error" not in out, out.get("error")
    assert isinstance(out["result"], OutcomeResult)

    # New work is computed, repeats are memory hits, and the panel shows the tier down.
    third = logic.analyze_outcome(cohort, "event", COVARIATE_SETS[2])
    assert isinstance(third, OutcomeResult)
    assert logic.analyze_outcome(cohort, "event", COVARIATE_SETS[0]) is first
    assert logic.analyze_outcome(cohort, "event", COVARIATE_SETS[1]) is out["result"]
    stats = logic.stats()["cache"]
    assert stats["redis_up"] == 0
    assert stats["redis_errors"] >= 1
    assert stats["hits"] == 2 and stats["misses"] == 3
