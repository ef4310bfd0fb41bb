"""logic.run for a tab without data: the sample size is cached by its spec alone, a repeat is
an instant look-up, the result survives the shared tier's codec, and bad input is a sentence."""

from __future__ import annotations

import pandas as pd
import pytest

import logic
from analyses.errors import AnalysisError
from analyses.specs import SampleSizeSpec
from utils import codec
from utils.dataset import NO_DATASET

SPEC = SampleSizeSpec("logrank", "freedman", hr=0.65, median=9, accrual=18, follow_up=6,
                      dropout=0.15)  # fmt: skip


def lookups() -> tuple[float, float]:
    cache = logic.stats()["cache"]
    return cache["hits"], cache["misses"]


def test_cached_by_spec_and_taken_on_the_event_loop():
    hits, misses = lookups()
    first = logic.run("sample_size", NO_DATASET, SPEC)
    assert logic.cached("sample_size", NO_DATASET, SPEC) is first
    assert logic.run("sample_size", NO_DATASET, SPEC) is first
    assert lookups() == (hits + 2, misses + 1)
    other = SampleSizeSpec(**{**SPEC.__dict__, "power": 0.9})
    assert logic.cached("sample_size", NO_DATASET, other) is None
    assert logic.run("sample_size", NO_DATASET, other).total > first.total


def test_the_result_round_trips_through_the_codec():
    result = logic.run("sample_size", NO_DATASET, SPEC)
    back = codec.from_json(codec.to_json(result), logic.RESULT_TYPES)
    assert type(back) is type(result)
    assert (back.n1, back.n2, back.recruit_total, back.power) == (
        result.n1, result.n2, result.recruit_total, result.power)  # fmt: skip
    pd.testing.assert_frame_equal(back.curve, result.curve)
    pd.testing.assert_frame_equal(back.quantities, result.quantities)


def test_an_impossible_input_is_an_analysis_error_and_nothing_is_cached():
    bad = SampleSizeSpec("proportions", "normal", p1=0.3, p2=0.3)
    with pytest.raises(AnalysisError, match="equal"):
        logic.run("sample_size", NO_DATASET, bad)
    assert logic.cached("sample_size", NO_DATASET, bad) is None
