"""The outcome model's bootstrap validation through logic.run, as the Outcome tab runs it:
progress in words, a cancel that stops it and caches nothing, the result cached by its spec."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import logic
from analyses.errors import AnalysisError
from tests.integration.test_logic_cancel import in_thread, wait_for
from utils import data_io


def cohort(seed: int) -> data_io.Dataset:
    """A data set of its own (no other test has its results in the cache)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(600, 4))
    died = rng.random(600) < 1 / (1 + np.exp(-(-1.0 + x @ np.array([0.8, -0.5, 0.4, 0.0]))))
    frame = pd.DataFrame(x.round(4), columns=["a", "b", "c", "d"])
    frame["died"] = np.where(died, "yes", "no")
    return data_io.dataset_from_frame(frame, name=f"cohort{seed}.csv")


class Watching(logic.CancelToken):
    """Records each progress text it is checked under; cancels at `cancel_at` if given."""

    def __init__(self, cancel_at: str | None = None) -> None:
        super().__init__()
        self.cancel_at, self.seen = cancel_at, []

    def check(self) -> None:
        if self.progress and (not self.seen or self.seen[-1] != self.progress):
            self.seen.append(self.progress)
            if self.progress == self.cancel_at:
                self.cancel()
        super().check()


def test_bootstrap_reports_progress_and_is_cached_by_its_spec():
    ds = cohort(101)
    spec = logic.outcome_spec(ds, "died", ["a", "b", "c", "d"], screen_p=None, bootstrap=40)
    assert spec.calibration  # a bootstrap brings the calibration it validates
    token = Watching()
    first = logic.run("outcome", ds, spec, cancel=token)
    assert "Bootstrap 1 of 40" in token.seen and "Bootstrap 40 of 40" in token.seen
    assert logic.cached("outcome", ds, spec) is first
    other_seed = replace(spec, seed=spec.seed + 1)
    assert logic.cached("outcome", ds, other_seed) is None
    plain = replace(spec, calibration=False, bootstrap=0)
    assert logic.cached("outcome", ds, plain) is None  # a plain run is its own, faster, entry


def test_a_cancelled_bootstrap_stops_caches_nothing_and_can_run_again():
    ds = cohort(102)
    spec = logic.outcome_spec(ds, "died", ["a", "b", "c"], screen_p=None, bootstrap=400)
    token = Watching(cancel_at="Bootstrap 10 of 400")
    thread, box = in_thread(logic.run, "outcome", ds, spec, cancel=token)
    thread.join(60)
    assert not thread.is_alive() and isinstance(box.get("error"), logic.Cancelled)
    assert token.seen[-1] == "Bootstrap 10 of 400"
    assert logic.cached("outcome", ds, spec) is None
    again = Watching()
    thread, box = in_thread(logic.run, "outcome", ds, spec, cancel=again)
    wait_for(lambda: not thread.is_alive(), timeout_s=120)
    assert box["result"].performance.fit.bootstrap_used == 400


@pytest.mark.parametrize(
    ("samples", "seed", "says"),
    [(5, 1, "from 20 to 2,000"), (200.5, 1, "whole number"), (None, 1, "whole number"),
     (200, -1, "seed must be"), (200, None, "seed must be")],
)  # fmt: skip
def test_a_bootstrap_setting_that_cannot_be_used_is_refused_with_a_sentence(samples, seed, says):
    ds = cohort(103)
    with pytest.raises(AnalysisError, match=says):
        logic.outcome_spec(ds, "died", ["a"], bootstrap=samples, seed=seed)
