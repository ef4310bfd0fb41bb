"""The proportional-hazards score test against an independent construction with statsmodels.

cox.zph's test for a term is the score test of adding term × g(t) to the fitted Cox model.
Here that model is built directly: the data are split at every event time (counting-process
form, PHReg with `entry`), the time-varying column x·g(t) is added, and statsmodels' own
score and Hessian at (beta-hat, 0) give the test. For age + sex on R's lung data the
published cox.zph values are checked in test_survival.py (age 0.209, sex 2.608, global
2.771); this file covers a factor term (3 df) and tied event times with Efron's method.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight

from analyses.specs import SurvivalSpec
from analyses.survival import analyze

DATA = Path(__file__).resolve().parents[2] / "data"


def lung_subset() -> pd.DataFrame:
    df = pd.read_csv(DATA / "lung.csv", na_values=".").dropna(subset=["ph.ecog"])
    df = df[df["ph.ecog"] < 3].head(120)  # ECOG 3 has one patient: keep the factor estimable
    return df.assign(event=(df["status"] == 2).astype(float), ecog=df["ph.ecog"].astype(int))


def km_transform(time: np.ndarray, event: np.ndarray, at: np.ndarray) -> np.ndarray:
    """1 - KM(t-) at the event times `at` (statsmodels' KM), centred over the events."""
    fit = SurvfuncRight(time, event)
    before = np.searchsorted(fit.surv_times, at, side="left") - 1
    left = np.where(before >= 0, fit.surv_prob[np.maximum(before, 0)], 1.0)
    g = 1 - left
    deaths = np.array([np.sum((time == u) & (event > 0)) for u in at])
    return g - np.sum(g * deaths) / deaths.sum()


def split_at_events(time, event, x, g_of):
    """Counting-process rows (entry, exit, status, x, x·g(exit)).

    PHReg counts a row at risk from its entry time inclusive, so each later piece enters just
    after the previous one ends (otherwise a patient would be counted twice at a cut).
    """
    cuts = np.unique(time[event > 0])
    rows = []
    for t_i, e_i, x_i in zip(time, event, x, strict=True):
        ends = [c for c in cuts if c < t_i] + [t_i]
        start = 0.0
        for end in ends:
            last = end == t_i
            g = g_of.get(end, 0.0)
            rows.append((start, end, e_i if last else 0.0, *x_i, *(x_i * g)))
            start = end + 1e-6
    return np.array(rows)


def score_test(data: np.ndarray, p: int, beta: np.ndarray, columns: list[int]) -> float:
    entry, exit_, status, z = data[:, 0], data[:, 1], data[:, 2], data[:, 3:]
    keep = list(range(p)) + [p + j for j in columns]
    model = PHReg(exit_, z[:, keep], status=status, entry=entry, ties="efron")
    at = np.concatenate([beta, np.zeros(len(columns))])
    u = model.score(at)
    info = -model.hessian(at)
    return float(u @ np.linalg.solve(info, u))


def test_factor_and_numeric_terms_match_the_counting_process_score_test():
    df = lung_subset()
    spec = SurvivalSpec(
        event="status",
        time="time",
        event_level="2",
        covariates=("age", "ecog"),
        categorical=("ecog",),
    )
    ph = analyze(df, spec).ph_test.set_index("variable")

    time, event = df["time"].to_numpy(float), df["event"].to_numpy()
    x = np.column_stack([df["age"], df["ecog"] == 1, df["ecog"] == 2]).astype(float)
    beta = PHReg(time, x, status=event, ties="efron").fit().params
    cuts = np.unique(time[event > 0])
    g = dict(zip(cuts, km_transform(time, event, cuts), strict=True))
    data = split_at_events(time, event, x, g)

    assert ph.loc["age", "chi2"] == pytest.approx(score_test(data, 3, beta, [0]), rel=1e-6)
    assert ph.loc["ecog", "df"] == 2
    assert ph.loc["ecog", "chi2"] == pytest.approx(score_test(data, 3, beta, [1, 2]), rel=1e-6)
    overall = ph[ph["is_global"]].iloc[0]
    assert overall["chi2"] == pytest.approx(score_test(data, 3, beta, [0, 1, 2]), rel=1e-6)
