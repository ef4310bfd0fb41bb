"""Subgroups and interactions through the tabs' own analyses (outcome, regression, survival).

The numbers are R's (tests/r/interactions.R, see test_interactions.py): here the specs of
the three tabs must reach them, with the tab's covariates as the adjustment set, and the
tables must survive the shared cache's JSON codec.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses import outcome, regression, survival
from analyses.errors import AnalysisError
from analyses.specs import OutcomeSpec, RegressionSpec, SurvivalSpec

ROOT = Path(__file__).resolve().parents[2]
R = pd.read_csv(ROOT / "r" / "interactions.csv", keep_default_na=False)


def reference(name: str, what: str) -> dict[str, float]:
    rows = R[(R["scenario"] == name) & (R["what"] == what)]
    return {r.modifier_level: float(r.estimate) for r in rows.itertuples()}


def p_interaction(name: str) -> float:
    return float(R.loc[R["scenario"] == name, "interaction_p"].iloc[0])


def _levels(table: pd.DataFrame, column: str) -> dict[str, float]:
    return dict(zip(table[column], table["estimate"], strict=True))


def test_outcome_tab_subgroups_and_interaction_match_r():
    df = pd.read_csv(ROOT / "data" / "infert.csv")
    spec = OutcomeSpec(
        outcome="case",
        event="1",
        covariates=("spontaneous", "age", "parity"),
        screen_p=None,
        method="logit",
        subgroup_exposure="spontaneous",
        subgroups=("education",),
        interactions=(("spontaneous", "education"),),
    )
    result = outcome.analyze(df, spec)
    sub = result.subgroups[result.subgroups["subgroup"] == "education"]
    for level, value in reference("infert", "subgroup").items():
        assert _levels(sub, "subgroup_level")[level] == pytest.approx(value, rel=1e-3)
    inter = result.interactions
    for level, value in reference("infert", "interaction").items():
        assert _levels(inter, "modifier_level")[level] == pytest.approx(value, rel=1e-3)
    assert inter["interaction_p"].iloc[0] == pytest.approx(p_interaction("infert"), rel=1e-3)
    assert sub["interaction_p"].iloc[0] == pytest.approx(p_interaction("infert"), rel=1e-3)


def test_regression_tab_linear_interaction_matches_r():
    df = pd.read_csv(ROOT / "data" / "quine.csv")
    spec = RegressionSpec(
        outcome="Days",
        covariates=("Sex", "Eth", "Age", "Lrn"),
        screen_p=None,
        categorical=("Sex", "Eth", "Age", "Lrn"),
        interactions=(("Sex", "Eth"),),
    )
    inter = regression.analyze(df, spec).interactions
    for level, value in reference("quine", "interaction").items():
        assert _levels(inter, "modifier_level")[level] == pytest.approx(value, rel=1e-3)
    assert inter["interaction_p"].iloc[0] == pytest.approx(p_interaction("quine"), rel=1e-3)


def test_survival_tab_subgroups_match_r_and_survive_the_codec():
    from analyses.fit_records import SurvivalFit
    from analyses.results import SurvivalResult
    from utils import codec

    df = pd.read_csv(ROOT / "data" / "lung.csv", na_values=".")
    df = df.dropna(subset=["time", "status", "age", "sex", "ph.karno"])
    spec = SurvivalSpec(
        event="status",
        event_level="2",
        time="time",
        covariates=("age", "ph.karno"),
        subgroup_exposure="age",
        subgroups=("sex",),
        interactions=(("age", "sex"),),
    )
    result = survival.analyze(df, spec)
    sub = result.subgroups[result.subgroups["subgroup"] == "sex"]
    for level, value in reference("lung", "subgroup").items():
        assert _levels(sub, "subgroup_level")[level] == pytest.approx(value, rel=1e-3)
    assert list(sub["events"]) == [
        int(((df["sex"] == s) & (df["status"] == 2)).sum()) for s in (1, 2)
    ]
    back = codec.from_json(codec.to_json(result), [SurvivalResult, SurvivalFit])
    pd.testing.assert_frame_equal(back.subgroups, result.subgroups)
    pd.testing.assert_frame_equal(back.interactions, result.interactions)


def test_nothing_asked_nothing_fitted_and_numbers_are_refused_as_modifiers():
    df = pd.read_csv(ROOT / "data" / "quine.csv")
    spec = RegressionSpec(outcome="Days", covariates=("Sex",), categorical=("Sex",))
    plain = regression.analyze(df, spec)
    assert plain.subgroups.empty and plain.interactions.empty
    lung = pd.read_csv(ROOT / "data" / "lung.csv", na_values=".")
    spec = SurvivalSpec(
        event="status",
        event_level="2",
        time="time",
        covariates=("age", "wt.loss"),
        interactions=(("age", "wt.loss"),),
    )
    with pytest.raises(AnalysisError, match="'wt.loss' is a number"):
        survival.analyze(lung, spec)
    spec = SurvivalSpec(
        event="status",
        event_level="2",
        time="time",
        covariates=("age",),
        subgroup_exposure="age",
        subgroups=("age",),
    )
    with pytest.raises(AnalysisError, match="both the exposure and a subgroup"):
        survival.analyze(lung, spec)
    assert np.isfinite(p_interaction("lung"))
