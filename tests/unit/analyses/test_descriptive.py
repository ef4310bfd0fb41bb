"""Per-outcome-group summaries: counts, column percentages, mean (SD), median [IQR]."""

import numpy as np
import pandas as pd

from analyses.descriptive import factor_summaries, numeric_summary


def test_factor_summaries_are_column_percentages_within_outcome_group():
    codes = np.array([0, 0, 1, 1, 1, 2])
    y = np.array([0, 1, 0, 0, 1, 1.0])
    n, events, no_event, event = factor_summaries(codes, y, 3)
    assert list(n) == [2, 3, 1] and list(events) == [1, 1, 1]
    assert no_event == ["1 (33.3)", "2 (66.7)", "0 (0.0)"]
    assert event == ["1 (33.3)", "1 (33.3)", "1 (33.3)"]


def test_mean_sd_and_median_iqr_match_pandas():
    rng = np.random.default_rng(0)
    x = rng.normal(60, 10, 200)
    y = (rng.random(200) < 0.4).astype(float)
    s0, s1 = numeric_summary(x, y, "mean")
    frame = pd.DataFrame({"x": x, "y": y}).groupby("y").x
    assert s0 == f"{frame.mean()[0.0]:.1f} ({frame.std()[0.0]:.1f})"
    assert s1 == f"{frame.mean()[1.0]:.1f} ({frame.std()[1.0]:.1f})"
    m0, _ = numeric_summary(x, y, "median")
    q = frame.quantile([0.25, 0.5, 0.75])[0.0]
    assert m0 == f"{q[0.5]:.1f} [{q[0.25]:.1f}–{q[0.75]:.1f}]"


def test_small_scales_get_more_decimals():
    s0, _ = numeric_summary(np.array([0.30, 0.50, 0.44, 0.9]), np.array([0, 0, 1, 1.0]), "mean")
    assert s0 == "0.40 (0.14)"
