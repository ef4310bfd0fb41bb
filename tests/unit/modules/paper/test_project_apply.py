"""Opening a project on the same data restores its settings, steps and imputation settings
(said in the message); on other data nothing, the imputation included, is applied."""

from __future__ import annotations

import pandas as pd
import pytest

from analyses.specs import ImputationSpec, OutcomeSpec
from modules.paper.project import apply, save
from modules.shared.cleaning_steps import SAVED as STEPS_SAVED
from modules.shared.cleaning_steps import SAVED_IMPUTATION
from modules.shared.project_json import read_project
from modules.shared.session_record import SessionRecord
from utils.data_io import dataset_from_frame

SETTINGS = ImputationSpec(("age", "crp", "died"), ("died",), m=5, iterations=6, seed=41)


class FakeState:
    def __init__(self) -> None:
        self.kept: dict = {}

    def keep(self, name, value) -> None:
        self.kept[name] = value


@pytest.fixture
def data():
    df = pd.DataFrame(
        {"age": [50.0, 61, 70, 45], "crp": [3.0, None, 8, 1], "died": ["No", "Yes", "No", "No"]}
    )
    return dataset_from_frame(df, name="cohort.csv")


def record() -> SessionRecord:
    out = SessionRecord(FakeState())
    out.register("outcome", kind="outcome", last=lambda: None, view=lambda: None,
                 stale=lambda: "", settings=lambda: {})  # fmt: skip
    return out


def project(data, imputation):
    spec = OutcomeSpec("died", ("age", "crp"), imputation=imputation)
    text = save(data, (), {"outcome": {"imputed": imputation is not None}},
                [("outcome", "outcome", spec)], {"medstat": "test"},
                imputation=imputation)  # fmt: skip
    return read_project(text, max_bytes=2**20)


def test_the_same_data_restores_the_imputation_and_says_so(data):
    target = record()
    applied = apply(project(data, SETTINGS), data, target)
    assert applied.kind == "ok"
    assert "the multiple imputation (m = 5, 3 variables, seed 41)" in applied.lines[0]
    assert target.state.kept[SAVED_IMPUTATION] == SETTINGS
    assert target.state.kept["outcome.rerun"] is True  # its pooled result comes back


def test_a_project_without_imputation_clears_the_sessions_and_does_not_mention_it(data):
    target = record()
    applied = apply(project(data, None), data, target)
    assert applied.kind == "ok" and "imputation" not in applied.lines[0]
    assert target.state.kept[SAVED_IMPUTATION] is None


def test_other_data_applies_nothing_not_even_the_imputation(data):
    other = dataset_from_frame(data.df.assign(age=[1.0, 2, 3, 4]), name="cohort.csv")
    target = record()
    applied = apply(project(data, SETTINGS), other, target)
    assert applied.kind == "differs"
    assert SAVED_IMPUTATION not in target.state.kept and STEPS_SAVED not in target.state.kept
