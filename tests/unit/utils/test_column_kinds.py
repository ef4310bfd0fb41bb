"""infer_columns: each kind from small frames built here, and the levels shown for factors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils.column_kinds import (
    infer_columns,
    is_code_name,
    is_dense_identifier,
    is_id_name,
    is_numeric_scale,
    levels_of,
    looks_like_date_number,
    natural_key,
)


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


def test_karnofsky_by_tens_is_a_measurement_and_ecog_stays_a_factor():
    # R's lung data: ph.karno takes 50, 60, ..., 100 (six values) and ph.ecog 0-3.
    rng = np.random.default_rng(4)
    n = 200
    df = pd.DataFrame(
        {
            "ph.karno": rng.choice([50, 60, 70, 80, 90, 100], n),
            "karnofsky_0_100": rng.choice(np.arange(0, 101, 10), n),
            "ph.ecog": rng.choice([0, 1, 2, 3], n),
            "asa": rng.choice([1, 2, 3, 4, 5], n),
            "pain_nrs": rng.choice(np.arange(0, 11), n),
            "smoker_code": rng.choice([1, 2, 3, 99], n),  # 99 = unknown: still codes
            "dose_mg": rng.choice([100, 250, 500, 1000], n),  # far apart: levels
        }
    )
    assert kinds(df) == {
        "ph.karno": "continuous",
        "karnofsky_0_100": "continuous",  # by tens: not a count even from 0
        "ph.ecog": "categorical",
        "asa": "categorical",
        "pain_nrs": "count",
        "smoker_code": "categorical",
        "dose_mg": "categorical",
    }


def test_scale_rule():
    assert is_numeric_scale(np.array([50.0, 60, 70, 80, 90, 100]))
    assert is_numeric_scale(np.array([30.0, 40, 60, 70, 90, 100]))  # gaps: half the grid filled
    assert is_numeric_scale(np.arange(1.0, 9))  # eight consecutive values
    assert not is_numeric_scale(np.arange(0.0, 5))  # ECOG
    assert not is_numeric_scale(np.array([1.0, 2, 3, 4, 5, 6, 7, 99]))
    assert not is_numeric_scale(np.array([0.0, 10, 20]))  # three values: too few to say


def test_site_codes_are_labels_and_patient_numbers_ids():
    rng = np.random.default_rng(5)
    n = 228
    df = pd.DataFrame(
        {
            "inst": rng.choice([1, 3, 5, 6, 7, 11, 12, 13, 15, 16, 21, 22, 26], n),
            "hospital_days": rng.poisson(6, n) + 1,
            "patient_no": rng.permutation(np.arange(5001, 5001 + n)),
            "seq": rng.permutation(np.arange(1, 2 * n, 2))[:n],  # odd numbers, one per row
            "cholesterol": rng.normal(200, 40, n).round(),
        }
    )
    got = kinds(df)
    assert got["inst"] == "categorical"
    assert got["hospital_days"] == "count"
    assert got["patient_no"] == "id"
    assert got["seq"] == "continuous"  # a number; kept out of defaults by is_dense_identifier
    assert got["cholesterol"] == "continuous"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("inst", True),
        ("site", True),
        ("Centre", True),
        ("study_site_no", True),
        ("hospital code", True),
        ("zip", True),
        ("postcode", True),
        ("hospital_days", False),
        ("site_of_infection", False),
        ("instrument", False),
        ("age", False),
    ],
)
def test_code_names(name, expected):
    assert is_code_name(name) is expected


def test_dates_typed_as_numbers():
    assert looks_like_date_number(np.array([20210314.0, 19991231, 20000101]))
    assert not looks_like_date_number(np.array([20211314.0]))  # month 13
    assert not looks_like_date_number(np.array([120.0, 80]))


def test_huge_whole_floats_are_continuous():
    values = np.arange(1, 41) * 1.5e300
    assert kinds(pd.DataFrame({"viral_load": values}))["viral_load"] == "continuous"


def test_dense_identifiers():
    assert is_dense_identifier(np.arange(1001, 1251, dtype=float), 250)
    assert is_dense_identifier(np.arange(1.0, 61, 2), 30)  # odd numbers only
    spread = np.unique(np.random.default_rng(6).normal(250_000, 60_000, 100).round())
    assert not is_dense_identifier(spread, 100)  # platelets: distinct but spread wide
    assert not is_dense_identifier(np.arange(1.0, 11), 10)  # too few rows to tell


def test_short_columns_are_counted_as_long_ones_are(monkeypatch):
    import numpy as np
    import pandas as pd

    from utils import column_kinds

    values = ["yes", " yes", "no ", None, np.nan, "", "  ", 3, 3.0, "a", "no"] * 5
    for series in (pd.Series(values, dtype=object), pd.Series(["x", "y", None, "x"], dtype="str")):
        short = column_kinds.text_counts(series)
        monkeypatch.setattr(column_kinds, "SHORT_COLUMN", -1)  # force the pandas path
        long = column_kinds.text_counts(series)
        monkeypatch.undo()
        assert short[1] == long[1]
        assert short[0].to_dict() == long[0].to_dict()
        assert list(short[0].index) == list(long[0].index)
