"""Fixtures for the infrastructure tests: a real redis-server on a free loopback port, and a
hand-built OutcomeResult."""

import math

import numpy as np
import pandas as pd
import pytest

from analyses.fit_records import OutcomeFit
from analyses.results import MULTIVARIABLE_COLUMNS, OutcomeResult
from tests.redis_server import RedisServer


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outcome_result() -> OutcomeResult:
    """An OutcomeResult built by hand with every awkward value the real ones hold."""
    univariable = pd.DataFrame(
        {
            "variable": ["age", "stage", "stage", "stage"],
            "level": ["", "I", "II", "III"],
            "is_reference": [False, True, False, False],
            "n": [120, 40, 50, 30],
            "events": [30, 5, 12, 13],
            "summary_no_event": ["61.2 (9.8)", "35 (38.9%)", "38 (42.2%)", "17 (18.9%)"],
            "summary_event": ["66.0 (8.1)", "5 (16.7%)", "12 (40.0%)", "13 (43.3%)"],
            "estimate": [1.05, 1.0, 2.2, math.inf],
            "ci_low": [1.01, math.nan, 0.7, 3.1],
            "ci_high": [1.09, math.nan, 6.9, math.inf],
            "p_value": [0.012, math.nan, 0.18, 1e-300],
            "global_p": [0.012, 0.004, 0.004, 0.004],
            "method": ["logit", "firth", "firth", "firth"],
        }
    )
    multivariable = univariable[list(MULTIVARIABLE_COLUMNS)].iloc[[0, 2, 3]]
    multivariable = multivariable.assign(level=["", "II", np.nan])  # a missing string
    vif = pd.DataFrame({"variable": ["age", "stage"], "vif": [1.2, 1.2]})
    warnings = ("Few events per variable.", "Separation in 'stage'.")
    return OutcomeResult(univariable, multivariable, outcome_fit(), warnings, vif)


def outcome_fit() -> OutcomeFit:
    """A fit record with NaN, -inf, None, an empty tuple and numpy scalars in it."""
    return OutcomeFit(
        method="logit",
        event="1",
        n_total=120,
        n_used=118,
        n_excluded=2,
        n_outcome_missing=0,
        events=30,
        non_events=88,
        n_parameters=np.int64(7),
        events_per_variable=np.float64(0.5),
        log_likelihood=-60.5,
        aic=-math.inf,
        mcfadden_r2=0.12,
        nagelkerke_r2=0.2,
        auc=0.74,
        auc_ci_low=0.65,
        auc_ci_high=0.83,
        hosmer_lemeshow_chi2=math.nan,
        hosmer_lemeshow_df=0,
        hosmer_lemeshow_p=math.nan,
        screen_p=None,
        covariates_in_model=("age", "stage"),
        solver="newton",
        separation=False,
        fallbacks=(),
    )
