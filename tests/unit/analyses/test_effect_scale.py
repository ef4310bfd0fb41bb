"""Continuous covariates per 10 units, per SD or per IQR: the same numbers as refitting on x/k.

Each test fits statsmodels directly on the covariate divided by the increment our result reports
(Logit, OLS, GLM Poisson, PHReg) and asks for the same estimates and CIs to 1e-8, and the same
p-values as the per-unit analysis.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from firthmodels import FirthLogisticRegression
from statsmodels.duration.hazard_regression import PHReg

from analyses import outcome, regression, survival
from analyses.effect_scale import fmt_increment, rescale, scale_table
from analyses.encoding import Numeric
from analyses.errors import AnalysisError
from analyses.firth import fit_firth
from analyses.specs import OutcomeSpec, RegressionSpec, SurvivalSpec

DATA = Path(__file__).resolve().parents[2] / "data"
TOL = 1e-8


@pytest.fixture(scope="module")
def patients() -> pd.DataFrame:
    """Age in years, creatinine in µmol/L (an OR per unit of ~1.00), sex; some values missing."""
    rng = np.random.default_rng(11)
    n = 600
    df = pd.DataFrame(
        {
            "age": rng.normal(62, 11, n).round(0),
            "creatinine": rng.lognormal(4.5, 0.4, n).round(0),
            "sex": rng.choice(["F", "M"], n),
        }
    )
    lp = -5 + 0.04 * df.age + 0.006 * df.creatinine + 0.5 * (df.sex == "M")
    df["died"] = np.where(rng.random(n) < 1 / (1 + np.exp(-lp)), "yes", "no")
    df["sbp"] = 100 + 0.5 * df.age + 0.05 * df.creatinine + rng.normal(0, 10, n)
    df["visits"] = rng.poisson(np.exp(0.2 + 0.01 * df.age + 0.002 * df.creatinine))
    df.loc[rng.random(n) < 0.06, "age"] = np.nan
    df.loc[rng.random(n) < 0.05, "creatinine"] = np.nan
    df.loc[rng.random(n) < 0.04, "died"] = None
    return df


def spread(values: pd.Series, scale: str) -> float:
    v = values.dropna().to_numpy(dtype=float)
    if scale == "sd":
        return float(np.std(v, ddof=1))
    if scale == "iqr":
        q1, q3 = np.percentile(v, [25, 75])
        return float(q3 - q1)
    return 10.0 if scale == "10" else 1.0


def row(table: pd.DataFrame, variable: str) -> pd.Series:
    return table[(table.variable == variable) & ~table.is_reference].iloc[0]


def assert_ratio_row(got: pd.Series, res, name: str, p: float) -> None:
    b, (lo, hi) = res.params[name], res.conf_int().loc[name]
    np.testing.assert_allclose(got.estimate, np.exp(b), rtol=TOL)
    np.testing.assert_allclose((got.ci_low, got.ci_high), np.exp([lo, hi]), rtol=TOL)
    assert got.p_value == p  # the scale never touches the test


@pytest.mark.parametrize("scale", ["sd", "10", "iqr"])
def test_outcome_odds_ratios_equal_logit_on_x_over_k(patients, scale):
    base = dict(outcome="died", covariates=("age", "creatinine", "sex"), categorical=("sex",))
    unit = outcome.analyze(patients, OutcomeSpec(**base, screen_p=None))
    scaled = outcome.analyze(patients, OutcomeSpec(**base, screen_p=None, effect_scale=scale))
    known = patients[patients.died.notna()]
    k = {v: spread(known[v], scale) for v in ("age", "creatinine")}
    scales = scaled.scales.set_index("variable")
    for v in k:
        assert scales.loc[v, "per"] == pytest.approx(k[v], rel=1e-12)
        assert scales.loc[v, "n"] == known[v].notna().sum()
    y = (known.died == "yes").astype(float)
    # Crude: each covariate alone, on the patients who have it.
    for v in k:
        d = known[known[v].notna()]
        x = sm.add_constant((d[v] / k[v]).rename(v))
        res = sm.Logit(y[d.index], x).fit(disp=0, tol=1e-12)
        assert_ratio_row(row(scaled.univariable, v), res, v, row(unit.univariable, v).p_value)
    # Adjusted: complete cases, the same increments.
    d = known.dropna(subset=["age", "creatinine"])
    x = pd.DataFrame({v: d[v] / k[v] for v in k}).assign(male=(d.sex == "M").astype(float))
    res = sm.Logit(y[d.index], sm.add_constant(x)).fit(disp=0, tol=1e-12)
    for v in k:
        assert_ratio_row(row(scaled.multivariable, v), res, v, row(unit.multivariable, v).p_value)
    # Factors are not rescaled.
    pd.testing.assert_series_equal(row(scaled.multivariable, "sex"), row(unit.multivariable, "sex"))


def test_per_unit_is_the_fit_bit_for_bit(patients):
    spec = OutcomeSpec("died", ("age", "creatinine"), screen_p=None)
    result = outcome.analyze(patients, spec)
    assert spec.effect_scale == "unit"
    assert list(result.scales["per_text"]) == ["per unit", "per unit"]
    assert rescale(result.multivariable, result.scales, ratio=True) is result.multivariable


def test_firth_profile_intervals_are_equivariant(patients):
    """Firth's penalty only shifts by a constant under x -> x/k, so its estimates and profile
    penalized-likelihood CIs rescale exactly: checked with firthmodels run to 1e-10. Our fit
    stops at logistf's tolerances (1e-4), so it agrees with a refit on x/SD to that."""
    d = patients.dropna(subset=["died", "age"]).head(60)
    y = (d.died == "yes").to_numpy(dtype=float)
    k = float(np.std(d.age, ddof=1))

    def tight(x: np.ndarray) -> tuple[float, np.ndarray]:
        model = FirthLogisticRegression(max_iter=200, gtol=1e-8, xtol=1e-10)
        with warnings.catch_warnings():
            # At the optimum no step can improve the likelihood by more than rounding, which
            # firthmodels reports as failed step-halving; the assertions check the numbers.
            warnings.simplefilter("ignore")
            model.fit(x[:, None], y)
        return float(model.coef_[0]), model.conf_int(method="pl", tol=1e-10, max_iter=200)[0]

    b1, ci1 = tight(d.age.to_numpy())
    bk, cik = tight(d.age.to_numpy() / k)
    np.testing.assert_allclose(np.exp(k * b1), np.exp(bk), rtol=TOL)
    np.testing.assert_allclose(np.exp(k * ci1), np.exp(cik), rtol=TOL)

    spec = OutcomeSpec("died", ("age",), method="firth", screen_p=None, effect_scale="sd")
    got = row(outcome.analyze(d, spec).multivariable, "age")
    refit = fit_firth(np.column_stack([np.ones(len(d)), d.age / k]), y)
    np.testing.assert_allclose(got.estimate, np.exp(refit.params[1]), rtol=1e-4)
    np.testing.assert_allclose((got.ci_low, got.ci_high), np.exp(refit.ci[1]), rtol=1e-4)


