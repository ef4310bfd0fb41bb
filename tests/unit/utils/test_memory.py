"""The memory manager: thresholds and cleanups with a fake RSS, admission."""

import logging
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd
import psutil
import pytest

from analyses import outcome
from analyses.specs import OutcomeSpec
from utils.cache import ResultCache
from utils.memory import (
    BUSY_MESSAGE,
    MB,
    MemoryManager,
    MemoryRefused,
    estimate_mb,
    release_heap,
    rows_that_fit,
)


class FakeRSS:
    """RSS in MB that a test sets; returns bytes like psutil."""

    def __init__(self, mb):
        self.mb = mb

    def __call__(self):
        return self.mb * MB


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def manager(rss, **kwargs):
    options = {"limit_mb": 300, "warn_pct": 80, "critical_pct": 93, "poll_s": 1.0}
    options["timer"] = FakeClock()
    options.update(kwargs)
    return MemoryManager(rss=rss, **options)


# Thresholds and cleanups


def test_below_warn_nothing_runs():
    ran = []
    mm = manager(FakeRSS(200))
    mm.register_cleanup("cache", lambda: ran.append("cache"))
    assert mm.check() == 0
    assert ran == []
    assert mm.stats()["cleanups"] == 0
    assert mm.status_name() == "ok"


def test_warn_runs_every_cleanup_and_logs(caplog):
    ran = []
    mm = manager(FakeRSS(250))  # 83% of 300 MB
    mm.register_cleanup("cache", lambda: ran.append("cache"))
    mm.register_cleanup("model", lambda: ran.append("model"))
    with caplog.at_level(logging.INFO, logger="utils.memory"):
        assert mm.check() == 1
    assert ran == ["cache", "model"]
    assert mm.stats()["cleanups"] == 1
    assert mm.status_name() == "warn"
    assert not mm.refusing
    trimmed = ", malloc_trim" if release_heap() else ""
    assert any(f"cleanups (cache, model, gc{trimmed})" in r.getMessage() for r in caplog.records)


def test_cleanups_respect_their_gap():
    clock = FakeClock()
    ran = []
    mm = manager(FakeRSS(250), timer=clock, cleanup_gap_s=10)
    mm.register_cleanup("cache", lambda: ran.append(1))
    mm.check()
    clock.now = 5
    mm.check()
    assert len(ran) == 1
    clock.now = 10
    mm.check()
    assert len(ran) == 2


def test_a_failing_cleanup_does_not_stop_the_others():
    ran = []
    mm = manager(FakeRSS(250))
    mm.register_cleanup("broken", lambda: 1 / 0)
    mm.register_cleanup("cache", lambda: ran.append(1))
    mm.check()
    assert ran == [1]


def test_status_after_a_cleanup_reflects_the_memory_it_freed():
    rss = FakeRSS(285)  # 95%: critical
    mm = manager(rss)
    mm.register_cleanup("cache", lambda: setattr(rss, "mb", 200))
    assert mm.check() == 0
    assert not mm.refusing


def test_warn_shrinks_a_real_cache():
    cache = ResultCache(max_mb=64, max_items=100, ttl_s=600)
    for i in range(10):
        cache.get_or_compute(f"k{i}", lambda i=i: pd.DataFrame(np.full((5_000, 4), float(i))))
    mm = manager(FakeRSS(250))
    mm.register_cleanup("cache", lambda: (cache.expire(), cache.shrink(0.5)))
    mm.check()
    assert cache.stats()["entries"] == 5


def test_critical_refuses_new_work_with_the_busy_message(caplog):
    mm = manager(FakeRSS(285))
    assert mm.check() == 2
    assert mm.refusing
    with caplog.at_level(logging.INFO, logger="utils.memory"), pytest.raises(MemoryRefused) as info:
        mm.admit(1_000, 3)
    assert str(info.value) == BUSY_MESSAGE
    assert mm.stats()["refusals"] == 1
    assert any("memory refused" in r.getMessage() for r in caplog.records)


# Admission


def test_estimate_follows_the_documented_formula():
    # 10 MB + 5 x rows x (1 + cols x levels) x 8 bytes
    assert estimate_mb(100_000, 13) == pytest.approx(10 + 5 * 100_000 * 14 * 8 / MB)
    assert estimate_mb(100_000, 4, levels=3) == pytest.approx(10 + 5 * 100_000 * 13 * 8 / MB)


def test_estimate_bounds_a_measured_outcome_analysis():
    # Reference: tracemalloc's peak (numpy reports its buffers to it) while analyses.outcome
    # fits 20,000 rows x 10 numeric covariates; the estimate must cover it without being wild.
    rng = np.random.default_rng(1)
    rows, cols = 20_000, 10
    df = pd.DataFrame(rng.normal(size=(rows, cols)), columns=[f"x{i}" for i in range(cols)])
    df["y"] = (rng.random(rows) < 1 / (1 + np.exp(-df["x0"]))).astype(int)
    spec = OutcomeSpec(outcome="y", covariates=tuple(f"x{i}" for i in range(cols)), screen_p=None)
    tracemalloc.start()
    try:
        outcome.analyze(df, spec)
        peak_mb = tracemalloc.get_traced_memory()[1] / MB
    finally:
        tracemalloc.stop()
    estimate = estimate_mb(rows, cols)
    assert peak_mb < estimate < 3 * peak_mb + 10


