"""Regression defaults: an outcome named like one, never an identifier or a site code."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from modules.regression import controls as rc
from utils import data_io

DATA = Path(__file__).resolve().parents[3] / "data"


def test_lung_has_no_regression_outcome_by_default_and_never_inst():
    ds = data_io.read_table(DATA / "lung.csv")
    assert "inst" not in rc.outcome_choices(ds)  # a site code is a label, not a number
    assert rc.default_outcome(ds) is None  # nothing named like an outcome: the user chooses


def test_quine_days_absent_is_the_count_outcome():
    ds = data_io.read_table(DATA / "quine.csv")
    assert rc.default_outcome(ds) == "Days"


def test_a_count_named_like_an_outcome_first_then_a_continuous_one():
    rng = np.random.default_rng(9)
    n = 200
    df = pd.DataFrame(
        {
            "patient_no": np.arange(1, n + 1) + 5000,
            "center": rng.integers(1, 30, n),
            "age": rng.integers(20, 90, n),
            "pain_score": rng.normal(5, 2, n).round(1),
            "visits": rng.poisson(3, n),
        }
    )
    ds = data_io.dataset_from_frame(df, name="t")
    assert rc.default_outcome(ds) == "visits"
    assert rc.default_outcome(data_io.dataset_from_frame(df.drop(columns="visits"), "t")) == (
        "pain_score"
    )
    ids_only = data_io.dataset_from_frame(df[["patient_no", "center", "age"]], name="t")
    assert rc.default_outcome(ids_only) is None
