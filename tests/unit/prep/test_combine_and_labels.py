"""Value labels and combined levels: new texts for codes and levels, refusals."""

import pandas as pd
import pytest

from prep.combine import combine_step
from prep.value_labels import value_labels_step
from utils.data_error import DataError


def test_value_labels_replace_the_codes_and_make_a_binary_factor(patients):
    step = value_labels_step(patients, "sex", {"1": "Male", "2": "Female"})
    after = step.apply(patients)
    assert after.df["sex"].tolist()[:2] == ["Male", "Female"]
    assert after.meta("sex").kind == "binary"
    assert set(after.meta("sex").levels) == {"Male", "Female"}
    assert step.describe() == "sex: value labels 1 = Male, 2 = Female"
    assert step.map_rows() == [
        ("sex", "1", "Male", "value label"),
        ("sex", "2", "Female", "value label"),
    ]
    assert after.fingerprint != patients.fingerprint
    assert patients.df["sex"].tolist()[:2] == [1, 2]  # the parent is untouched


def test_a_blank_label_keeps_the_value(patients):
    after = value_labels_step(patients, "stage", {"I": "Early", "II": " "}).apply(patients)
    assert after.df["stage"].tolist()[:3] == ["Early", "II", "III"]
    assert pd.isna(after.df["stage"].iloc[9])


@pytest.mark.parametrize(
    ("column", "labels", "says"),
    [
        ("sex", {"3": "Other"}, "'3' is not a value of 'sex'"),
        ("sex", {"1": ""}, "Type a label for at least one value"),
        ("sex", {"1": "x" * 81}, "under 80 characters"),
        ("age", {"10": "ten"}, None),  # ten distinct ages are codes enough
        ("visit", {"x": "y"}, "value labels are for columns of codes"),
    ],
)
def test_value_labels_refusals(patients, column, labels, says):
    if says is None:
        value_labels_step(patients, column, labels)
        return
    with pytest.raises(DataError) as caught:
        value_labels_step(patients, column, labels)
    assert says in str(caught.value)


def test_combine_levels_makes_a_new_column_and_keeps_the_old(patients):
    groups = {"I": "early", "II": "early", "III": "late", "IV": "late"}
    step = combine_step(patients, "stage", groups, "stage2")
    after = step.apply(patients)
    assert after.df["stage2"].tolist()[:4] == ["early", "early", "late", "late"]
    assert after.meta("stage2").kind == "binary"
    assert after.df["stage"].equals(patients.df["stage"])
    assert step.describe() == "New column stage2: stage with I + II -> early; III + IV -> late"


def test_a_level_left_blank_stays_on_its_own(patients):
    after = combine_step(patients, "stage", {"III": "III-IV", "IV": "III-IV"}, "s").apply(patients)
    assert list(after.df["s"].cat.categories) == ["I", "II", "III-IV"]


@pytest.mark.parametrize(
    ("groups", "says"),
    [
        ({}, "No levels are combined"),
        ({"I": "all", "II": "all", "III": "all", "IV": "all"}, "Every level would be in one group"),
        ({"V": "x"}, "'V' is not a level of 'stage'"),
    ],
)
def test_combine_refusals(patients, groups, says):
    with pytest.raises(DataError) as caught:
        combine_step(patients, "stage", groups, "s")
    assert says in str(caught.value)
