"""Fixtures for the infrastructure tests: a real redis-server on a free loopback port, and a
hand-built OutcomeResult."""

import math

import numpy as np
import pandas as pd
import pytest

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
    model = {
        "method": "logit",
        "event": "1",
        "n_total": 120,
        "n_used": 118,
        "auc": 0.74,
        "hosmer_lemeshow_p": math.nan,
        "aic": -math.inf,
        "screen_p": None,
        "covariates_in_model": ("age", "stage"),
        "fallbacks": (),
        "separation": False,
        "np_float": np.float64(0.5),
        "np_int": np.int64(7),
    }
    vif = pd.DataFrame({"variable": ["age", "stage"], "vif": [1.2, 1.2]})
    warnings = ("Few events per variable.", "Separation in 'stage'.")
    return OutcomeResult(univariable, multivariable, model, warnings, vif)