def test_linear_coefficients_equal_ols_on_x_over_sd(patients):
    base = dict(outcome="sbp", covariates=("age", "creatinine"), screen_p=None)
    unit = regression.analyze(patients, RegressionSpec(**base))
    result = regression.analyze(patients, RegressionSpec(**base, effect_scale="sd"))
    k = {v: spread(patients[v], "sd") for v in ("age", "creatinine")}  # the outcome is complete
    d = patients.dropna(subset=["age", "creatinine"])
    x = sm.add_constant(pd.DataFrame({v: d[v] / k[v] for v in k}))
    ols = sm.OLS(d.sbp, x).fit()
    for v in k:
        got = row(result.multivariable, v)
        np.testing.assert_allclose(got.estimate, ols.params[v], rtol=TOL)
        np.testing.assert_allclose((got.ci_low, got.ci_high), ols.conf_int().loc[v], rtol=TOL)
        assert got.p_value == row(unit.multivariable, v).p_value
    assert result.scales.set_index("variable").loc["age", "per_text"].startswith("per SD (")


def test_rate_ratios_equal_poisson_on_x_over_iqr(patients):
    spec = RegressionSpec("visits", ("age", "creatinine"), model="poisson", screen_p=None)
    result = regression.analyze(
        patients, RegressionSpec(**{**spec.__dict__, "effect_scale": "iqr"})
    )
    k = {v: spread(patients[v], "iqr") for v in ("age", "creatinine")}
    d = patients.dropna(subset=["age", "creatinine"])
    x = sm.add_constant(pd.DataFrame({v: d[v] / k[v] for v in k}))
    res = sm.GLM(d.visits, x, family=sm.families.Poisson()).fit()  # our fit's settings
    for v in k:
        got = row(result.multivariable, v)
        np.testing.assert_allclose(got.estimate, np.exp(res.params[v]), rtol=TOL)
        np.testing.assert_allclose(
            (got.ci_low, got.ci_high), np.exp(res.conf_int().loc[v]), rtol=TOL
        )


