"""The propensity sample as a cleaning step: the rows kept, the weights and sets added, undo
by leaving it out, and a refusal on data it was not made on."""

from __future__ import annotations

import pandas as pd
import pytest

from prep.matched_sample import SET, WEIGHT, MatchedSample, sample_step
from prep.steps import apply_steps
from utils.data_error import DataError


def test_keeps_the_sample_with_weights_and_sets(patients):
    scores = pd.DataFrame({"row": [0, 2, 3, 5, 9], "weight": [1.0, 0.0, 1.0, 0.5, 0.5],
                           "subclass": [0, -1, 0, 1, 1]})  # fmt: skip
    step = sample_step(patients.fingerprint, scores, "matching", "sex")
    out = step.apply(patients)
    assert len(out.df) == 4
    assert out.df["weight"].tolist() == patients.df["weight"].iloc[[0, 3, 5, 9]].tolist()
    assert out.df[WEIGHT].tolist() == [1.0, 1.0, 0.5, 0.5]
    assert out.df[SET].tolist() == [1, 1, 2, 2]
    assert out.meta(SET).kind == "id" and out.meta(WEIGHT).kind == "continuous"
    assert out.fingerprint != patients.fingerprint
    assert "4 rows" in step.describe()


def test_weighting_adds_no_sets(patients):
    scores = pd.DataFrame({"row": range(10), "weight": [0.5] * 10, "subclass": [-1] * 10})
    out = sample_step(patients.fingerprint, scores, "weighting", "sex").apply(patients)
    assert len(out.df) == 10 and SET not in out.columns


def test_other_data_is_refused_and_the_step_skipped(patients):
    step = MatchedSample("another fingerprint", (0, 1), (1.0, 1.0))
    with pytest.raises(DataError, match="data changed"):
        step.apply(patients)
    prepared = apply_steps(patients, [step], lambda d, s: d)
    assert len(prepared.dataset.df) == len(patients.df)
    assert "was not applied" in prepared.skipped[0]