def test_admits_what_fits():
    mm = manager(FakeRSS(150))
    with mm.admit(100_000, 13) as admission:
        assert admission.need_mb == pytest.approx(estimate_mb(100_000, 13))
        assert mm.stats()["reserved_mb"] == pytest.approx(admission.need_mb)
    assert mm.stats()["reserved_mb"] == 0
    assert mm.stats()["admitted"] == 1


def _after_a_quieter_minute(rss: FakeRSS, idle_mb: float, now_mb: float) -> MemoryManager:
    """A manager whose watcher saw the program idle at idle_mb, and RSS now at now_mb."""
    mm = manager(rss)
    rss.mb = idle_mb
    mm.check()
    rss.mb = now_mb
    mm.check()
    return mm


def test_refuses_what_does_not_fit_now_saying_how_many_rows_would():
    mm = _after_a_quieter_minute(FakeRSS(0), idle_mb=100, now_mb=150)  # at most 200 MB, 150 free
    with pytest.raises(MemoryRefused) as info:
        mm.admit(300_000, 13)
    message = str(info.value)
    assert "needs about 170 MB" in message
    assert "only 150 MB is free" in message
    # (150 - 10) MB / (5 x 14 x 8 bytes) = 262,144 rows, said to two figures
    assert "about 260,000 of the 300,000 rows would fit now" in message
    assert "a subset of the patients or fewer covariates" in message
    assert info.value.need_mb == pytest.approx(170, abs=1) and info.value.free_mb == 150
    assert mm.stats()["refusals"] == 1
    with mm.admit(260_000, 13):  # what it said fits does
        pass
    with pytest.raises(MemoryRefused):
        mm.admit(270_000, 13)


def test_refuses_for_good_what_could_never_fit():
    """1M rows x 13 at a budget where the program idles at 100 MB of 300: no minute later helps."""
    mm = _after_a_quieter_minute(FakeRSS(0), idle_mb=100, now_mb=150)
    with pytest.raises(MemoryRefused) as info:
        mm.admit(1_000_000, 13)
    message = str(info.value)
    assert "needs about 544 MB of memory, more than this server can ever give" in message
    assert "budget is 300 MB (MEDSTAT_MEMORY_LIMIT_MB)" in message
    assert "takes about 100 MB" in message
    assert "about 350,000 of the 1,000,000 rows would fit:" in message  # (200 - 10) MB / 560 B
    assert "try again" not in message
    assert mm.stats()["refusals"] == 1


def test_rows_that_would_ever_fit_count_the_data_held_too():
    """The data takes memory of its own: 1M rows holding 200 MB leave fewer rows room."""
    mm = _after_a_quieter_minute(FakeRSS(0), idle_mb=100, now_mb=150)
    with pytest.raises(MemoryRefused) as info:
        mm.admit(1_000_000, 13, data_mb=200)
    # (200 - 10) MB / (560 B + 209.7 B) a row = 258,835 rows, said to two figures
    assert "about 250,000 of the 1,000,000 rows would fit:" in str(info.value)


def test_a_refusal_when_not_even_a_few_rows_fit_says_so():
    mm = manager(FakeRSS(289.99), critical_pct=99.9)  # 10.01 MB free: the base cost is 10
    with pytest.raises(MemoryRefused) as info:
        mm.admit(1_000, 2_000)
    assert "rows would fit" not in str(info.value)
    assert "fewer covariates" in str(info.value)


@pytest.mark.parametrize(
    ("free", "rows"), [(10, 0), (10.001, 1), (11, 1_800), (100, 160_000), (5_000, 9_300_000)]
)
def test_rows_that_fit_is_the_estimate_solved_for_rows(free, rows):
    assert rows_that_fit(free, 13) == rows
    if rows:
        assert estimate_mb(rows, 13) <= free


def test_running_analyses_hold_their_reservation():
    mm = manager(FakeRSS(150))
    with mm.admit(140_000, 13), pytest.raises(MemoryRefused):  # ~85 MB reserved of 150 free
        mm.admit(140_000, 13)
    with mm.admit(140_000, 13):
        pass


def test_a_cleanup_can_make_room_before_a_refusal():
    rss = FakeRSS(250)
    mm = manager(rss)
    mm.register_cleanup("cache", lambda: setattr(rss, "mb", 150))
    with mm.admit(100_000, 13):
        pass
    assert mm.stats()["refusals"] == 0


