"""The Agreement analysis through logic.run: cached, cancellable, a sentence for bad data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logic
from analyses.specs import AgreementSpec
from utils import data_io
from utils.memory import estimate_mb


@pytest.fixture
def dataset():
    rng = np.random.default_rng(21)
    truth = rng.normal(100, 15, 400)
    df = pd.DataFrame({"a": truth + rng.normal(0, 4, 400), "b": truth + rng.normal(1, 4, 400)})
    return data_io.dataset_from_frame(df, name="agreement")


def test_repeat_is_a_hit_and_the_pair_is_part_of_the_key(dataset):
    spec = AgreementSpec(raters=("a", "b"))
    first = logic.run("agreement", dataset, spec)
    assert logic.run("agreement", dataset, spec) is first
    assert logic.cached("agreement", dataset, spec) is first
    swapped = logic.run("agreement", dataset, AgreementSpec(raters=("a", "b"), pair=("b", "a")))
    assert swapped is not first
    bias = swapped.limits.set_index("quantity").loc["bias", "estimate"]
    assert bias == pytest.approx(-first.limits.set_index("quantity").loc["bias", "estimate"])


def test_a_cancelled_run_raises_and_caches_nothing(dataset):
    spec = AgreementSpec(raters=("b", "a"), scale="continuous")
    token = logic.CancelToken()
    token.cancel()
    with pytest.raises(logic.Cancelled):
        logic.run("agreement", dataset, spec, cancel=token)
    assert logic.cached("agreement", dataset, spec) is None


def test_bad_data_is_a_sentence(dataset):
    with pytest.raises(logic.AnalysisError, match="at least two raters"):
        logic.run("agreement", dataset, AgreementSpec(raters=("a",)))


def test_memory_admission_counts_the_raters(dataset):
    wide = logic._design_size(dataset, AgreementSpec(raters=("a", "b")))
    long = logic._design_size(dataset, AgreementSpec("long", (), "a", "b", "a"))
    assert wide == (400, 2, 1.0) and long == (400, 3, 1.0)
    # 100,000 subjects x 6 raters peaked at 36.8 MB (tracemalloc): the estimate covers it.
    assert estimate_mb(100_000, 6, 1.0, "agreement") > 36.8
    assert estimate_mb(200_000, 3, 1.0, "agreement") > 27.2  # long layout, 2 raters
