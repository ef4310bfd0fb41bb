"""Cutting a number into groups: boundaries shown in the labels, counts, refusals."""

import pandas as pd
import pytest

from prep.cut import cut_step, parse_cutoffs
from utils.data_error import DataError


def groups(dataset, **params) -> pd.Series:
    step = cut_step(dataset, name="group", **params)
    return step.apply(dataset).df["group"]


def test_typed_cutoffs_start_a_group_and_the_last_includes_the_maximum(patients):
    out = groups(patients, column="age", cutoffs="40, 70")
    assert list(out.cat.categories) == ["[10, 40)", "[40, 70)", "[70, 90]"]
    assert out.value_counts(sort=False).tolist() == [3, 3, 3]
    assert out.iloc[3] == "[40, 70)"  # 40 belongs to the group it starts
    assert out.iloc[8] == "[70, 90]"  # the maximum is in the last group
    assert pd.isna(out.iloc[9])  # missing age, missing group


def test_quantile_cutoffs_are_measured_once_rounded_and_shown(patients):
    step = cut_step(patients, column="age", name="q", quantiles=3)
    assert step.cutoffs == (36.67, 63.33)
    out = step.apply(patients).df["q"]
    assert list(out.cat.categories) == ["Q1 [10, 36.67)", "Q2 [36.67, 63.33)", "Q3 [63.33, 90]"]
    assert "3 quantile groups, cut at 36.67, 63.33" in step.describe()


def test_groups_with_negative_boundaries_are_numbered_to_keep_their_order():
    from utils.data_io import dataset_from_frame

    ds = dataset_from_frame(pd.DataFrame({"x": [-20.0, -5, 0, 5, 20]}))
    out = cut_step(ds, column="x", name="g", cutoffs="-10, 10").apply(ds).df["g"]
    assert list(out.cat.categories) == ["1: [-20, -10)", "2: [-10, 10)", "3: [10, 20]"]


def test_the_new_column_is_a_factor_of_its_groups(patients):
    after = cut_step(patients, column="age", name="old", cutoffs="65").apply(patients)
    assert after.meta("old").kind == "binary"
    assert after.label("old") == "age (groups)"


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"cutoffs": "40, 120"}, "The cut-off 120 is outside the values: 'age' goes from 10 to 90"),
        ({"cutoffs": "10"}, "The cut-off 10 is outside"),  # the first group would be empty
        ({"cutoffs": "forty"}, "'forty' is not a number"),
        ({"cutoffs": " "}, "Type at least one cut-off"),
        ({"cutoffs": "inf"}, "finite number"),
        ({"quantiles": 11}, "between 2 and 10 groups"),
    ],
)
def test_bad_cutoffs_are_refused_with_the_range(patients, params, says):
    with pytest.raises(DataError) as caught:
        cut_step(patients, column="age", name="g", **params)
    assert says in str(caught.value)


def test_parse_cutoffs_accepts_commas_semicolons_spaces_and_unicode_minus():
    assert parse_cutoffs("65; 40 18,−5") == [-5.0, 18.0, 40.0, 65.0]
