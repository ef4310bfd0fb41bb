"""logic.analyze_outcome as the UI calls it: Dataset or DataFrame in, OutcomeResult out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import logic
from analyses.specs import OutcomeSpec
from utils import data_io


@pytest.fixture
def trial() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 400
    age = rng.normal(60, 10, n)
    sex = rng.choice(["Female", "Male"], n)
    stage = rng.choice(["I", "II", "III"], n, p=[0.4, 0.35, 0.25])
    lin = (
        -6
        + 0.08 * age
        + 0.5 * (sex == "Male")
        + np.select([stage == "II", stage == "III"], [0.6, 1.2], 0)
    )
    died = rng.random(n) < 1 / (1 + np.exp(-lin))
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in range(n)],
            "age": age.round(1),
            "sex": sex,
            "stage": stage,
            "died": np.where(died, "Yes", "No"),
        }
    )


def test_dataframe_gives_statsmodels_adjusted_odds_ratios(trial):
    result = logic.analyze_outcome(trial, "died", screen_p=None, reference={"stage": "II"})

    # Reference: statsmodels Logit fitted directly on the same rows, stage II as reference.
    X = pd.DataFrame(
        {
            "age": trial["age"],
            "sex_Male": (trial["sex"] == "Male").astype(float),
            "stage_I": (trial["stage"] == "I").astype(float),
            "stage_III": (trial["stage"] == "III").astype(float),
        }
    )
    fit = sm.Logit((trial["died"] == "Yes").astype(float), sm.add_constant(X)).fit(disp=0)
    ci = fit.conf_int()
    multi = result.multivariable.set_index(["variable", "level"])
    for (variable, level), column in {
        ("age", ""): "age",
        ("sex", "Male"): "sex_Male",
        ("stage", "I"): "stage_I",
        ("stage", "III"): "stage_III",
    }.items():
        row = multi.loc[(variable, level)]
        assert row["estimate"] == pytest.approx(np.exp(fit.params[column]), rel=1e-5)
        assert row["ci_low"] == pytest.approx(np.exp(ci.loc[column, 0]), rel=1e-5)
        assert row["ci_high"] == pytest.approx(np.exp(ci.loc[column, 1]), rel=1e-5)
        assert row["p_value"] == pytest.approx(fit.pvalues[column], rel=1e-4)
    assert bool(multi.loc[("stage", "II"), "is_reference"])
    assert result.fit.event == "Yes"
    assert result.fit.n_used == len(trial)


def test_ids_are_not_default_covariates_and_repeats_agree(trial):
    dataset = data_io.dataset_from_frame(trial, name="trial")
    assert dataset.meta("patient_id").kind == "id"
    first = logic.analyze_outcome(dataset, "died")
    again = logic.analyze_outcome(dataset, "died")
    assert "patient_id" not in set(first.univariable["variable"])
    pd.testing.assert_frame_equal(first.univariable, again.univariable)
    pd.testing.assert_frame_equal(first.multivariable, again.multivariable)


def test_bad_requests_say_what_to_change(trial):
    with pytest.raises(logic.AnalysisError, match="no column named 'death'"):
        logic.analyze_outcome(trial, "death")
    with pytest.raises(logic.AnalysisError, match="cannot be covariates"):
        logic.analyze_outcome(trial, "died", ["patient_id"])
    constant = trial.assign(died="No")
    with pytest.raises(logic.AnalysisError):
        logic.analyze_outcome(constant, "died", ["age"])


def test_solver_fallbacks_of_a_computed_fit_are_counted_and_a_cache_hit_adds_none():
    frame = pd.read_csv(Path(__file__).parents[1] / "data" / "endometrial.csv", comment="#")
    endometrial = data_io.dataset_from_frame(frame, name="endometrial")
    spec = OutcomeSpec(outcome="HG", covariates=("NV", "PI", "EH"), screen_p=None)
    logic.cache.clear()
    before = logic.retrier.fallback_counts()
    result = logic.run("outcome", endometrial, spec)
    steps = result.fit.fallbacks
    assert steps and steps[-1].endswith("->firth")  # NV separates: the fit fell back to Firth
    after = logic.retrier.fallback_counts()
    assert {s: after[s] - before.get(s, 0) for s in steps} == {s: steps.count(s) for s in steps}
    logic.run("outcome", endometrial, spec)
    assert logic.retrier.fallback_counts() == after
    assert logic.solver_fallbacks(object()) == ()  # results without a model fit have none
