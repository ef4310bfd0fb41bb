"""Survival tab choices and spec: which columns are offered, defaults, and what the spec holds."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analyses.errors import AnalysisError
from modules.shared.controls import MISSING, Raw, resolve
from modules.survival import controls as sc
from modules.survival import tab as survival_tab
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
    assert sc.default_time(dataset) == "follow_up_days"
    assert sc.default_event(dataset) == "status"
    assert sc.default_time(dataset, previous="age") == "age"  # the user's choice stays
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


def frame(columns: dict, labels: dict | None = None):
    ds = data_io.dataset_from_frame(pd.DataFrame(columns), name="t")
    if labels:
        ds = ds.with_columns(
            {n: replace(m, label=labels.get(n, m.label)) for n, m in ds.columns.items()}
        )
    return ds


N = 60
RNG = np.random.default_rng(8)


def test_lung_defaults_are_status_2_and_time_never_inst_or_sex():
    ds = frame(
        {
            "inst": RNG.choice([1, 3, 5, 11, 12, 13, 16, 22], N),
            "time": RNG.integers(5, 1000, N),
            "status": RNG.choice([1, 2], N),
            "age": RNG.integers(40, 80, N),
            "sex": RNG.choice([1, 2], N),
            "ph.karno": RNG.choice([50, 60, 70, 80, 90, 100], N),
        }
    )
    assert (sc.default_time(ds), sc.default_event(ds)) == ("time", "status")
    assert sc.default_event_level(ds.meta("status").levels) == "2"
    assert sc.censor_note(ds, "status") is None


def test_gbsg2_cens_keeps_r_convention_and_shows_the_note():
    # GBSG2 (TH.data): 'cens' is 1 for a recurrence, despite its name.
    ds = frame({"horTh": RNG.choice(["no", "yes"], N), "time": RNG.integers(8, 2600, N),
                "cens": RNG.choice([0, 1], N)})  # fmt: skip
    assert sc.default_event(ds) == "cens"
    assert sc.censor_note(ds, "cens") == sc.CENSOR_NOTE
    assert sc.default_event_level(("0", "1"), censoring=True) == "1"  # R: 1 = event
    assert sc.default_event_level(("1", "2"), censoring=True) == "2"
    # A yes/no column named 'censored' says yes = censored: 'no' is the event.
    assert sc.default_event_level(("No", "Yes"), censoring=True) == "No"
    assert sc.default_event_level(("alive", "dead"), censoring=True) == "dead"
    spec = sc.build_spec(
        ds, mode="column", time="time", start=None, end=None, event="cens",
        event_level=None, group=None, covariates=[], conf_type="log",
    )  # fmt: skip
    assert spec.event_level == "1"


def test_censored_yes_no_column_defaults_to_no_in_the_spec():
    ds = frame({"time": RNG.integers(8, 900, N), "censored": RNG.choice(["yes", "no"], N)})
    assert sc.censor_note(ds, "censored") == sc.CENSOR_YES_NO_NOTE
    spec = sc.build_spec(
        ds, mode="column", time="time", start=None, end=None, event="censored",
        event_level=None, group=None, covariates=[], conf_type="log",
    )  # fmt: skip
    assert spec.event_level == "no"


def test_nothing_named_like_an_event_chooses_nothing_and_the_spec_says_so():
    # rossi (Allison): 'week' and 'arrest'; and a file whose only yes/no columns are covariates.
    ds = frame({"week": RNG.integers(1, 53, N), "arrest": RNG.choice([0, 1], N),
                "fin": RNG.choice(["no", "yes"], N), "age": RNG.integers(17, 45, N)})  # fmt: skip
    assert sc.default_time(ds) == "week"
    assert sc.default_event(ds) is None
    settings = resolve(survival_tab.CONTROLS, ds, Raw(lambda *_: MISSING, {}))
    assert (settings["time"], settings["event"]) == ("week", None)
    event = next(c for c in survival_tab.CONTROLS if c.id == "event")
    shown = str(event.render(settings))
    assert '<option value="" selected="">Choose the event column</option>' in shown
    with pytest.raises(AnalysisError, match="Choose the event column"):
        sc.build_spec(
            ds, mode="column", time="week", start=None, end=None, event=settings["event"],
            event_level=None, group=None, covariates=[], conf_type="log",
        )  # fmt: skip
    no_time = frame({"age": RNG.integers(17, 45, N), "bmi": RNG.normal(25, 3, N)})
    assert sc.default_time(no_time) is None
    with pytest.raises(AnalysisError, match="follow-up time"):
        sc.build_spec(
            no_time, mode="column", time=None, start=None, end=None, event="age",
            event_level=None, group=None, covariates=[], conf_type="log",
        )  # fmt: skip


def test_names_and_labels_are_read_word_by_word():
    ds = frame(
        {
            "age_years": RNG.integers(30, 80, N),
            "operating_time": RNG.integers(30, 300, N),
            "OS.time": RNG.integers(1, 2000, N),
            "prevention": RNG.choice(["a", "b"], N),
            "v7": RNG.choice([0, 1], N),
        },
        labels={"v7": "Vital status at last contact"},
    )
    assert sc.default_time(ds) == "OS.time"  # above 'operating_time', never 'age_years'
    assert sc.default_event(ds) == "v7"  # by its label; 'prevention' holds no 'event'


def test_a_result_is_preferred_to_a_trait_named_like_an_event():
    ds = frame({"smoking_status": RNG.choice(["no", "yes"], N),
                "heart_failure": RNG.choice([0, 1], N),
                "vital_status": RNG.choice(["alive", "dead"], N),
                "relapse_type": RNG.choice(["local", "distant", "none"], N)})  # fmt: skip
    assert sc.default_event(ds) == "vital_status"
