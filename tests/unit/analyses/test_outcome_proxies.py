"""find_proxies: the outcome recorded another way is found, real predictors are not."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analyses.outcome_proxies import find_proxies


@pytest.fixture
def cohort() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(11)
    n = 400
    age = rng.integers(30, 90, n)
    death = (rng.random(n) < 0.1 + 0.5 * (age > 65)).astype(int)
    df = pd.DataFrame(
        {
            "death": death,
            "died": np.where(death == 1, "yes", "no"),
            "death_text": pd.Categorical(np.where(death == 1, " dead", "alive")),
            "cause": np.where(death == 1, rng.choice(["cancer", "cardiac"], n), "none"),
            "death_date": np.where(death == 1, "2022-03-01", None),
            "n_complications": np.where(death == 1, rng.integers(1, 5, n), 0),
            "age": age,
            "old": (age > 65).astype(int),  # strongly linked, but both groups have both
            "sex": rng.choice(["F", "M"], n),
            "crp": rng.normal(10 + 5 * death, 4).round(1),
            "patient": [f"P{i}" for i in range(n)],  # every level pure, but one row each
        }
    )
    return df, death.astype(float)


def test_the_outcome_under_other_codings_is_found(cohort):
    df, y = cohort
    found = {p.column: p for p in find_proxies(df, y, df.columns.drop("death"))}
    assert set(found) == {"died", "death_text", "cause", "death_date", "n_complications"}
    assert found["death_text"].warning() == (
        "'death_text' looks like the outcome recorded another way: every patient with 'dead' "
        "had the event and every 'alive' did not. Leave it out: a model cannot use the outcome "
        "to predict itself."
    )
    assert found["cause"].reason == (
        "every patient with 'cancer' or 'cardiac' had the event and every 'none' did not"
    )
    assert "filled in for exactly the patients who had the event" in found["death_date"].reason
    assert found["n_complications"].reason.startswith("every patient with a value above 0")


def test_missing_outcome_rows_are_ignored(cohort):
    df, y = cohort
    y = y.copy()
    y[:20] = np.nan
    df = df.assign(died=df["died"].where(np.arange(len(df)) >= 20, "unknown"))
    assert "died" in {p.column for p in find_proxies(df, y, ["died"])}


def test_a_single_mismatch_is_not_a_proxy(cohort):
    df, y = cohort
    flipped = df["died"].copy()
    flipped.iloc[np.flatnonzero(y == 1)[0]] = "no"
    assert find_proxies(df.assign(died=flipped), y, ["died"]) == ()


def test_small_samples_and_rare_events_are_left_alone():
    y = np.array([1.0, 1, 1, 0, 0, 0, 0, 0, 0, 0])  # three events: any split can be chance
    df = pd.DataFrame({"marker": [9, 8, 7, 1, 2, 3, 1, 2, 3, 1], "flag": [1, 1, 1] + [0] * 7})
    assert find_proxies(df, y, ["marker", "flag"]) == ()
    # Twelve events but a marker separating them is a strong predictor, not proof: 10 per side.
    y2 = np.array([1.0] * 9 + [0.0] * 30)
    marker = np.r_[np.arange(50, 59), np.arange(0, 30)]
    assert find_proxies(pd.DataFrame({"marker": marker}), y2, ["marker"]) == ()


def test_sorted_files_and_large_data_use_the_full_column():
    # Sorted by outcome: the strided sample holds both classes; a proxy in the last rows only
    # breaks in the full column.
    n = 100_000
    y = np.r_[np.zeros(n - 5000), np.ones(5000)]
    df = pd.DataFrame({"copy": y.astype(int), "late_break": y.astype(int)})
    df.loc[n - 1, "late_break"] = 0
    assert [p.column for p in find_proxies(df, y, ["copy", "late_break"])] == ["copy"]
