"""Harrell's bootstrap optimism correction. The bootstrap is random, so R's rms::validate numbers
cannot be matched draw for draw; these tests assert what must hold for any seed: optimism is
positive for an overfitted model, a model of pure noise is corrected to C near 0.5, the same
seed gives the same figures, the work reports progress and stops when cancelled."""

from __future__ import annotations

import numpy as np
import pytest

from analyses.bootstrap_validation import MEASURES, optimism_bootstrap
from analyses.cancellation import Cancelled, CancelToken, cancellable
from analyses.errors import AnalysisError
from analyses.firth import fit_firth
from analyses.logistic import fit_logit


def noise_model(seed: int, n: int = 200, noise: int = 8):
    """An intercept and `noise` covariates unrelated to an outcome with 40% events."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, noise))])
    y = (rng.random(n) < 0.4).astype(float)
    return X, y, fit_logit(X, y).params


def table(validation):
    return validation.table.set_index("measure")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_model_of_pure_noise_is_corrected_to_a_c_near_one_half(seed):
    X, y, params = noise_model(seed)
    got = table(optimism_bootstrap(X, y, params, "logit", 100, seed=7))
    assert got.loc["c_statistic", "apparent"] > 0.55  # the fit flatters itself
    assert got.loc["c_statistic", "corrected"] == pytest.approx(0.5, abs=0.05)
    assert got.loc["c_statistic", "optimism"] > 0
    assert got.loc["slope", "corrected"] < 0.7  # strong shrinkage needed
    assert got.loc["brier", "corrected"] > got.loc["brier", "apparent"]


def test_an_overfitted_model_with_a_real_effect_has_positive_optimism():
    rng = np.random.default_rng(4)
    n = 120
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 10))])
    y = (rng.random(n) < 1 / (1 + np.exp(-(X[:, 1] - 0.5)))).astype(float)
    params = fit_logit(X, y).params
    got = table(optimism_bootstrap(X, y, params, "logit", 100, seed=1))
    assert got.loc["c_statistic", "optimism"] > 0 and got.loc["slope", "optimism"] > 0
    assert 0.5 < got.loc["c_statistic", "corrected"] < got.loc["c_statistic", "apparent"]


def test_the_same_seed_gives_the_same_figures_and_another_seed_others():
    X, y, params = noise_model(3)
    first = optimism_bootstrap(X, y, params, "logit", 30, seed=11)
    again = optimism_bootstrap(X, y, params, "logit", 30, seed=11)
    other = optimism_bootstrap(X, y, params, "logit", 30, seed=12)
    assert first.table.equals(again.table)
    assert not np.allclose(first.table["corrected"], other.table["corrected"])
    assert list(first.table["measure"]) == list(MEASURES) and first.used == 30


def test_a_firth_model_is_refitted_by_firth():
    X, y, _ = noise_model(5, n=80, noise=3)
    params = fit_firth(X, y, inference=False).params
    got = optimism_bootstrap(X, y, params, "firth", 20, seed=1)
    assert got.used == 20
    # Firth's apparent slope is not exactly 1 (the estimates are shrunk), unlike ML's.
    assert table(got).loc["slope", "apparent"] > 1


class CountingToken(CancelToken):
    """Records the progress texts and cancels at the `at`-th bootstrap sample."""

    def __init__(self, at: int) -> None:
        super().__init__()
        self.at, self.seen = at, []

    def check(self) -> None:
        if self.progress and (not self.seen or self.seen[-1] != self.progress):
            self.seen.append(self.progress)
            if self.progress == f"Bootstrap {self.at} of 50":
                self.cancel()
        super().check()


def test_progress_says_which_sample_and_a_cancel_stops_the_loop():
    X, y, params = noise_model(6)
    token = CountingToken(at=5)
    with pytest.raises(Cancelled), cancellable(token):
        optimism_bootstrap(X, y, params, "logit", 50, seed=1)
    assert token.seen[:2] == ["Bootstrap 1 of 50", "Bootstrap 2 of 50"]
    assert token.seen[-1] == "Bootstrap 5 of 50"  # stopped within the sample it was in


def test_too_few_events_are_refused_with_what_to_do():
    X, y, params = noise_model(8, n=100, noise=2)
    y = np.zeros(100)
    y[:9] = 1
    with pytest.raises(AnalysisError, match="at least 10 events.*there are 9 events"):
        optimism_bootstrap(X, y, params, "logit", 20, seed=1)


def test_the_quick_c_statistic_equals_delong_s_with_ties():
    from analyses.bootstrap_validation import c_statistic
    from analyses.delong import placements

    rng = np.random.default_rng(9)
    y = (rng.random(300) < 0.3).astype(float)
    p = np.round(rng.random(300) * 0.5 + 0.3 * y, 2)  # many ties
    assert c_statistic(y, p) == pytest.approx(placements(y > 0.5, p).auc, rel=1e-12)
