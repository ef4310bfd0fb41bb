"""Pooled models: equal to the complete cases when nothing they use is missing, honest CIs
under MCAR (coverage), and every family of the three tabs fitted."""

import time

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analyses import imputation
from analyses.errors import AnalysisError
from analyses.mi_models import pooled_model
from analyses.specs import ImputationSpec, OutcomeSpec, RegressionSpec, SurvivalSpec


def _cohort(n=300, seed=5):
    rng = np.random.default_rng(seed)
    age = rng.normal(60, 10, n).round()
    sex = rng.choice(["F", "M"], n)
    risk = (age - 60) / 10 + 0.5 * (sex == "M")
    return pd.DataFrame(
        {
            "age": age,
            "sex": sex,
            "lab": rng.normal(size=n),
            "y": (rng.uniform(size=n) < 1 / (1 + np.exp(-risk))).astype(int),
            "count": rng.poisson(np.exp(0.5 + 0.2 * risk)),
            "time": rng.exponential(np.exp(-0.3 * risk) * 10),
            "dead": (rng.uniform(size=n) < 0.7).astype(int),
        }
    )


def test_nothing_missing_in_the_model_gives_the_complete_case_fit():
    df = _cohort()
    df.loc[::4, "lab"] = np.nan  # imputed, but not in the model
    spec = OutcomeSpec(outcome="y", covariates=("age", "sex"), categorical=("sex",))
    imputed = imputation.analyze(df, ImputationSpec(("age", "sex", "lab", "y"), m=5))
    pooled = pooled_model("outcome", df, imputed, spec, "logistic").estimates
    rows = pooled[~pooled.is_reference]
    np.testing.assert_allclose(rows.estimate, rows.cc_estimate, rtol=1e-9)
    np.testing.assert_allclose(rows["lambda"], 0.0, atol=1e-9)
    x = sm.add_constant(np.column_stack([df.age, (df.sex == "M").astype(float)]))
    reference = sm.Logit(df.y, x).fit(disp=0)
    np.testing.assert_allclose(rows.estimate, np.exp(reference.params[1:]), rtol=1e-6)
    ci = np.exp(np.asarray(reference.conf_int())[1:])
    np.testing.assert_allclose(rows.cc_ci_low, ci[:, 0], rtol=1e-6)
    # Pooled: t on Barnard-Rubin's df, which tends to the complete-data df (n - 3) without b.
    assert (rows.df > 250).all()
    np.testing.assert_allclose(rows.ci_low, ci[:, 0], rtol=5e-3)


def _missing_covariates(df, seed, share=0.25):
    rng = np.random.default_rng(seed)
    out = df.copy()
    for column in ("age", "sex"):
        out.loc[rng.uniform(size=len(out)) < share, column] = np.nan
    return out


@pytest.mark.parametrize(
    ("kind", "spec", "family"),
    [
        ("outcome", OutcomeSpec("y", ("age", "sex"), categorical=("sex",)), "firth"),
        ("regression", RegressionSpec("lab", ("age", "sex"), categorical=("sex",)), "linear"),
        (
            "regression",
            RegressionSpec("count", ("age", "sex"), model="poisson", categorical=("sex",)),
            "poisson",
        ),
        (
            "survival",
            SurvivalSpec("dead", time="time", covariates=("age", "sex"), categorical=("sex",)),
            "cox",
        ),
    ],
)
def test_every_family_pools_over_the_imputations(kind, spec, family):
    df = _missing_covariates(_cohort(), 1)
    variables = ("age", "sex", "y", "lab", "count", "time", "dead")
    imputed = imputation.analyze(df, ImputationSpec(variables, m=5, iterations=5))
    result = pooled_model(kind, df, imputed, spec, family)
    rows = result.estimates[~result.estimates.is_reference]
    assert result.fit.m == 5 and result.fit.n == len(df) and result.fit.n_complete < len(df)
    assert rows[["estimate", "ci_low", "ci_high", "fmi", "df"]].notna().all().all()
    assert ((rows.fmi > 0) & (rows.fmi < 1)).all()
    assert (rows.ci_low < rows.estimate).all() and (rows.estimate < rows.ci_high).all()


def test_a_failing_fit_names_the_imputation(monkeypatch):
    from analyses import mi_models

    df = _missing_covariates(_cohort(80), 2)
    imputed = imputation.analyze(df, ImputationSpec(("age", "sex", "y"), m=3, iterations=2))
    spec = OutcomeSpec("y", ("age", "sex"), categorical=("sex",))
    fits = iter([mi_models._fit, lambda *a: None])
    real = mi_models._fit
    monkeypatch.setattr(mi_models, "_fit", lambda *a: next(fits, real)(*a))
    with pytest.raises(AnalysisError, match="imputed data set 2 of 3"):
        pooled_model("outcome", df, imputed, spec, "logistic")


def test_pooled_ci_covers_the_true_slope_under_mcar():
    """Linear y = 1 + 0.5 x + e, x missing completely at random for 30%: 120 data sets of 60
    patients, m = 5; the pooled 95% CI must cover 0.5 about 95% of the time (binomial SD 2%)."""
    started = time.perf_counter()
    covered = 0
    reps = 120
    for rep in range(reps):
        rng = np.random.default_rng(1000 + rep)
        x = rng.normal(size=60)
        df = pd.DataFrame({"x": x, "y": 1 + 0.5 * x + rng.normal(size=60)})
        df.loc[rng.uniform(size=60) < 0.3, "x"] = np.nan
        imputed = imputation.analyze(df, ImputationSpec(("x", "y"), m=5, iterations=5, seed=rep))
        row = pooled_model("regression", df, imputed, RegressionSpec("y", ("x",)), "linear")
        est = row.estimates.iloc[0]
        covered += est.ci_low <= 0.5 <= est.ci_high
    assert 0.88 <= covered / reps <= 1.0, covered
    assert time.perf_counter() - started < 120  # bounded: a few seconds alone


def test_an_outcome_left_out_of_the_imputation_model_is_a_warning():
    df = _missing_covariates(_cohort(), 3)
    imputed = imputation.analyze(df, ImputationSpec(("age", "sex", "lab"), m=2, iterations=2))
    spec = OutcomeSpec("y", ("age", "sex"), categorical=("sex",), screen_p=None)
    result = pooled_model("outcome", df, imputed, spec, "logistic")
    assert any("'y' is not in the imputation model" in w for w in result.warnings)
    with_outcome = imputation.analyze(df, ImputationSpec(("age", "sex", "y"), m=2, iterations=2))
    result = pooled_model("outcome", df, with_outcome, spec, "logistic")
    assert not any("not in the imputation model" in w for w in result.warnings)
