"""Every analysis result, with its fit record, round-trips through the shared-tier codec under
logic's allow-list, and each record's values have the types its fields declare."""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logic
from analyses import (
    agreement,
    correlation,
    diagnostic,
    imputation,
    mi_models,
    outcome,
    propensity,
    regression,
    survival,
    table1,
)
from analyses.fit_records import FIT_RECORDS
from analyses.specs import (
    AgreementSpec,
    CorrelationSpec,
    DiagnosticSpec,
    ImputationSpec,
    OutcomeSpec,
    PropensitySpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from utils import codec

DATA = Path(__file__).parents[1] / "data"


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name, comment="#")


def _linear() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=80)
    group = rng.choice(["a", "b", "c"], size=80)
    return pd.DataFrame({"y": 2 * x + (group == "b") + rng.normal(size=80), "x": x, "g": group})


def _incomplete() -> pd.DataFrame:
    frame = _linear()
    frame.loc[::5, "x"] = np.nan
    frame.loc[1::7, "g"] = None
    return frame


def _pooled_table1(df: pd.DataFrame, spec: Table1Spec):
    """Table 1 with its pooled summaries, as logic.run makes it."""
    from analyses import mi_table1

    result = table1.analyze(df, spec)
    imputed = imputation.analyze(df, spec.imputation)
    return dataclasses.replace(result, pooled=mi_table1.pooled_summary(df, imputed, spec))


def _pooled_outcome(df: pd.DataFrame, spec: OutcomeSpec):
    """The outcome result with its model pooled over imputations, as logic.run makes it."""
    result = outcome.analyze(df, spec)
    imputed = imputation.analyze(df, spec.imputation)
    pooled = mi_models.pooled_model("outcome", df, imputed, spec, "logistic")
    return dataclasses.replace(result, pooled=pooled)


# (analysis module, data, spec): one case for each fit record, and the variants that leave
# optional fields empty (count-only, negative-binomial-only, Firth-only, Cox-only).
CASES = {
    "outcome_logit": (
        outcome,
        lambda: _read("asah.csv"),
        OutcomeSpec("outcome", ("age", "gender", "s100b"), categorical=("gender",)),
    ),
    "outcome_firth": (
        outcome,
        lambda: _read("sex2.csv"),
        OutcomeSpec("case", ("age", "oc", "vic"), method="firth", screen_p=None),
    ),
    "imputation": (imputation, _incomplete, ImputationSpec(("x", "g", "y"), m=3, iterations=2)),
    "outcome_pooled": (
        types.SimpleNamespace(analyze=_pooled_outcome),
        lambda: _incomplete().assign(y=lambda f: (f.y > 0).astype(int)),
        OutcomeSpec(
            "y",
            ("x", "g"),
            categorical=("g",),
            imputation=ImputationSpec(("x", "g", "y"), m=3, iterations=2),
        ),
    ),
    "table1_pooled": (
        types.SimpleNamespace(analyze=_pooled_table1),
        _incomplete,
        Table1Spec(
            ("x", "g"),
            categorical=("g",),
            imputation=ImputationSpec(("x", "g", "y"), m=3, iterations=2),
        ),
    ),
    "regression_linear": (
        regression,
        _linear,
        RegressionSpec("y", ("x", "g"), model="linear", categorical=("g",), screen_p=None),
    ),
    "regression_poisson": (
        regression,
        lambda: _read("warpbreaks.csv"),
        RegressionSpec(
            "breaks",
            ("wool", "tension"),
            model="poisson",
            screen_p=None,
            categorical=("wool", "tension"),
        ),
    ),  # fmt: skip
    "regression_negbin": (
        regression,
        lambda: _read("quine.csv"),
        RegressionSpec(
            "Days", ("Eth", "Sex"), model="negbin", screen_p=None, categorical=("Eth", "Sex")
        ),
    ),  # fmt: skip
    "diagnostic": (
        diagnostic,
        lambda: _read("asah.csv"),
        DiagnosticSpec("outcome", "Poor", ("s100b", "ndka")),
    ),
    "survival_cox": (
        survival,
        lambda: _read("aml.csv"),
        SurvivalSpec(event="status", time="time", event_level="1", group="x"),
    ),
    "survival_km_only": (
        survival,
        lambda: _read("aml.csv"),
        SurvivalSpec(event="status", time="time", event_level="1"),
    ),
    "correlation": (
        correlation,
        lambda: _read("asah.csv"),
        CorrelationSpec(("age", "s100b", "ndka"), method="spearman", adjust="holm"),
    ),
    # Continuous covariates per SD: results with a non-empty scales table.
    "outcome_per_sd": (
        outcome,
        lambda: _read("asah.csv"),
        OutcomeSpec(
            "outcome", ("age", "gender", "s100b"), categorical=("gender",), effect_scale="sd"
        ),
    ),
    "regression_per_sd": (
        regression,
        _linear,
        RegressionSpec("y", ("x", "g"), model="linear", categorical=("g",), effect_scale="sd"),
    ),
    "survival_per_sd": (
        survival,
        lambda: pd.read_csv(DATA / "lung.csv", na_values="."),
        SurvivalSpec(
            event="status",
            time="time",
            event_level="2",
            covariates=("age", "meal.cal"),
            effect_scale="sd",
        ),
    ),
    "agreement_measurements": (
        agreement,
        lambda: pd.read_csv(Path(__file__).parents[1] / "r" / "agreement_pefr_data.csv"),
        AgreementSpec(raters=("wright", "mini")),
    ),
    "agreement_categories": (
        agreement,
        lambda: pd.read_csv(Path(__file__).parents[1] / "r" / "agreement_cohen1968_data.csv"),
        AgreementSpec(raters=("rater1", "rater2"), scale="ordinal"),
    ),
    # Calibration, decision curve and bootstrap validation nested in an outcome result.
    "outcome_calibration": (
        outcome,
        lambda: _read("sex2.csv"),
        OutcomeSpec(
            "case", ("age", "oc", "vic", "dia"), screen_p=None, calibration=True, bootstrap=20
        ),
    ),
    "propensity_matching": (
        propensity,
        lambda: pd.read_csv(Path(__file__).parents[1] / "r" / "propensity_lalonde.csv"),
        PropensitySpec("treat", ("age", "educ", "race", "re74"), ("race",), outcome="re78"),
    ),
    "propensity_weighting": (
        propensity,
        lambda: pd.read_csv(Path(__file__).parents[1] / "r" / "propensity_lalonde.csv"),
        PropensitySpec(
            "treat",
            ("age", "race"),
            ("race",),
            method="weighting",
            estimand="ATE",
            truncate=1.0,
            outcome="employed78",
            outcome_type="binary",
        ),
    ),
    "table1": (
        table1,
        lambda: _read("table1_pbc.csv"),
        Table1Spec(("age", "sex", "bili", "stage"), group="trt", categorical=("sex", "stage")),
    ),
}


