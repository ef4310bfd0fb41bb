"""Cooperative cancellation: the token, checkpoints, and that every long fitter reaches them."""

import threading

import numpy as np
import pandas as pd
import pytest

from analyses import agreement, correlation, diagnostic, outcome, regression, survival, table1
from analyses.cancellation import Cancelled, CancelToken, cancellable, checkpoint, current_token
from analyses.firth import fit_firth, penalized_lr_p
from analyses.fit_records import FIT_RECORDS
from analyses.specs import (
    AgreementSpec,
    CorrelationSpec,
    DiagnosticSpec,
    OutcomeSpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from analyses.survival_cox import fit_cox


class CountingToken(CancelToken):
    """Counts the checkpoints reached and cancels itself at the `cancel_at`-th one."""

    def __init__(self, cancel_at: float = float("inf")) -> None:
        super().__init__()
        self.cancel_at = cancel_at
        self.checks = 0

    def check(self) -> None:
        self.checks += 1
        if self.checks >= self.cancel_at:
            self.cancel()
        super().check()


# The token and checkpoint


def test_checkpoint_is_a_no_op_without_a_token():
    assert current_token() is None
    checkpoint()
    checkpoint(np.zeros(3))  # as an optimiser's callback, with the parameters


def test_checkpoint_raises_once_the_token_is_set():
    token = CancelToken()
    with cancellable(token):
        checkpoint()
        token.cancel()
        with pytest.raises(Cancelled):
            checkpoint()
    checkpoint()  # outside the block the token no longer applies


def test_a_token_set_before_the_work_starts_stops_it_at_once():
    token = CancelToken()
    token.cancel()
    ran = []
    with pytest.raises(Cancelled), cancellable(token):
        ran.append(1)
    assert ran == []


def test_no_token_keeps_the_outer_one_and_blocks_restore_it():
    outer, inner = CancelToken(), CancelToken()
    with cancellable(outer):
        with cancellable(None):
            assert current_token() is outer
        with cancellable(inner):
            assert current_token() is inner
        assert current_token() is outer
    assert current_token() is None


def test_cancelled_passes_through_except_exception():
    """The analyses and libraries have `except Exception` fallbacks; none may swallow it."""
    assert not issubclass(Cancelled, Exception)
    with pytest.raises(Cancelled):
        try:
            raise Cancelled()
        except Exception:  # noqa: BLE001 - the point of the test
            pytest.fail("caught by except Exception")


def test_a_token_applies_only_to_the_thread_that_runs_under_it():
    token = CancelToken()
    seen = []

    def other_thread():
        checkpoint()  # no token here: the other thread's cancellation is not this one's
        seen.append(current_token())

    with pytest.raises(Cancelled), cancellable(token):
        token.cancel()
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        checkpoint()
    assert seen == [None]


def test_wait_returns_when_cancelled_from_another_thread():
    token = CancelToken()
    threading.Timer(0.05, token.cancel).start()
    assert token.wait(5.0)
    assert token.cancelled


# Every fitter reaches checkpoints


def separated(n: int = 400, seed: int = 3):
    """A design with a column that quasi-separates the outcome, and noise columns."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3))
    y = (rng.random(n) < 1 / (1 + np.exp(-(x[:, 0] - 0.5)))).astype(float)
    marker = ((y == 1) & (rng.random(n) < 0.2)).astype(float)
    return np.column_stack([np.ones(n), x, marker]), y


def test_firth_checks_the_token_in_the_fit_the_lrts_and_the_profile_cis():
    X, y = separated()
    counting = CountingToken()
    with cancellable(counting):
        fit = fit_firth(X, y, inference=True)
    wald_only = CountingToken()
    with cancellable(wald_only):
        fit_firth(X, y, inference=False)
    # One check per likelihood evaluation: the LRTs and profile CIs add many to the fit's.
    assert wald_only.checks >= 3
    assert counting.checks > 5 * wald_only.checks
    for cancel_at in (1, wald_only.checks + 1, counting.checks - 1):
        with pytest.raises(Cancelled), cancellable(CountingToken(cancel_at)):
            fit_firth(X, y, inference=True)
    with pytest.raises(Cancelled), cancellable(CountingToken(2)):
        penalized_lr_p(fit, X, y, [1, 2])


def test_cox_fitters_check_the_token_every_step():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(300, 2))
    time = rng.exponential(np.exp(-x[:, 0]))
    event = (rng.random(300) < 0.8).astype(float)
    for max_work in (10**9, 0):  # statsmodels' PHReg, then the vectorised Efron fitter
        counting = CountingToken()
        with cancellable(counting):
            fit_cox(time, event, x, max_work=max_work)
        assert counting.checks >= 3
        with pytest.raises(Cancelled), cancellable(CountingToken(counting.checks)):
            fit_cox(time, event, x, max_work=max_work)


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(17)
    n = 400
    age = rng.normal(60, 10, n).round(0)
    stage = rng.choice(["I", "II", "III"], n)
    marker = rng.normal(0, 1, n)
    risk = 1 / (1 + np.exp(-(-6 + 0.08 * age + 0.8 * (stage == "III") + marker)))
    died = rng.random(n) < risk
    return pd.DataFrame(
        {
            "age": age,
            "stage": stage,
            "marker": marker,
            "score": marker + rng.normal(0, 1, n),
            "visits": rng.poisson(np.exp(0.5 + 0.3 * marker) * rng.gamma(2, 0.5, n)),
            "months": rng.exponential(20 * np.exp(-marker), n).round(1) + 0.1,
            "died": np.where(died, "yes", "no"),
            "rare": rng.choice(["a", "b", "c", "d"], n, p=[0.49, 0.49, 0.01, 0.01]),
        }
    )


ANALYSES = {
    "outcome firth": (
        outcome.analyze,
        OutcomeSpec("died", ("age", "stage", "marker"), categorical=("stage",), method="firth"),
    ),
    "outcome auto": (
        outcome.analyze,
        OutcomeSpec("died", ("age", "stage", "marker"), categorical=("stage",)),
    ),
    "regression negbin": (
        regression.analyze,
        RegressionSpec(
            "visits", ("age", "stage", "marker"), categorical=("stage",), model="negbin"
        ),
    ),
    "survival": (
        survival.analyze,
        SurvivalSpec("died", time="months", event_level="yes", group="stage", covariates=("age",)),
    ),
    "table1": (
        table1.analyze,
        Table1Spec(("age", "rare", "marker"), group="stage", categorical=("rare",)),
    ),
    "diagnostic": (diagnostic.analyze, DiagnosticSpec("died", markers=("marker", "score", "age"))),
    "correlation": (
        correlation.analyze,
        CorrelationSpec(("age", "marker", "score", "visits"), method="spearman"),
    ),
    "agreement": (agreement.analyze, AgreementSpec(raters=("marker", "score", "age"))),
    "agreement kappa": (
        agreement.analyze,
        AgreementSpec(raters=("died", "rare"), scale="nominal"),
    ),
}


def assert_same(a, b):
    """Two results hold the same tables and numbers."""
    assert type(a) is type(b)
    for name in a.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if isinstance(x, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        elif isinstance(x, FIT_RECORDS):
            for key in x.__dataclass_fields__:
                u, v = getattr(x, key), getattr(y, key)
                same = u == v or (pd.isna(u) and pd.isna(v))
                assert same, (name, key)
        else:
            assert x == y, name


@pytest.mark.parametrize("name", list(ANALYSES))
def test_a_token_never_set_changes_no_result_and_a_set_one_stops_the_analysis(cohort, name):
    analyze, spec = ANALYSES[name]
    plain = analyze(cohort, spec)
    counting = CountingToken()
    with cancellable(counting):
        watched = analyze(cohort, spec)
    assert_same(plain, watched)
    assert counting.checks >= 2, "the analysis never checks for cancellation"
    # Cancelled at its last checkpoint, the analysis raises instead of returning a result.
    with pytest.raises(Cancelled), cancellable(CountingToken(counting.checks)):
        analyze(cohort, spec)


def test_steps_say_where_the_work_is_and_stop_when_cancelled():
    from analyses.cancellation import progress, steps

    token = CancelToken()
    seen = []
    with cancellable(token):
        for item in steps(["a", "b", "c"], "Crude model"):
            seen.append((item, token.progress))
            if item == "b":
                token.cancel()
                with pytest.raises(Cancelled):
                    progress("Multivariable model")
                break
    assert seen[:2] == [("a", "Crude model 1 of 3"), ("b", "Crude model 2 of 3")]
    progress("no token: nothing to say")  # without a token it does nothing
