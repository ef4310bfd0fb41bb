"""The new-variables card's pure builders: which columns each kind offers, names offered,
and the preview (groups and counts, or why not), users' words escaped."""

from __future__ import annotations

import pandas as pd
import pytest

from modules.cleaning import derive_view as dv
from prep import steps
from utils.data_io import dataset_from_frame

HOSTILE = "<b onmouseover=alert(1)>x</b>"


@pytest.fixture
def data():
    df = pd.DataFrame(
        {
            "age": [30, 45, 50, 62, 70, 81],
            "stage": ["I", "II", "III", HOSTILE, "I", "II"],
            "sex": ["F", "M", "F", "M", "F", "M"],
            "age_group": ["a", "b", "a", "b", "a", "b"],
        }
    )
    return dataset_from_frame(df, "d.csv")


def test_each_kind_offers_the_columns_it_starts_from(data):
    assert list(dv.column_choices(data, "cut")) == ["age"]
    assert list(dv.column_choices(data, "combine")) == ["stage"]  # 3+ levels only
    assert dv.column_choices(data, "formula") == {}


def test_offered_names_never_clash(data):
    assert dv.default_new_name(data, "cut", "age", "", None) == "age_group_2"
    assert dv.default_new_name(data, "transform", "age", "per_units", 10) == "age_per_10"
    assert dv.default_new_name(data, "formula", None, "", None) == ""


def test_the_preview_shows_groups_with_counts_and_escapes_levels(data):
    made = steps.propose(
        "combine", data, column="stage", name="s2", groups={"III": HOSTILE, "II": "I"}
    )
    html = str(dv.preview(made))
    assert "<b onmouseover" not in html and "&lt;b onmouseover" in html
    assert "Preview of &#x27;s2&#x27;" in html or "Preview of 's2'" in html
    problem = str(dv.preview("The cut-off 120 is outside the values"))
    assert 'id="derive-problem"' in problem and "120 is outside" in problem
