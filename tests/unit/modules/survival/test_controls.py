"""Survival tab choices and spec: which columns are offered, defaults, and what the spec holds."""

import pandas as pd
import pytest

from analyses.errors import AnalysisError
from modules.survival import controls as sc
from utils import data_io


@pytest.fixture(scope="module")
def dataset():
    df = pd.DataFrame(
        {
            "follow_up_days": [5, 8, 12, 20, 31, 40, 44, 60],
            "status": [1, 2, 2, 1, 2, 2, 1, 2],
            "arm": ["A", "B"] * 4,
            "age": [50, 61, 72, 45, 66, 58, 70, 49],
            "start": pd.date_range("2021-01-01", periods=8).strftime("%Y-%m-%d"),
            "end": pd.date_range("2021-03-01", periods=8).strftime("%Y-%m-%d"),
        }
    )
    return data_io.dataset_from_frame(df, name="trial")


def test_choices_and_defaults(dataset):
    times = sc.time_choices(dataset)
    assert "follow_up_days" in times and "arm" not in times
    assert sc.by_name(times, sc.TIME_WORDS) == "follow_up_days"
    assert sc.by_name(sc.event_choices(dataset), sc.EVENT_WORDS) == "status"
    assert sc.default_event_level(("1", "2")) == "2"  # R's Surv: 1 censored, 2 dead
    assert sc.default_event_level(("No", "Yes")) == "Yes"
    assert "status" not in sc.group_choices(dataset, exclude=["status"])


def test_spec_keeps_time_event_and_group_out_of_the_covariates(dataset):
    spec = sc.build_spec(
        dataset,
        mode="column",
        time="follow_up_days",
        start=None,
        end=None,
        event="status",
        event_level=None,
        group="arm",
        covariates=["age", "arm", "follow_up_days"],
        conf_type="log-log",
    )
    assert (spec.time, spec.event_level, spec.group) == ("follow_up_days", "2", "arm")
    assert spec.covariates == ("age",) and spec.conf_type == "log-log"
    assert hash(spec) == hash(spec)  # a cache key


def test_date_mode_and_missing_choices(dataset):
    assert set(sc.date_choices(dataset)) == {"start", "end"}
    spec = sc.build_spec(
        dataset, mode="dates", time="follow_up_days", start="start", end="end",
        event="status", event_level="2", group=None, covariates=[], conf_type="log",
    )  # fmt: skip
    assert (spec.time, spec.start, spec.end) == (None, "start", "end")
    with pytest.raises(AnalysisError, match="event column"):
        sc.build_spec(
            dataset, mode="column", time="follow_up_days", start=None, end=None, event=None,
            event_level=None, group=None, covariates=[], conf_type="log",
        )  # fmt: skip