def test_optional_work_is_refused_without_cleanups_or_counting_as_an_analysis():
    ran = []
    mm = manager(FakeRSS(100))  # limit 300, warn at 240
    mm.register_cleanup("sessions", lambda: ran.append("sessions"))
    with pytest.raises(MemoryRefused) as info:
        mm.admit_mb(200, "embedding model", optional=True)
    # It must fit below the warn line (240 - 100 = 140 MB), where the cleanups would stop it.
    assert info.value.need_mb == 200 and info.value.free_mb == 140
    assert ran == []  # nobody's kept tab is dropped to make room for the model
    assert mm.stats()["refusals"] == 0
    with mm.admit_mb(200, "outcome"):  # an analysis may use the room up to the limit
        pass
    with mm.admit_mb(100, "embedding model", optional=True):
        assert mm.stats()["reserved_mb"] == 100  # analyses admitted meanwhile see it
        with pytest.raises(MemoryRefused):
            mm.admit_mb(150, "outcome")  # 300 - 100 - 100 = 100 MB left
    assert mm.stats()["admitted"] == 1 and mm.stats()["reserved_mb"] == 0
    assert mm.stats()["refusals"] == 1


def test_on_a_2gb_machine_without_a_limit_the_model_fits_next_to_the_server(tmp_path):
    """The goal of issue 12: a bare `make run` on 2 GB runs the model. The server measures
    ~190 MB before data (bench/results/embedding_worker.json); the model asks for WORKER_MB."""
    from matching.embeddings import WORKER_MB

    (tmp_path / "memory.max").write_text("max\n")
    two_gb = dict(limit_mb=0, cgroup_files=[tmp_path / "memory.max"], physical_mb=2048.0)
    with manager(FakeRSS(200), **two_gb).admit_mb(WORKER_MB, "embedding model", optional=True):
        pass
    # A quarter of 2 GB (the JVM's heap share) would be the 512 MB floor: refused.
    floor = manager(FakeRSS(200), limit_mb=512)
    with pytest.raises(MemoryRefused):
        floor.admit_mb(WORKER_MB, "embedding model", optional=True)


# Watcher, history, stats


def test_watcher_keeps_a_bounded_history():
    rss = FakeRSS(100)
    mm = MemoryManager(limit_mb=300, poll_s=0.01, history_s=0.05, rss=rss)
    mm.start()
    deadline = time.monotonic() + 10
    while len(mm.history()) < 5 and time.monotonic() < deadline:
        time.sleep(0.01)
    mm.stop()
    history = mm.history()
    assert len(history) == 5  # 0.05 s of 0.01 s samples
    assert all(mb == 100 for _, mb in history)
    assert not mm._thread.is_alive()


def test_stats_are_flat_numbers():
    rss = FakeRSS(120)
    mm = manager(rss)
    mm.check()
    rss.mb = 90
    stats = mm.stats()
    assert all(isinstance(v, float) for v in stats.values())
    assert stats["rss_mb"] == 90
    assert stats["peak_mb"] == 120
    assert stats["limit_mb"] == 300
    assert stats["used_pct"] == 30
    assert stats["status"] == 0
    assert stats["server_mb"] == 90 and stats["workers_mb"] == 0  # no worker registered


def test_real_rss_counts_registered_children_against_the_budget():
    mm = MemoryManager(limit_mb=100_000)
    child = subprocess.Popen(
        [sys.executable, "-c", "x = bytearray(60 * 2**20); import time; time.sleep(60)"]
    )
    try:
        proc = psutil.Process(child.pid)
        deadline = time.monotonic() + 20
        while proc.memory_info().rss < 60 * MB and time.monotonic() < deadline:
            time.sleep(0.05)
        own = psutil.Process().memory_info().rss
        mm.register_child(child.pid)
        combined, workers = mm._process_rss()
        assert combined - own >= 60 * MB and workers >= 60 * MB
        stats = mm.stats()  # what admission, warn/critical and the stats panel read
        assert stats["workers_mb"] >= 60
        assert stats["rss_mb"] == pytest.approx(stats["server_mb"] + stats["workers_mb"])
        assert stats["server_mb"] == pytest.approx(own / MB, rel=0.1)
        # Admission sees the worker too: with the limit 100 MB above the server alone, a 50 MB
        # analysis does not fit next to the 60 MB worker.
        mm.limit_mb = stats["server_mb"] + 100
        with pytest.raises(MemoryRefused):
            mm.admit_mb(50, "outcome")
    finally:
        child.kill()
        child.wait()
    combined_after, workers_after = mm._process_rss()
    assert workers_after == 0 and combined_after < combined - 50 * MB  # gone: no longer counted
    with mm.admit_mb(50, "outcome"):
        pass


def test_release_heap_runs_on_glibc_and_is_harmless_to_repeat():
    import platform

    expected = platform.libc_ver()[0] == "glibc"
    assert release_heap() is expected
    assert release_heap() is expected
