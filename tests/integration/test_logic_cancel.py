"""Cancel through logic.run: the worker thread stops, nothing is cached or retried, the memory
reservation is released, and a twin request that did not cancel still gets its result."""

from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

import logic
from utils import data_io
from utils.cache import make_key


def separated_cohort(n: int, k: int = 12, seed: int = 7) -> pd.DataFrame:
    """n patients, k numeric covariates and a marker seen only in patients who died."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, k))
    died = rng.random(n) < 1 / (1 + np.exp(-(-2.0 + x[:, :4] @ np.array([0.8, -0.5, 0.4, 0.3]))))
    frame = pd.DataFrame(x.round(3), columns=[f"x{i}" for i in range(k)])
    frame["marker"] = np.where(died & (rng.random(n) < 0.05), "present", "absent")
    frame["died"] = np.where(died, "yes", "no")
    return frame


class Seen(logic.CancelToken):
    """A token that notes when the work reaches its first checkpoint inside the computation
    (the first check of all is logic.run's, on entry)."""

    def __init__(self) -> None:
        super().__init__()
        self.checks = 0
        self.reached = threading.Event()

    def check(self) -> None:
        self.checks += 1
        if self.checks >= 2:
            self.reached.set()
        super().check()


def in_thread(fn, *args, **kwargs) -> tuple[threading.Thread, dict]:
    """Start fn in a thread; the dict gets its "result" or "error"."""
    box: dict = {}

    def target():
        try:
            box["result"] = fn(*args, **kwargs)
        except BaseException as exc:  # handed to the test thread, Cancelled included
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, box


def wait_for(condition, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def firth_request(rows: int, seed: int = 7):
    """A Firth analysis of its own data set (so no other test has its result in the cache)."""
    frame = separated_cohort(rows, seed=seed)
    dataset = data_io.dataset_from_frame(frame, name=f"separated_{rows}_{seed}")
    spec = logic.outcome_spec(dataset, "died", event="yes", method="firth")
    return dataset, spec, make_key("outcome", "1", dataset.fingerprint, spec)


def test_cancel_stops_a_long_firth_analysis_and_leaves_nothing_behind():
    """Uncancelled, this analysis (200k rows, 13 covariates, Firth with profile-likelihood CIs)
    takes ~34 s on the 2-core test host; cancelled, its thread must end within seconds."""
    dataset, spec, key = firth_request(200_000)
    before = logic.stats()
    token = Seen()
    thread, box = in_thread(logic.run, "outcome", dataset, spec, cancel=token)
    assert token.reached.wait(30), "the analysis never reached a checkpoint"
    time.sleep(0.5)  # well into the univariable Firth fits
    cancelled_at = time.monotonic()
    token.cancel()
    thread.join(timeout=5.0)
    assert not thread.is_alive(), "the fit kept running after Cancel"
    assert time.monotonic() - cancelled_at < 5.0
    assert isinstance(box.get("error"), logic.Cancelled)
    assert key not in logic.cache
    after = logic.stats()
    assert after["cache"]["misses"] == before["cache"]["misses"] + 1
    assert after["memory"]["reserved_mb"] == pytest.approx(before["memory"]["reserved_mb"])
    assert after["timings"]["cancelled"] == before["timings"]["cancelled"] + 1
    assert after["timings"]["computed"] == before["timings"]["computed"]
    # Not retried: one attempt, counted as cancelled, not as an error.
    retry0, retry1 = before["retry"], after["retry"]
    assert retry1["attempts"] == retry0["attempts"] + 1
    assert retry1["cancelled"] == retry0["cancelled"] + 1
    assert retry1["errors"] == retry0["errors"]
    assert retry1["retries"] == retry0["retries"]


def test_a_twin_that_did_not_cancel_gets_the_result_when_the_leader_is_cancelled():
    dataset, spec, key = firth_request(3_000)
    leader_token = Seen()
    leader, leader_box = in_thread(logic.run, "outcome", dataset, spec, cancel=leader_token)
    assert leader_token.reached.wait(30)
    waiting = logic.cache.stats()["waiting"]
    twin, twin_box = in_thread(logic.run, "outcome", dataset, spec, cancel=logic.CancelToken())
    wait_for(lambda: logic.cache.stats()["waiting"] > waiting)
    misses = logic.cache.stats()["misses"]
    leader_token.cancel()
    leader.join(timeout=30)
    twin.join(timeout=60)
    assert isinstance(leader_box.get("error"), logic.Cancelled)
    assert "error" not in twin_box
    assert logic.run("outcome", dataset, spec) is twin_box["result"]  # cached, a hit now
    assert key in logic.cache
    assert logic.cache.stats()["misses"] == misses + 1  # the twin computed it itself


def test_a_waiting_twin_that_cancels_stops_waiting_and_the_leader_finishes():
    dataset, spec, key = firth_request(3_000, seed=8)
    leader_token = Seen()
    leader, leader_box = in_thread(logic.run, "outcome", dataset, spec, cancel=leader_token)
    assert leader_token.reached.wait(30)
    waiting = logic.cache.stats()["waiting"]
    twin_token = logic.CancelToken()
    twin, twin_box = in_thread(logic.run, "outcome", dataset, spec, cancel=twin_token)
    wait_for(lambda: logic.cache.stats()["waiting"] > waiting)
    twin_token.cancel()
    twin.join(timeout=2.0)
    assert not twin.is_alive()
    assert isinstance(twin_box.get("error"), logic.Cancelled)
    leader.join(timeout=60)
    assert "error" not in leader_box
    assert key in logic.cache
