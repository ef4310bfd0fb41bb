"""Calibration measures against R rms::val.prob, glm and pROC (tests/r/calibration.R).

Cases on public data (logistf::sex2 and survival::lung, in tests/data): apparent, split-sample,
deliberately miscalibrated. The C statistic is compared with pROC::auc, which is exact; val.prob's
own C is approximate (about 1e-4) and is not used. Numbers to 1e-3 relative (1e-6 absolute for
figures that are zero in theory, as the apparent intercept of a maximum-likelihood fit).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.proportion import proportion_confint

from analyses import calibration as cal
from analyses.delong import placements

R = Path(__file__).parents[2] / "r"
PREDICTIONS = pd.read_csv(R / "calibration_predictions.csv")
REFERENCE = pd.read_csv(R / "calibration.csv")
CASES = sorted(PREDICTIONS["case"].unique())


def case(name: str) -> tuple[np.ndarray, np.ndarray, dict[str, float]]:
    rows = PREDICTIONS[PREDICTIONS["case"] == name]
    ref = REFERENCE[REFERENCE["case"] == name]
    return (
        rows["y"].to_numpy(float),
        rows["p"].to_numpy(float),
        dict(zip(ref["measure"], ref["value"], strict=True)),
    )


def close(ours: float, theirs: float) -> bool:
    return ours == pytest.approx(theirs, rel=1e-3, abs=1e-6)


def test_the_reference_cases_are_all_there():
    assert CASES == ["lung_split", "sex2_apparent", "sex2_shrunk", "sex2_split"]


@pytest.mark.parametrize("name", CASES)
def test_brier_and_scaled_brier_equal_val_prob(name):
    y, p, ref = case(name)
    assert close(cal.brier(y, p), ref["brier"])
    assert close(cal.scaled_brier(y, p), ref["scaled_brier"])


@pytest.mark.parametrize("name", CASES)
def test_calibration_intercept_and_slope_equal_val_prob_and_glm(name):
    y, p, ref = case(name)
    intercept, slope, slope_se = cal.calibration_slope(y, p)
    assert close(intercept, ref["intercept"]) and close(slope, ref["slope"])
    assert close(slope_se, ref["slope_se"])
    citl, citl_se = cal.calibration_intercept(y, p)
    assert close(citl, ref["citl"]) and close(citl_se, ref["citl_se"])


@pytest.mark.parametrize("name", CASES)
def test_eavg_e90_emax_from_the_lowess_smoother_equal_val_prob(name):
    y, p, ref = case(name)
    eavg, e90, emax, _ = cal.calibration_errors(y, p)
    assert close(eavg, ref["eavg"]) and close(e90, ref["e90"]) and close(emax, ref["emax"])


@pytest.mark.parametrize("name", CASES)
def test_c_statistic_equals_proc_exact_auc(name):
    y, p, ref = case(name)
    assert close(placements(y > 0.5, p).auc, ref["c_exact"])


def test_a_miscalibrated_model_is_seen_as_one():
    y, p, _ = case("sex2_apparent")
    shrunk = 1 / (1 + np.exp(-(0.4 + 0.6 * cal.logit(p))))
    assert cal.calibration_slope(y, shrunk)[1] > 1.5  # predictions too modest
    assert cal.calibration_intercept(y, shrunk)[0] < -0.2  # predictions too high on average
    assert cal.calibration_errors(y, shrunk)[0] > 5 * cal.calibration_errors(y, p)[0]


def test_risk_groups_cover_every_patient_with_wilson_intervals():
    y, p, _ = case("lung_split")
    groups = cal.risk_groups(y, p)
    assert len(groups) == 10 and groups["n"].sum() == len(y)
    assert groups["events"].sum() == y.sum()
    assert np.all(np.diff(groups["predicted"]) > 0)  # tenths of risk, lowest first
    low, high = proportion_confint(groups["events"], groups["n"], alpha=0.05, method="wilson")
    np.testing.assert_allclose(groups["ci_low"], low, rtol=1e-9)
    np.testing.assert_allclose(groups["ci_high"], high, rtol=1e-9)


def test_few_distinct_predictions_give_fewer_groups_not_empty_ones():
    y = np.array([0, 1, 0, 1, 1, 0, 0, 1.0])
    p = np.array([0.2, 0.2, 0.2, 0.2, 0.7, 0.7, 0.7, 0.7])
    groups = cal.risk_groups(y, p)
    assert list(groups["n"]) == [4, 4] and list(groups["observed"]) == [0.5, 0.5]


def test_the_histogram_counts_each_prediction_once_by_outcome():
    y, p, _ = case("sex2_split")
    hist = cal.prediction_histogram(y, np.r_[p[:-2], 0.0, 1.0])
    assert hist["events"].sum() + hist["non_events"].sum() == len(y)
    assert hist["events"].sum() == y.sum()


def test_the_curve_spans_the_predictions():
    y, p, _ = case("lung_split")
    curve = cal.curve_table(y, p)
    assert curve["predicted"].iloc[0] == p.min() and curve["predicted"].iloc[-1] == p.max()
    assert curve["observed"].between(0, 1).all()
