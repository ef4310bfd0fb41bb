"""infer_columns: each kind from small frames built here, and the levels shown for factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils.column_kinds import infer_columns, is_id_name, levels_of, natural_key


def kinds(df: pd.DataFrame) -> dict[str, str]:
    return {name: meta.kind for name, meta in infer_columns(df).items()}


@pytest.fixture
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    return pd.DataFrame(
        {
            "subject": [f"S-{i:03d}" for i in range(n)],
            "record_id": rng.permutation(n) + 1000,
            "sex": rng.choice(["Female", "Male"], n),
            "died": rng.integers(0, 2, n),
            "stage": rng.choice(["I", "II", "III", "IV"], n),
            "grade": rng.integers(1, 4, n),
            "sbp": rng.normal(130, 15, n).round(1),
            "age": rng.integers(30, 90, n),
            "n_admissions": rng.poisson(9, n),  # ~18 distinct values: too many for a factor
            "visit": pd.date_range("2023-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "seen": pd.date_range("2023-01-01", periods=n, freq="D"),
            "comment": [f"patient reports {w} pain on day {i}" for i, w in enumerate(["mild"] * n)],
            "flag": rng.choice([True, False], n),
        }
    )


def test_each_kind(cohort):
    assert kinds(cohort) == {
        "subject": "id",
        "record_id": "id",
        "sex": "binary",
        "died": "binary",
        "stage": "categorical",
        "grade": "categorical",
        "sbp": "continuous",
        "age": "continuous",
        "n_admissions": "count",
        "visit": "date",
        "seen": "date",
        "comment": "text",
        "flag": "binary",
    }


def test_levels_are_naturally_sorted_strings(cohort):
    meta = infer_columns(cohort)
    assert meta["stage"].levels == ("I", "II", "III", "IV")
    assert meta["grade"].levels == ("1", "2", "3")
    assert meta["died"].levels == ("0", "1")
    assert meta["flag"].levels == ("False", "True")
    assert meta["sbp"].levels == ()
    assert meta["sex"].label == "sex"


def test_levels_numbers_numerically_then_text():
    assert levels_of(pd.Series([10, 2, 1, 2.0, np.nan])) == ("1", "2", "10")
    assert levels_of(pd.Series(["Stage 10", "Stage 2", "stage 1", " Stage 2 "])) == (
        "stage 1",
        "Stage 2",
        "Stage 10",
    )
    assert levels_of(pd.Series(["b", "10", "a", "9"])) == ("9", "10", "a", "b")
    assert sorted(["x10", "x9", "x1"], key=natural_key) == ["x1", "x9", "x10"]


def test_missing_counts_blanks_and_nan():
    meta = infer_columns(
        pd.DataFrame({"s": ["a", " ", None, "b", "a"], "x": [1.0, np.nan] * 2 + [3]})
    )
    assert meta["s"].n_missing == 2
    assert meta["x"].n_missing == 2
    assert meta["s"].levels == ("a", "b")


def test_categorical_by_share_in_a_large_table():
    rng = np.random.default_rng(1)
    wards = [f"Ward {i}" for i in range(30)]  # 30 levels in 2,000 rows: 1.5% distinct
    df = pd.DataFrame({"ward": rng.choice(wards, 2000)})
    meta = infer_columns(df)["ward"]
    assert meta.kind == "categorical"
    assert meta.levels[:3] == ("Ward 0", "Ward 1", "Ward 2")


def test_many_short_codes_are_text_not_factors():
    rng = np.random.default_rng(2)
    codes = [f"C{i:02d}.{j}" for i in range(40) for j in range(5)]
    assert kinds(pd.DataFrame({"icd": rng.choice(codes, 300)}))["icd"] == "text"


def test_integers_in_few_values_only_when_they_repeat():
    # Ten unique ages are measurements, not ten categories.
    assert (
        kinds(pd.DataFrame({"age": [34, 51, 47, 62, 70, 29, 45, 58, 66, 39]}))["age"]
        == "continuous"
    )
    assert kinds(pd.DataFrame({"asa": [1, 2, 3, 4, 2, 2, 3, 1, 1, 2]}))["asa"] == "categorical"


def test_a_row_number_is_an_id_and_unique_measurements_are_not():
    n = 50
    df = pd.DataFrame({"no": np.arange(1, n + 1), "weight": np.linspace(50, 99, n).round(2)})
    assert kinds(df) == {"no": "id", "weight": "continuous"}


def test_empty_and_constant_columns():
    df = pd.DataFrame({"empty": [np.nan] * 4, "blank": [""] * 4, "same": ["x"] * 4})
    assert kinds(df) == {"empty": "text", "blank": "text", "same": "categorical"}
    assert infer_columns(df)["same"].levels == ("x",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("patient_id", True),
        ("PatientID", True),
        ("HN", True),
        ("mrn", True),
        ("Subject No", True),
        ("id", True),
        ("covid", False),
        ("lipid_panel", False),
        ("fluid_balance", False),
        ("ward", False),
    ],
)
def test_id_names(name, expected):
    assert is_id_name(name) is expected
