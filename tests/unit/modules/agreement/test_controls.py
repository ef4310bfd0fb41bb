"""The Agreement spec builder refuses incomplete settings with a sentence and keeps a valid pair."""

from __future__ import annotations

import pandas as pd
import pytest

from analyses.errors import AnalysisError
from modules.agreement import controls as ac
from utils import data_io


@pytest.fixture()
def ds():
    df = pd.DataFrame(
        {
            "patient": [1, 1, 2, 2, 3, 3],
            "reader": ["A", "B", "A", "B", "A", "B"],
            "score": [1.0, 1.2, 2.0, 2.1, 3.0, 2.7],
            "a": [1.0, 2, 3, 4, 5, 6],
            "b": [1.1, 2, 3, 4, 5, 6],
            "c": [1.2, 2, 3, 4, 5, 6],
        }
    )
    return data_io.dataset_from_frame(df, name="t")


def test_wide_spec_keeps_a_valid_bland_altman_pair(ds):
    spec = ac.agreement_spec(ds, "wide", ["a", "b", "c"], None, None, None, "continuous", "c", "a")
    assert spec.raters == ("a", "b", "c") and spec.pair == ("c", "a")
    spec = ac.agreement_spec(ds, "wide", ["a", "b"], None, None, None, "nominal", "c", "a")
    assert spec.pair is None and spec.scale == "nominal"


def test_long_spec_and_its_raters(ds):
    spec = ac.agreement_spec(ds, "long", None, "patient", "reader", "score", "continuous", "B", "A")
    assert (spec.subject, spec.rater, spec.rating, spec.pair) == (
        "patient",
        "reader",
        "score",
        ("B", "A"),
    )
    assert ac.pair_choices(ds, "long", None, "reader") == {"A": "A", "B": "B"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("wide", ["a"], None, None, None), "two or more rating columns"),
        (("long", None, "patient", None, "score"), "subject, rater and rating columns"),
        (("long", None, "patient", "patient", "score"), "three different columns"),
    ],
)
def test_incomplete_settings_get_a_sentence(ds, args, words):
    with pytest.raises(AnalysisError, match=words):
        ac.agreement_spec(ds, *args, "continuous", None, None)
