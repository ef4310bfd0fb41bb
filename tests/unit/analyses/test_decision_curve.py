"""Net benefit (Vickers & Elkin 2006) against two sources: R computing the formula directly
(tests/r/calibration.R, on sex2 and lung) and a worked example by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.decision_curve import THRESHOLDS, net_benefit

R = Path(__file__).parents[2] / "r"


@pytest.mark.parametrize("name", ["sex2_apparent", "sex2_split", "sex2_shrunk", "lung_split"])
def test_net_benefit_equals_r(name):
    rows = pd.read_csv(R / "calibration_predictions.csv").query("case == @name")
    ref = pd.read_csv(R / "calibration_dca.csv").query("case == @name")
    ours = net_benefit(rows["y"].to_numpy(float), rows["p"].to_numpy(float))
    np.testing.assert_allclose(ours["threshold"], ref["threshold"])
    np.testing.assert_allclose(ours["model"], ref["model"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours["treat_all"], ref["treat_all"], rtol=1e-9, atol=1e-12)


def test_a_worked_example_by_hand():
    # Ten patients, five events. At 25%: seven treated (p >= 0.25), 5 true and 2 false
    # positives: 5/10 - 2/10 x 0.25/0.75 = 0.4333; treat-all 0.5 - 0.5 x 1/3 = 0.3333.
    # At 50%: five treated, 4 true and 1 false positive: 0.4 - 0.1 x 1 = 0.3; treat-all 0.
    p = np.array([0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    y = np.array([0, 0, 0, 1, 0, 1, 0, 1, 1, 1.0])
    nb = net_benefit(y, p, np.array([0.25, 0.5]))
    np.testing.assert_allclose(nb["model"], [0.5 - 0.2 / 3, 0.3])
    np.testing.assert_allclose(nb["treat_all"], [0.5 - 0.5 / 3, 0.0], atol=1e-15)
    assert list(nb["treated"]) == [7, 5] and list(nb["true_positives"]) == [5, 4]


def test_a_perfect_model_has_the_prevalence_as_net_benefit_at_every_threshold():
    y = np.array([0, 1, 1, 0, 0, 0, 1, 0.0])
    nb = net_benefit(y, y.copy())
    np.testing.assert_allclose(nb["model"], np.full(len(THRESHOLDS), y.mean()))


def test_one_risk_for_everyone_is_treat_all_below_it_and_treat_none_above():
    y = np.array([0, 1, 1, 0, 0, 0, 1, 0.0])
    nb = net_benefit(y, np.full(len(y), 0.3))
    below = nb["threshold"] <= 0.3
    np.testing.assert_allclose(nb.loc[below, "model"], nb.loc[below, "treat_all"])
    assert (nb.loc[~below, "model"] == 0).all()
