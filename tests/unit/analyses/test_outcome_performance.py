"""Calibration, decision curve and bootstrap validation as options of the outcome analysis."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses import calibration as cal
from analyses.bootstrap_validation import optimism_bootstrap
from analyses.errors import AnalysisError
from analyses.logistic import fit_logit
from analyses.outcome import analyze
from analyses.specs import OutcomeSpec

SEX2 = pd.read_csv(Path(__file__).parents[2] / "data" / "sex2.csv", comment="#")
SPEC = OutcomeSpec("case", ("age", "oc", "vic", "vicl", "vis", "dia"), screen_p=None)
REFERENCE = pd.read_csv(Path(__file__).parents[2] / "r" / "calibration.csv")


def test_a_plain_analysis_computes_no_performance():
    assert analyze(SEX2, SPEC).performance is None


def test_the_model_s_own_calibration_equals_val_prob_on_the_same_fit():
    # tests/r/calibration.R's sex2_apparent is glm(case ~ age + oc + vic + vicl + vis + dia).
    result = analyze(SEX2, replace(SPEC, method="logit", calibration=True))
    ref = REFERENCE.query("case == 'sex2_apparent'").set_index("measure")["value"]
    fit = result.performance.fit
    assert fit.brier == pytest.approx(ref["brier"], rel=1e-6)
    assert fit.emax == pytest.approx(ref["emax"], rel=1e-3)
    assert fit.eavg == pytest.approx(ref["eavg"], rel=1e-3)
    assert fit.slope == pytest.approx(1.0, abs=1e-6)  # ML is calibrated on its own data
    assert fit.calibration_in_the_large == pytest.approx(0.0, abs=1e-6)
    assert fit.c_statistic == pytest.approx(result.fit.auc, rel=1e-12)
    assert fit.n == result.fit.n_used and fit.bootstrap_samples == 0
    assert result.performance.validation.empty
    assert len(result.performance.decision) == 99


def test_bootstrap_adds_a_validation_with_the_seed():
    result = analyze(SEX2, replace(SPEC, calibration=True, bootstrap=30, seed=5))
    validation = result.performance.validation.set_index("measure")
    assert result.performance.fit.seed == 5 and result.performance.fit.bootstrap_used == 30
    assert validation.loc["c_statistic", "apparent"] == pytest.approx(result.fit.auc)
    assert validation.loc["c_statistic", "corrected"] < result.fit.auc
    again = analyze(SEX2, replace(SPEC, calibration=True, bootstrap=30, seed=5))
    assert again.performance.validation.equals(result.performance.validation)


def test_bootstrap_repeats_the_screening_so_noise_that_passed_it_is_corrected_away():
    # Ten covariates of pure noise: screening at p < 0.2 keeps the luckiest, whose apparent C
    # flatters it. Refitting only the chosen design hides that; repeating the screening in each
    # sample (Harrell) brings the corrected C back near 0.5.
    rng = np.random.default_rng(0)
    names = tuple(f"x{i}" for i in range(10))
    df = pd.DataFrame(rng.normal(size=(200, 10)), columns=list(names))
    df["y"] = (rng.random(200) < 0.4).astype(int)
    spec = OutcomeSpec("y", names, screen_p=0.2, calibration=True, bootstrap=100, seed=1)
    result = analyze(df, spec)
    fit = result.performance.fit
    assert fit.bootstrap_screening and 0 < len(result.fit.covariates_in_model) < 10
    honest = result.performance.validation.set_index("measure").loc["c_statistic"]
    chosen = list(result.fit.covariates_in_model)
    X = np.column_stack([np.ones(200), df[chosen].to_numpy()])
    y = df["y"].to_numpy(float)
    fixed = optimism_bootstrap(X, y, fit_logit(X, y).params, "logit", 100, seed=1)
    fixed_c = fixed.table.set_index("measure").loc["c_statistic", "corrected"]
    assert honest["apparent"] > 0.55
    assert honest["corrected"] == pytest.approx(0.5, abs=0.05)
    assert honest["corrected"] < fixed_c - 0.03
    unscreened = analyze(df, replace(spec, screen_p=None)).performance.fit
    assert not unscreened.bootstrap_screening


def test_a_model_that_gives_everyone_the_same_risk_is_refused_with_a_sentence():
    df = pd.DataFrame({"y": ["yes", "no"] * 20, "x": ["a"] * 20 + ["b"] * 20})
    spec = OutcomeSpec("y", ("x",), categorical=("x",), screen_p=None, event="yes")
    assert analyze(df, spec).performance is None  # without calibration the model stands
    with pytest.raises(AnalysisError, match="same predicted risk"):
        analyze(df, replace(spec, calibration=True))


def test_bootstrap_with_too_few_events_is_refused():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"y": np.r_[np.ones(8), np.zeros(92)], "x": rng.normal(size=100)})
    spec = OutcomeSpec("y", ("x",), screen_p=None, calibration=True, bootstrap=50)
    with pytest.raises(AnalysisError, match="Untick 'Internal validation by bootstrap'"):
        analyze(df, spec)


def test_the_calibration_groups_hold_the_model_s_patients():
    result = analyze(SEX2, replace(SPEC, calibration=True))
    groups = result.performance.groups
    assert groups["n"].sum() == result.fit.n_used
    assert groups["events"].sum() == result.fit.events
    assert (groups["ci_low"] <= groups["observed"]).all()
    assert (groups["observed"] <= groups["ci_high"]).all()
    hist = result.performance.histogram
    assert hist["events"].sum() + hist["non_events"].sum() == result.fit.n_used
    assert tuple(hist.columns) == cal.HISTOGRAM_COLUMNS
