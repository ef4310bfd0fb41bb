"""Kind overrides and labels: levels recomputed, fingerprints follow kinds, bad fits refused."""

from __future__ import annotations

import pandas as pd
import pytest

from utils import data_io
from utils.data_io import DataError


def test_with_kind_recomputes_levels_and_fingerprint():
    df = pd.DataFrame({"grade": [1, 2, 3, 2, 1, 3, 10] * 3, "y": ["a", "b"] * 10 + ["a"]})
    dataset = data_io.dataset_from_frame(df)
    assert dataset.meta("grade").kind == "categorical"
    assert dataset.meta("grade").levels == ("1", "2", "3", "10")
    continuous = data_io.with_kind(dataset, "grade", "continuous")
    assert continuous.meta("grade").kind == "continuous"
    assert continuous.meta("grade").levels == ()
    assert continuous.fingerprint != dataset.fingerprint
    back = data_io.with_kind(continuous, "grade", "categorical")
    assert back.meta("grade").levels == ("1", "2", "3", "10")
    assert back.df is dataset.df  # an override changes meta, never the data


def test_with_kind_refuses_what_the_data_cannot_be():
    dataset = data_io.dataset_from_frame(
        pd.DataFrame({"sex": ["M", "F", "M"], "stage": ["I", "II", "III"], "x": [1.5, -2, 3]})
    )
    with pytest.raises(DataError, match="'sex' holds text .*choose categorical"):
        data_io.with_kind(dataset, "sex", "continuous")
    with pytest.raises(DataError, match="'stage' has 3 different values .* cannot be binary"):
        data_io.with_kind(dataset, "stage", "binary")
    with pytest.raises(DataError, match="not a count. Choose continuous"):
        data_io.with_kind(dataset, "x", "count")
    with pytest.raises(DataError, match="does not hold dates"):
        data_io.with_kind(dataset, "sex", "date")
    with pytest.raises(DataError, match="not a column type"):
        data_io.with_kind(dataset, "sex", "ordinal")
    with pytest.raises(DataError, match="no column named 'age'"):
        data_io.with_kind(dataset, "age", "continuous")


def test_with_label_keeps_fingerprint():
    dataset = data_io.dataset_from_frame(pd.DataFrame({"crp": [1.0, 2.0, 3.5]}))
    labelled = data_io.with_label(dataset, "crp", "  C-reactive protein\n(mg/L) ")
    assert labelled.label("crp") == "C-reactive protein (mg/L)"
    assert labelled.fingerprint == dataset.fingerprint
    assert data_io.with_label(labelled, "crp", "  ").label("crp") == "crp"


def test_with_edits_applies_all_at_once_and_lists_what_it_refused():
    from utils.dataset_edits import with_edits

    dataset = data_io.dataset_from_frame(
        pd.DataFrame({"sex": ["M", "F", "M"], "grade": [1, 2, 3], "x": [1.5, -2, 3]})
    )
    edited, refused = with_edits(
        dataset,
        {"sex": "continuous", "grade": "continuous", "gone": "count"},
        {"x": "  X   value ", "sex": "Sex", "also_gone": "?"},
    )
    assert [(c, kept) for c, kept, _ in refused] == [("sex", "binary")]
    assert "'sex' holds text" in refused[0][2]
    assert edited.meta("sex").kind == dataset.meta("sex").kind  # refused: kept
    assert edited.meta("grade").kind == "continuous"
    assert (edited.label("x"), edited.label("sex")) == ("X value", "Sex")
    assert edited.fingerprint != dataset.fingerprint
    same, none = with_edits(dataset, {"grade": dataset.meta("grade").kind}, {"x": "  "})
    assert same is dataset and none == []
