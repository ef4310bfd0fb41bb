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


# Second source: the published decision curve of the DCA tutorial's example (Vickers et al.,
# decisioncurveanalysis.org; data `df_binary`, 750 simulated patients, 105 with cancer),
# family history of cancer as a yes/no "model", as R dcurves computes it: the file
# dcurves/test/resources/r_results/univ_canc_famhist/net_benefit.csv of MSKCC-Epi-Bio/dcurves
# (commit 2ee61a78). A yes/no predictor's curve depends only on its 2 x 2 table with the
# outcome: 115 patients with a family history, 24 of them with cancer (from the tutorial's
# treat-all curve, prevalence 14%, and the family-history curve at 1% and 2%).
PUBLISHED = {  # threshold: (treat all, family history)
    0.01: (0.13131313131313133, 0.030774410774410774),
    0.05: (0.09473684210526317, 0.025614035087719297),
    0.1: (0.04444444444444447, 0.018518518518518517),
    0.14: (0.0, 0.012248062015503876),
    0.2: (-0.07499999999999998, 0.001666666666666667),
    0.21: (-0.08860759493670886, -0.0002531645569620253),
    0.5: (-0.72, -0.08933333333333333),
    0.9: (-7.600000000000002, -1.0600000000000003),
    0.99: (-84.99999999999991, -11.97999999999999),
}


def test_the_published_family_history_curve_of_the_dca_tutorial():
    cancer = np.r_[np.ones(24), np.zeros(91), np.ones(81), np.zeros(554)]
    famhistory = np.r_[np.ones(115), np.zeros(635)]
    nb = net_benefit(cancer, famhistory, np.array(list(PUBLISHED)))
    expected = np.array(list(PUBLISHED.values()))
    np.testing.assert_allclose(nb["treat_all"], expected[:, 0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(nb["model"], expected[:, 1], rtol=1e-9, atol=1e-12)
