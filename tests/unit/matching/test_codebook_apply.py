"""Applying codebook matches: a new dataset version with labels, types and values; undo."""

from __future__ import annotations

import pandas as pd

from matching.codebook_apply import ColumnRule, apply_codebook, codebook_step
from matching.recode import recode_map_frame, recode_map_json
from utils.data_io import dataset_from_frame


def dataset():
    df = pd.DataFrame(
        {
            "age_yrs": ["50", "61", "n/k", "70", "44", "38"],
            "gender": ["M", "male", "F", "F", "Unknown", "M"],
            "adm": [
                "2024-01-02",
                "2024-02-03",
                "2024-03-04",
                "2024-04-05",
                "2024-05-06",
                "2024-06-07",
            ],
            "dm": [1, 0, 1, 0, 0, 1],
        }
    )
    return dataset_from_frame(df, name="t.csv")


def step():
    return codebook_step(
        "cb.csv",
        "c" * 32,
        [
            ColumnRule("age_yrs", "age", "Age (years)", "numeric"),
            ColumnRule(
                "gender",
                "sex",
                "Sex",
                "categorical",
                (("M", "Male"), ("male", "Male"), ("F", "Female")),
                ("Male", "Female"),
            ),  # fmt: skip
            ColumnRule("adm", "adm_date", "Date of admission", "date"),
            ColumnRule(
                "dm",
                "diabetes",
                "Diabetes",
                "categorical",
                (("1", "Yes"), ("0", "No")),
                ("Yes", "No"),
            ),
        ],
    )


def test_apply_sets_labels_types_and_values_in_a_new_version() -> None:
    parent = dataset()
    child = apply_codebook(parent, step())
    assert child.fingerprint != parent.fingerprint
    assert child.label("age_yrs") == "Age (years)" and child.label("gender") == "Sex"
    assert child.meta("age_yrs").kind in ("continuous", "count")
    assert child.df["age_yrs"].isna().sum() == 1  # "n/k"
    assert any("1 cell(s) could not be read as numbers" in n and "'n/k'" in n for n in child.notes)
    assert child.df["gender"].tolist() == ["Male", "Male", "Female", "Female", "Unknown", "Male"]
    assert child.meta("gender").kind == "categorical"
    assert any("not in the codebook" in n and "'Unknown'" in n for n in child.notes)
    assert child.meta("adm").kind == "date" and pd.api.types.is_datetime64_any_dtype(
        child.df["adm"]
    )
    assert child.df["dm"].tolist() == ["Yes", "No", "Yes", "No", "No", "Yes"]
    assert child.meta("dm").kind == "binary" and child.meta("dm").levels == ("No", "Yes")
    # The parent is untouched, and undo is the parent itself with its fingerprint.
    assert parent.df["gender"].tolist()[0] == "M" and parent.label("gender") == "gender"
    assert apply_codebook(parent, step()).fingerprint == child.fingerprint


def test_another_mapping_is_another_version() -> None:
    parent = dataset()
    other = codebook_step(
        "cb.csv", "c" * 32, [ColumnRule("gender", "sex", "Gender", "categorical")]
    )
    assert apply_codebook(parent, other).fingerprint != apply_codebook(parent, step()).fingerprint


def test_recode_map_lists_codebook_steps_next_to_merges() -> None:
    steps = [("gender", {"male": "M"}), step()]
    frame = recode_map_frame(steps)
    assert {"merged", "codebook label", "codebook type", "codebook value"} <= set(frame["change"])
    assert ("gender", "F", "Female", "codebook value") in set(map(tuple, frame.to_numpy()))
    assert ("age_yrs", "age_yrs", "Age (years)", "codebook label") in set(
        map(tuple, frame.to_numpy())
    )
    text = recode_map_json(steps)
    assert '"codebook": "cb.csv"' in text and '"male": "M"' in text