def test_hazard_ratios_equal_phreg_on_x_over_sd():
    lung = pd.read_csv(DATA / "lung.csv", na_values=".")
    spec = SurvivalSpec(
        event="status", time="time", event_level="2", covariates=("age", "meal.cal")
    )
    unit = survival.analyze(lung, spec)
    result = survival.analyze(lung, SurvivalSpec(**{**spec.__dict__, "effect_scale": "sd"}))
    k = {v: spread(lung[v], "sd") for v in ("age", "meal.cal")}  # time and status complete
    status = (lung.status == 2).astype(float)
    for v in k:  # crude
        d = lung[lung[v].notna()]
        res = PHReg(d.time, (d[[v]] / k[v]).to_numpy(), status=status[d.index], ties="efron").fit()
        got = row(result.univariable, v)
        b, se = res.params[0], res.bse[0]
        np.testing.assert_allclose(got.estimate, np.exp(b), rtol=TOL)
        np.testing.assert_allclose(
            (got.ci_low, got.ci_high),
            np.exp([b - 1.959963984540054 * se, b + 1.959963984540054 * se]),
            rtol=TOL,
        )
        assert got.p_value == row(unit.univariable, v).p_value
    d = lung.dropna(subset=list(k))
    x = np.column_stack([d[v] / k[v] for v in k])
    res = PHReg(d.time, x, status=status[d.index], ties="efron").fit()
    for j, v in enumerate(k):
        np.testing.assert_allclose(
            row(result.multivariable, v).estimate, np.exp(res.params[j]), rtol=TOL
        )


def test_zero_iqr_falls_back_to_per_unit_and_says_so():
    values = np.r_[np.zeros(90), np.arange(1, 11)].astype(float)
    scales, notes = scale_table([Numeric("transfusions", values)], np.ones(100, bool), "iqr")
    assert scales.iloc[0][["scale", "per", "per_text"]].tolist() == ["unit", 1.0, "per unit"]
    assert "transfusions" in notes[0] and "per unit" in notes[0]


def test_unknown_scale_is_refused(patients):
    with pytest.raises(AnalysisError, match="per SD"):
        outcome.analyze(patients, OutcomeSpec("died", ("age",), effect_scale="per year"))


@pytest.mark.parametrize(
    ("value", "text"),
    [(12.345, "12.3"), (0.5432, "0.543"), (123.4, "123"), (45678.9, "45,679"), (2.0, "2.00")],
)
def test_increments_read_with_three_significant_digits(value, text):
    assert fmt_increment(value) == text
