"""The chained equations: what they draw, from what, reproducibly, and what they refuse."""

import numpy as np
import pandas as pd
import pytest

from analyses import imputation, imputation_methods
from analyses.errors import AnalysisError
from analyses.specs import ImputationSpec


def _data(n=300, seed=1):
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n).round()
    df = pd.DataFrame(
        {
            "age": age,
            "sex": rng.choice(["F", "M"], n),
            "stage": rng.choice(["I", "II", "III"], n),
            "y": (rng.uniform(size=n) < 1 / (1 + np.exp(-(age - 60) / 10))).astype(int),
        }
    )
    for column in ("age", "sex", "stage"):
        df.loc[rng.uniform(size=n) < 0.2, column] = np.nan
    return df


SPEC = ImputationSpec(variables=("age", "sex", "stage", "y"), categorical=("y",), m=5)


def test_methods_by_kind_and_every_cell_filled():
    df = _data()
    result = imputation.analyze(df, SPEC)
    assert result.info.imputed == ("age", "sex", "stage")
    assert result.info.methods == ("pmm", "logreg", "polyreg")
    assert len(result.imputed) == 5 * int(df[["age", "sex", "stage"]].isna().sum().sum())
    for i in range(1, 6):
        done = imputation.complete(df, result, i)
        assert not done[["age", "sex", "stage"]].isna().any().any()
        observed = df.notna()
        pd.testing.assert_frame_equal(done[observed].astype(object), df[observed].astype(object))
        assert set(done.sex) == {"F", "M"} and set(done.stage) <= {"I", "II", "III"}


def test_pmm_draws_only_observed_values():
    df = _data()
    df["age"] = df["age"] + 0.37  # values no model would predict
    result = imputation.analyze(df, SPEC)
    drawn = result.imputed[result.imputed.variable == "age"].value
    assert set(drawn) <= set(df.age.dropna())


def test_the_seed_gives_the_same_data_sets_and_another_seed_others():
    df = _data()
    first = imputation.analyze(df, SPEC)
    again = imputation.analyze(df, SPEC)
    other = imputation.analyze(df, ImputationSpec(**{**SPEC.__dict__, "seed": 7}))
    pd.testing.assert_frame_equal(first.imputed, again.imputed)
    assert not first.imputed.value.equals(other.imputed.value)


def test_trace_has_a_mean_per_chain_round_and_variable():
    result = imputation.analyze(_data(), SPEC)
    assert len(result.trace) == 5 * 10 * 3
    assert result.trace.groupby("variable").chain.nunique().eq(5).all()


def test_nothing_missing_says_imputation_is_not_needed():
    df = _data().dropna()
    with pytest.raises(AnalysisError, match="imputation is not needed"):
        imputation.analyze(df, SPEC)


def test_a_variable_missing_for_everyone_is_left_out_and_said():
    df = _data()
    df["lab"] = np.nan
    spec = ImputationSpec(variables=(*SPEC.variables, "lab"), categorical=("y",), m=2)
    result = imputation.analyze(df, spec)
    assert result.info.left_out == ("lab",)
    assert "lab" not in result.info.predictors
    assert any("'lab' is missing for every patient" in w for w in result.warnings)


def test_bad_settings_are_sentences():
    with pytest.raises(AnalysisError, match="number of imputations"):
        imputation.analyze(_data(), ImputationSpec(variables=("age", "y"), m=1))


def test_pattern_counts_patients_per_pattern():
    df = pd.DataFrame({"a": [1.0, None, 3.0, None], "b": [1.0, 2.0, None, None]})
    pattern = imputation.missing_pattern(df, ["a", "b"])
    assert pattern.n.sum() == 4
    assert pattern.iloc[-1].tolist() == [0, 0, 1, 2]


def test_multinomial_fit_equals_statsmodels():
    from statsmodels.discrete.discrete_model import MNLogit

    rng = np.random.default_rng(3)
    x = np.column_stack([np.ones(400), rng.normal(size=400), rng.normal(size=400)])
    y = rng.integers(0, 3, 400).astype(float)
    y[x[:, 1] > 1] = 2
    coef, covariance = imputation_methods._multinomial_fit(y, x, 3)
    reference = MNLogit(y, x).fit(disp=0)
    np.testing.assert_allclose(coef, reference.params.ravel(order="F"), rtol=1e-3, atol=1e-4)
    np.testing.assert_allclose(
        np.sqrt(np.diag(covariance)), reference.bse.ravel(order="F"), rtol=1e-3
    )


def test_logistic_fit_equals_statsmodels():
    from statsmodels.discrete.discrete_model import Logit

    rng = np.random.default_rng(4)
    x = np.column_stack([np.ones(300), rng.normal(size=300)])
    y = (rng.uniform(size=300) < 1 / (1 + np.exp(-x[:, 1]))).astype(float)
    coef, covariance = imputation_methods._logistic_fit(y, x)
    reference = Logit(y, x).fit(disp=0)
    np.testing.assert_allclose(coef, reference.params, rtol=1e-3)
    np.testing.assert_allclose(np.sqrt(np.diag(covariance)), reference.bse, rtol=1e-3)
