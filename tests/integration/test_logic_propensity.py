"""The propensity-score analysis through logic.run: cached by data and spec, cancellable in its
matching loop, a sentence for data that cannot support it, admitted by its memory estimate."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import logic
from analyses.cancellation import CancelToken
from analyses.specs import PropensitySpec
from bench.propensity import cohort
from utils import data_io
from utils.memory import estimate_mb

R = Path(__file__).parents[1] / "r"
SPEC = PropensitySpec("treat", ("age", "educ", "race", "re74"), ("race",), outcome="re78")


@pytest.fixture(scope="module")
def dataset():
    return data_io.dataset_from_frame(pd.read_csv(R / "propensity_lalonde.csv"), name="lalonde")


def test_repeat_is_a_hit_and_the_caliper_is_part_of_the_key(dataset):
    first = logic.run("propensity", dataset, SPEC)
    assert logic.run("propensity", dataset, SPEC) is first
    assert logic.cached("propensity", dataset, SPEC) is first
    wider = logic.run("propensity", dataset, PropensitySpec(**{**SPEC.__dict__, "caliper": 1.0}))
    assert wider.summary.n_matched_treated >= first.summary.n_matched_treated


class CancelDuringMatching(CancelToken):
    """Sets itself at the first check made inside the matching loop, and says where it was."""

    __slots__ = ("where",)

    def __init__(self) -> None:
        super().__init__()
        self.where = ""

    def check(self) -> None:
        caller = sys._getframe(2).f_code.co_name  # check <- checkpoint/progress <- caller
        if str(getattr(self, "progress", "")).startswith("Matching") and not self.where:
            self.where = caller
            self.cancel()
        super().check()


def test_a_cancel_in_the_matching_loop_stops_it_and_caches_nothing():
    ds = data_io.dataset_from_frame(cohort(3_000, 30_000), name="cohort")
    spec = PropensitySpec("t", ("x1", "x2", "site"), ("site",))
    token = CancelDuringMatching()
    with pytest.raises(logic.Cancelled):
        logic.run("propensity", ds, spec, cancel=token)
    assert token.where == "match"  # stopped inside the loop, not after it
    assert logic.cached("propensity", ds, spec) is None


def test_bad_data_is_a_sentence(dataset):
    with pytest.raises(logic.AnalysisError, match="exactly two values"):
        logic.run("propensity", dataset, PropensitySpec("race", ("age",)))


def test_memory_estimate_covers_the_measured_peak():
    ds = data_io.dataset_from_frame(cohort(100, 1_000), name="cohort")
    rows, cols, levels = logic._design_size(
        ds, PropensitySpec("t", ("x1", "x2", "x3", "x4", "site"), ("site",))
    )
    assert (cols, levels) == (5, 1.2)
    # 55,000 patients, 5 covariates: 18.9 MB peak by tracemalloc (model, matching, balance,
    # effect); the outcome analyses' cost per design cell covers it.
    assert estimate_mb(55_000, cols, levels, "propensity") > 18.9