def _conforms(value: object, hint: object) -> bool:
    """Whether a value is of a field's declared type (numpy scalars are not Python ints)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_conforms(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if typing.get_origin(hint) is tuple:
        return isinstance(value, tuple) and all(isinstance(v, str) for v in value)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)  # type: ignore[arg-type]


def _record(result):
    (name,) = [
        f.name for f in dataclasses.fields(result) if type(getattr(result, f.name)) in FIT_RECORDS
    ]
    return getattr(result, name)


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return a == b and type(a) is type(b)


@pytest.fixture(scope="module")
def computed() -> dict:
    return {name: module.analyze(load(), spec) for name, (module, load, spec) in CASES.items()}


def _nested_records(result) -> set[type]:
    """The fit records a result carries inside its parts (an outcome's performance)."""
    parts = (getattr(result, "performance", None), getattr(result, "pooled", None))
    return {type(part.fit) for part in parts if part is not None}


def test_every_fit_record_is_exercised_and_allowed(computed):
    records = {type(_record(r)) for r in computed.values()}
    records |= {t for r in computed.values() for t in _nested_records(r)}
    assert records == set(FIT_RECORDS)
    assert set(FIT_RECORDS) <= set(logic.RESULT_TYPES)
    assert {type(r) for r in computed.values()} <= set(logic.RESULT_TYPES)


@pytest.mark.parametrize("case", list(CASES))
def test_fit_record_values_have_their_declared_types(computed, case):
    record = _record(computed[case])
    hints = typing.get_type_hints(type(record))
    wrong = {
        f.name: type(getattr(record, f.name)).__name__
        for f in dataclasses.fields(record)
        if not _conforms(getattr(record, f.name), hints[f.name])
    }
    assert not wrong, wrong


@pytest.mark.parametrize("case", list(CASES))
def test_result_and_fit_record_round_trip_through_the_shared_tier_codec(computed, case):
    result = computed[case]
    text = codec.to_json(result)
    back = codec.from_json(text, logic.RESULT_TYPES)
    assert type(back) is type(result) and codec.to_json(back) == text
    record, again = _record(result), _record(back)
    assert type(again) is type(record)
    for f in dataclasses.fields(record):
        assert _same(getattr(record, f.name), getattr(again, f.name)), f.name
    for f in dataclasses.fields(result):
        value = getattr(result, f.name)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(back, f.name), value)


@pytest.mark.parametrize("case", ["outcome_per_sd", "regression_per_sd", "survival_per_sd"])
def test_a_scales_table_round_trips_through_the_shared_tier_codec(computed, case):
    result = computed[case]
    assert len(result.scales) and set(result.scales["scale"]) == {"sd"}
    back = codec.from_json(codec.to_json(result), logic.RESULT_TYPES)
    pd.testing.assert_frame_equal(back.scales, result.scales)
    for table in ("univariable", "multivariable"):
        pd.testing.assert_frame_equal(getattr(back, table), getattr(result, table))


def test_optional_fields_are_empty_exactly_where_the_fit_has_no_such_number(computed):
    linear, poisson = computed["regression_linear"].fit, computed["regression_poisson"].fit
    negbin = computed["regression_negbin"].fit
    assert linear.r2 is not None and linear.deviance is None and linear.alpha_lr_p is None
    assert poisson.r2 is None and poisson.deviance is not None and poisson.alpha_lr_p is None
    assert negbin.alpha_lr_p is not None and negbin.poisson_aic is not None
    assert computed["outcome_logit"].fit.penalized_log_likelihood is None
    assert computed["outcome_firth"].fit.penalized_log_likelihood is not None
    assert computed["survival_cox"].fit.cox_lr_p is not None
    assert computed["survival_km_only"].fit.cox_lr_p is None


def test_an_outcome_performance_round_trips_through_the_shared_tier_codec(computed):
    result = computed["outcome_calibration"]
    back = codec.from_json(codec.to_json(result), logic.RESULT_TYPES)
    assert back.performance.fit == result.performance.fit
    assert back.performance.fit.bootstrap_samples == 20
    for f in dataclasses.fields(result.performance):
        value = getattr(result.performance, f.name)
        if isinstance(value, pd.DataFrame):
            pd.testing.assert_frame_equal(getattr(back.performance, f.name), value)
