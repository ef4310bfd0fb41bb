"""logic.prepare and logic.propose_step as the data tabs call them: every kind of step in one
history, the analyses run on the result and cached per stage, undo is a cache hit."""

from __future__ import annotations

import pandas as pd
import pytest

import logic
from analyses.specs import Table1Spec
from utils import data_io
from utils.data_error import DataError


@pytest.fixture
def dataset():
    df = pd.DataFrame(
        {
            "age": [15 + 3 * i for i in range(40)],
            "sex": [1, 2] * 20,
            "smoking": ["never", "Never ", "former", "current"] * 10,
            "weight": [60 + i for i in range(40)],
            "height": [170] * 39 + [None],
        }
    )
    return data_io.dataset_from_frame(df, name="cohort.csv")


def history(ds):
    made = []
    for kind, params in [
        ("value_labels", {"column": "sex", "labels": {"1": "Male", "2": "Female"}}),
        ("cut", {"column": "age", "name": "age_group", "cutoffs": "40, 65"}),
        ("formula", {"name": "bmi", "formula": "weight / (height / 100)^2"}),
        ("filter", {"column": "age", "op": ">=", "values": ["18"], "reason": "under 18"}),
    ]:
        made.append(logic.propose_step(kind, ds, **params).step)
    return [("smoking", {"Never ": "never"}), *made]  # a label merge first, as matching/ makes


def lookups() -> tuple[float, float]:
    cache = logic.stats()["cache"]
    return cache["hits"], cache["misses"]


def test_every_kind_of_step_reaches_an_analysis(dataset):
    prepared = logic.prepare(dataset, history(dataset))
    ds = prepared.dataset
    assert prepared.skipped == ()
    assert (prepared.flow.start, prepared.flow.final) == (40, 39)
    assert set(ds.df["smoking"].dropna()) == {"never", "former", "current"}
    spec = Table1Spec(variables=("bmi", "smoking"), group="age_group", categorical=("smoking",))
    result = logic.run("table1", ds, spec)
    assert result is not None
    hits, misses = lookups()
    # Undo the filter and redo it: the same stage, the same fingerprint, a cache hit.
    earlier = logic.prepare(dataset, history(dataset)[:-1]).dataset
    assert earlier.fingerprint != ds.fingerprint and len(earlier.df) == 40
    again = logic.prepare(dataset, history(dataset)).dataset
    assert again.fingerprint == ds.fingerprint
    logic.run("table1", again, spec)
    assert lookups() == (hits + 1, misses)


def test_column_counts_and_bad_proposals_say_what_to_fix(dataset):
    counts = logic.column_counts(dataset, "sex")
    assert counts["group"].tolist() == ["1", "2"] and counts["n"].tolist() == [20, 20]
    with pytest.raises(DataError, match="There is no column named 'nope'"):
        logic.column_counts(dataset, "nope")
    with pytest.raises(DataError, match="no column named 'hieght'"):
        logic.propose_step("formula", dataset, name="bmi", formula="weight / hieght^2")
