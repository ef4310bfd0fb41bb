"""Analyses on imputed data through logic.run: progress per imputation, the imputations cached
on (fingerprint, settings) and shared by the tabs, a repeat instant, a cancel mid-way."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import logic
from analyses.specs import ImputationSpec, RegressionSpec


class Told(logic.CancelToken):
    """A token that keeps every progress text, and cancels itself on one if asked."""

    def __init__(self, cancel_at: str | None = None) -> None:
        self.texts: list[str] = []
        self.cancel_at = cancel_at
        super().__init__()  # which sets progress to ""

    @property
    def progress(self) -> str:
        return self.texts[-1] if self.texts else ""

    @progress.setter
    def progress(self, text: str) -> None:
        if text:
            self.texts.append(text)
        if text == self.cancel_at:
            self.cancel()


def _data(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 200
    age = rng.normal(60, 10, n).round()
    frame = pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["F", "M"], n),
            "sbp": (120 + 0.5 * age + rng.normal(0, 10, n)).round(),
            "died": (rng.uniform(size=n) < 1 / (1 + np.exp(-(age - 60) / 10))).astype(int),
        }
    )
    for column in ("age", "sex"):
        frame.loc[rng.uniform(size=n) < 0.2, column] = np.nan
    return frame


IMPUTE = ImputationSpec(("age", "sex", "sbp", "died"), categorical=("died",), m=5, iterations=4)


def test_progress_cache_and_sharing_between_tabs():
    dataset = logic.as_dataset(_data(11))
    spec = logic.outcome_spec(dataset, "died", ["age", "sex"])
    spec = dataclasses.replace(spec, imputation=IMPUTE)
    token = Told()
    result = logic.run("outcome", dataset, spec, cancel=token)
    assert result.pooled.fit.m == 5 and result.pooled.fit.family == "logistic"
    assert [t for t in token.texts if t.startswith("Imputation")] == [
        f"Imputation {i} of 5" for i in range(1, 6)
    ]
    assert "Pooled fit 5 of 5" in token.texts
    assert logic.cached("outcome", dataset, spec) is result  # a repeat is instant
    assert logic.cached("imputation", dataset, IMPUTE) is not None
    # Another tab on the same data and settings reuses the imputations: no chain runs again.
    again = Told()
    regression = RegressionSpec("sbp", ("age", "sex"), categorical=("sex",), imputation=IMPUTE)
    pooled = logic.run("regression", dataset, regression, cancel=again).pooled
    assert pooled.fit.family == "linear" and pooled.fit.n == 200
    assert not any(t.startswith("Imputation") for t in again.texts)
    # Without the option the result is the complete cases' alone, as before.
    plain = logic.run("outcome", dataset, dataclasses.replace(spec, imputation=None))
    assert plain.pooled is None


def test_cancel_between_imputations_keeps_nothing():
    dataset = logic.as_dataset(_data(12))
    spec = dataclasses.replace(
        logic.outcome_spec(dataset, "died", ["age", "sex"]), imputation=IMPUTE
    )
    token = Told(cancel_at="Imputation 3 of 5")
    with pytest.raises(logic.Cancelled):
        logic.run("outcome", dataset, spec, cancel=token)
    assert token.texts[-1] == "Imputation 3 of 5"
    assert logic.cached("imputation", dataset, IMPUTE) is None
    assert logic.cached("outcome", dataset, spec) is None


def test_result_with_pooled_model_round_trips_the_codec():
    from utils import codec

    dataset = logic.as_dataset(_data(13))
    spec = dataclasses.replace(
        logic.outcome_spec(dataset, "died", ["age", "sex"]), imputation=IMPUTE
    )
    result = logic.run("outcome", dataset, spec)
    back = codec.from_json(codec.to_json(result), logic.RESULT_TYPES)
    pd.testing.assert_frame_equal(back.pooled.estimates, result.pooled.estimates)
    imputed = logic.run("imputation", dataset, IMPUTE)
    back = codec.from_json(codec.to_json(imputed), logic.RESULT_TYPES)
    pd.testing.assert_frame_equal(back.imputed, imputed.imputed)
    assert back.info == imputed.info


def test_cox_model_pools_over_the_imputations():
    from analyses.specs import SurvivalSpec

    frame = _data(14)
    rng = np.random.default_rng(14)
    frame["months"] = rng.exponential(24, len(frame)).round(1)
    settings = ImputationSpec(("age", "sex", "died", "months"), categorical=("died",), m=4)
    spec = SurvivalSpec(
        "died", time="months", covariates=("age", "sex"), categorical=("sex",), imputation=settings
    )
    result = logic.run("survival", logic.as_dataset(frame), spec)
    pooled = result.pooled
    assert pooled.fit.family == "cox" and pooled.fit.m == 4
    assert pooled.fit.n == len(frame) and pooled.fit.n_complete < len(frame)
    rows = pooled.estimates[~pooled.estimates.is_reference]
    assert list(rows.variable) == ["age", "sex"]
    assert ((rows.fmi > 0) & (rows.fmi < 1)).all()
