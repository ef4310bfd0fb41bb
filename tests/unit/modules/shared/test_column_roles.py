"""Column roles read from names, labels and values: the ground of every default."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from modules.shared import column_roles as roles
from utils import data_io

N = 120
RNG = np.random.default_rng(21)


def frame(columns: dict, labels: dict | None = None):
    ds = data_io.dataset_from_frame(pd.DataFrame(columns), name="t")
    if labels:
        ds = ds.with_columns(
            {n: replace(m, label=labels.get(n, m.label)) for n, m in ds.columns.items()}
        )
    return ds


def test_words():
    assert roles.words("OS.time") == ["os", "time"]
    assert roles.words("vitalStatus") == ["vital", "status"]
    assert roles.words("pfs2_months") == ["pfs", "2", "months"]


@pytest.mark.parametrize(
    ("name", "event", "outcome_like"),
    [
        ("status", True, True),
        ("os_status", True, True),
        ("smoking_status", True, False),  # an event candidate by name, but a covariate
        ("fustat", True, True),
        ("censored", True, True),
        ("cens", True, True),
        ("Relapse free", True, True),
        ("death_text", True, True),
        ("complication", False, True),
        ("length_of_stay", False, False),
        ("los", False, True),
        ("time", False, True),  # follow-up: a result, not a baseline covariate
        ("operating_time", False, False),
        ("prevention", False, False),
        ("sex", False, False),
        ("heart_failure", True, False),
    ],
)
def test_event_and_outcome_names(name, event, outcome_like):
    ds = frame({name: [0, 1] * 10})
    assert roles.is_event_named(ds, name) is event
    assert roles.is_outcome_like(ds, name) is outcome_like


@pytest.mark.parametrize(
    ("name", "rank"),
    [
        ("time", 3),
        ("futime", 3),
        ("OS.time", 3),
        ("follow_up_days", 3),
        ("time_to_death", 3),
        ("operating_time", 2),
        ("week", 1),
        ("age_years", 0),
        ("bmi", 0),
    ],
)
def test_time_rank(name, rank):
    assert roles.time_rank(frame({name: range(20)}), name) == rank


def test_codes_identifiers_and_dates_as_numbers():
    ds = frame(
        {
            "inst": RNG.choice([1, 3, 5, 11, 12, 13, 16, 22], N),
            "record": RNG.permutation(np.arange(7001, 7001 + N)),
            "subject": RNG.permutation(np.arange(1, 2 * N, 2))[:N],  # odd numbers, packed
            "enrolled": np.sort(RNG.choice(np.arange(20_000), N, replace=False)),  # row order
            "surgery_date": RNG.choice([20210104, 20211231, 20220615, 20230301], N),
            "platelets": RNG.choice(np.arange(150_000, 450_000), N, replace=False),
            "age": RNG.integers(30, 90, N),
            "crp": RNG.normal(10, 3, N).round(1),
        },
        labels={"crp": "C-reactive protein"},
    )
    coded = [c for c in ds.columns if roles.is_code_column(ds, c)]
    assert coded == ["inst", "record", "subject", "enrolled", "surgery_date"]
    assert roles.without_codes(ds, ds.columns) == ["platelets", "age", "crp"]


def test_a_label_can_say_identifier():
    ds = frame({"v1": RNG.integers(1, 9, N), "v2": RNG.integers(1, 9, N)},
               labels={"v1": "Hospital code", "v2": "Pain score"})  # fmt: skip
    assert roles.is_code_column(ds, "v1") and not roles.is_code_column(ds, "v2")
