"""Linear, Poisson and negative binomial regression, checked against published R output for
public data sets and against statsmodels fitted directly in the test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from scipy import stats

from analyses.errors import AnalysisError
from analyses.regression import analyze
from analyses.specs import RegressionSpec

DATA = Path(__file__).resolve().parents[2] / "data"
R_REFERENCE = Path(__file__).resolve().parents[2] / "r"


def _rows(frame: pd.DataFrame, variable: str) -> pd.DataFrame:
    return frame[frame["variable"] == variable].set_index("level")


@pytest.fixture(scope="module")
def warpbreaks() -> pd.DataFrame:
    """R's datasets::warpbreaks (Tippett 1950), 54 looms."""
    return pd.read_csv(DATA / "warpbreaks.csv")


@pytest.fixture(scope="module")
def quine() -> pd.DataFrame:
    """MASS::quine (days absent from school, 146 children)."""
    return pd.read_csv(DATA / "quine.csv")


def _factor_spec(outcome, covariates, model, **kw) -> RegressionSpec:
    return RegressionSpec(
        outcome, covariates, model=model, screen_p=None, categorical=covariates, **kw
    )


def test_warpbreaks_poisson_matches_published_r_glm(warpbreaks):
    # R: summary(glm(breaks ~ wool + tension, family = poisson, data = warpbreaks)), as printed
    # in the tutorialspoint "R - Poisson Regression" page: woolB -0.20599 (p 6.49e-05),
    # tensionM -0.32132 (9.73e-08), tensionH -0.51849 (5.21e-16); null deviance 297.37 on 53
    # df, residual deviance 210.39 on 50 df, AIC 493.06. Dispersion sum(pearson^2)/df = 4.262
    # from the "GLM Diagnostics in R Beyond Gaussian Models" tutorial (same model).
    spec = _factor_spec(("breaks"), ("wool", "tension"), "poisson", reference=(("tension", "L"),))
    result = analyze(warpbreaks, spec)
    multi = result.multivariable
    wool, tension = _rows(multi, "wool"), _rows(multi, "tension")
    assert np.log(wool.loc["B", "estimate"]) == pytest.approx(-0.20599, abs=5e-6)
    assert np.log(tension.loc["M", "estimate"]) == pytest.approx(-0.32132, abs=5e-6)
    assert np.log(tension.loc["H", "estimate"]) == pytest.approx(-0.51849, abs=5e-6)
    assert wool.loc["B", "p_value"] == pytest.approx(6.49e-05, rel=2e-3)
    assert tension.loc["M", "p_value"] == pytest.approx(9.73e-08, rel=2e-3)
    assert tension.loc["H", "p_value"] == pytest.approx(5.21e-16, rel=2e-3)
    assert tension.loc["L", "is_reference"] and tension.loc["L", "estimate"] == 1.0
    m = result.fit
    assert m.family == "poisson" and m.n_used == 54
    assert m.null_deviance == pytest.approx(297.37, abs=0.005)
    assert m.deviance == pytest.approx(210.39, abs=0.005)
    assert m.aic == pytest.approx(493.06, abs=0.005)
    assert m.dispersion == pytest.approx(4.262, abs=5e-4)
    assert any(w.startswith("WARNING: overdispersion") for w in result.warnings)


def test_warpbreaks_negative_binomial_standard_errors_match_glm_nb(warpbreaks):
    # R: glm.nb(breaks ~ wool + tension, data = warpbreaks) standard errors, as printed in
    # the "GLM Diagnostics in R Beyond Gaussian Models" tutorial: woolB 0.101, tensionM 0.122,
    # tensionH 0.124 (the Poisson ones were 0.052, 0.060, 0.064).
    spec = _factor_spec("breaks", ("wool", "tension"), "negbin", reference=(("tension", "L"),))
    multi = analyze(warpbreaks, spec).multivariable
    z = stats.norm.ppf(0.975)
    se = {
        level: (np.log(r["ci_high"]) - np.log(r["ci_low"])) / (2 * z)
        for level, r in multi[~multi["is_reference"]].set_index("level").iterrows()
    }
    assert se["B"] == pytest.approx(0.101, abs=5e-4)
    assert se["M"] == pytest.approx(0.122, abs=5e-4)
    assert se["H"] == pytest.approx(0.124, abs=5e-4)


def test_quine_count_model_switches_to_negative_binomial_as_glm_nb(quine):
    # R, "GLM Diagnostics in R Beyond Gaussian Models" tutorial (MASS::quine):
    # Poisson glm(Days ~ Eth + Sex + Age + Lrn) dispersion 13.17, AIC 2299; glm.nb of the
    # same formula AIC 1109 and coefficients EthN -0.569, SexM 0.082, AgeF1 -0.448,
    # AgeF2 0.088, AgeF3 0.357, LrnSL 0.292.
    result = analyze(quine, _factor_spec("Days", ("Eth", "Sex", "Age", "Lrn"), "count"))
    m = result.fit
    assert (m.family, m.family_reason) == ("negbin", "overdispersion")
    assert m.screening_dispersion == pytest.approx(13.17, abs=0.005)
    assert m.poisson_aic == pytest.approx(2299, abs=0.5)
    assert m.aic == pytest.approx(1109, abs=0.5)
    multi = result.multivariable
    published = {
        ("Eth", "N"): -0.569,
        ("Sex", "M"): 0.082,
        ("Age", "F1"): -0.448,
        ("Age", "F2"): 0.088,
        ("Age", "F3"): 0.357,
        ("Lrn", "SL"): 0.292,
    }
    for (variable, level), coef in published.items():
        row = _rows(multi, variable).loc[level]
        assert np.log(row["estimate"]) == pytest.approx(coef, abs=5e-4)
    assert m.theta == pytest.approx(1 / m.alpha)
    assert m.alpha_lr_p < 1e-100  # NB against Poisson: overwhelming overdispersion
    assert any("negative binomial regression was used" in w for w in result.warnings)


def test_quine_negative_binomial_matches_statsmodels_fitted_directly(quine):
    result = analyze(quine, _factor_spec("Days", ("Eth", "Age"), "negbin"))
    nb = smf.negativebinomial("Days ~ Eth + Age", data=quine).fit(disp=0)
    alpha = nb.params["alpha"]
    glm = smf.glm(
        "Days ~ Eth + Age", data=quine, family=sm.families.NegativeBinomial(alpha=alpha)
    ).fit()
    assert result.fit.alpha == pytest.approx(alpha, rel=1e-5)
    row = _rows(result.multivariable, "Age").loc["F3"]
    ci = np.exp(glm.conf_int().loc["Age[T.F3]"])
    assert row["estimate"] == pytest.approx(np.exp(glm.params["Age[T.F3]"]), rel=1e-5)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ci), rel=1e-5)
    assert row["p_value"] == pytest.approx(glm.pvalues["Age[T.F3]"], rel=1e-4)
    # Global p of Age: LR test with alpha held at the full model's value (R's drop1 on glm.nb).
    reduced = smf.glm(
        "Days ~ Eth", data=quine, family=sm.families.NegativeBinomial(alpha=alpha)
    ).fit()
    lr = 2 * (glm.llf - reduced.llf)
    assert row["global_p"] == pytest.approx(stats.chi2.sf(lr, 3), rel=1e-4)


@pytest.fixture(scope="module")
def rates() -> pd.DataFrame:
    """Simulated infections over person-years, by ward (3 levels) and age, some missing."""
    rng = np.random.default_rng(11)
    n = 400
    ward = rng.choice(["Surgical", "Medical", "ICU"], n)
    age = rng.normal(60, 12, n)
    years = rng.uniform(0.2, 3.0, n)
    rate = np.exp(-2.0 + 0.8 * (ward == "ICU") + 0.3 * (ward == "Surgical") + 0.02 * (age - 60))
    df = pd.DataFrame(
        {"infections": rng.poisson(rate * years), "ward": ward, "age": age, "years": years}
    )
    df.loc[[5, 17, 99], "age"] = np.nan
    df.loc[[200], "years"] = 0.0
    return df


def test_poisson_rate_model_with_offset_matches_statsmodels_glm(rates):
    spec = RegressionSpec(
        "infections",
        ("ward", "age"),
        model="poisson",
        exposure="years",
        screen_p=None,
        categorical=("ward",),
        reference=(("ward", "Medical"),),
    )
    result = analyze(rates, spec)
    used = rates.dropna()
    used = used[used["years"] > 0]
    glm = smf.glm(
        "infections ~ C(ward, Treatment('Medical')) + age",
        data=used,
        family=sm.families.Poisson(),
        offset=np.log(used["years"]),
    ).fit()
    term = "C(ward, Treatment('Medical'))[T.ICU]"
    row = _rows(result.multivariable, "ward").loc["ICU"]
    assert row["estimate"] == pytest.approx(np.exp(glm.params[term]), rel=1e-7)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(
        tuple(np.exp(glm.conf_int().loc[term])), rel=1e-7
    )
    age = _rows(result.multivariable, "age").loc[""]
    assert age["estimate"] == pytest.approx(np.exp(glm.params["age"]), rel=1e-7)
    assert age["p_value"] == pytest.approx(glm.pvalues["age"], rel=1e-6)
    m = result.fit
    assert m.n_used == len(used) == 396 and m.n_excluded == 3
    assert m.aic == pytest.approx(glm.aic, rel=1e-9)
    assert m.dispersion == pytest.approx(glm.pearson_chi2 / glm.df_resid, rel=1e-9)
    assert any("exposure ('years') of 0 or less" in w for w in result.warnings)
    # The ward's overall p is the LR test of dropping both of its columns.
    reduced = smf.glm(
        "infections ~ age", data=used, family=sm.families.Poisson(), offset=np.log(used["years"])
    ).fit()
    lr_p = stats.chi2.sf(2 * (glm.llf - reduced.llf), 2)
    assert row["global_p"] == pytest.approx(lr_p, rel=1e-6)
    # Univariable: ward alone on every patient with a positive exposure; summary is the rate.
    uni = _rows(result.univariable, "ward")
    alone = rates[rates["years"] > 0]
    crude = smf.glm(
        "infections ~ C(ward, Treatment('Medical'))",
        data=alone,
        family=sm.families.Poisson(),
        offset=np.log(alone["years"]),
    ).fit()
    assert uni.loc["ICU", "estimate"] == pytest.approx(np.exp(crude.params[term]), rel=1e-7)
    icu = alone[alone["ward"] == "ICU"]
    assert uni.loc["ICU", "summary"].startswith(
        f"{icu['infections'].sum() / icu['years'].sum():.3f}"
    )


@pytest.fixture(scope="module")
def blood_pressure() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    n = 300
    df = pd.DataFrame(
        {
            "age": rng.normal(55, 10, n),
            "stage": rng.choice(["I", "II", "III"], n),
            "sex": rng.choice(["F", "M"], n),
            "noise": rng.normal(size=n),
        }
    )
    df["sbp"] = (
        110
        + 0.5 * df["age"]
        + 6 * (df["stage"] == "II")
        + 12 * (df["stage"] == "III")
        + rng.normal(0, 12, n)
    )
    df.loc[[2, 4, 6], "sbp"] = np.nan
    df.loc[[10, 11], "stage"] = None
    return df


def test_linear_model_matches_statsmodels_ols(blood_pressure):
    spec = RegressionSpec(
        "sbp", ("age", "stage", "sex"), model="linear", screen_p=None, categorical=("stage", "sex")
    )
    result = analyze(blood_pressure, spec)
    used = blood_pressure.dropna(subset=["sbp", "age", "stage", "sex"])
    ols = smf.ols("sbp ~ age + C(stage) + C(sex)", data=used).fit()
    row = _rows(result.multivariable, "stage").loc["III"]
    assert row["estimate"] == pytest.approx(ols.params["C(stage)[T.III]"], rel=1e-9)
    ci = ols.conf_int().loc["C(stage)[T.III]"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx(tuple(ci), rel=1e-9)
    assert row["p_value"] == pytest.approx(ols.pvalues["C(stage)[T.III]"], rel=1e-7)
    # Overall p of stage: the F test of the nested models (anova in R).
    reduced = smf.ols("sbp ~ age + C(sex)", data=used).fit()
    f_p = sm.stats.anova_lm(reduced, ols)["Pr(>F)"].iloc[1]
    assert row["global_p"] == pytest.approx(f_p, rel=1e-7)
    m = result.fit
    assert m.r2 == pytest.approx(ols.rsquared, rel=1e-10)
    assert m.adj_r2 == pytest.approx(ols.rsquared_adj, rel=1e-10)
    assert m.residual_se == pytest.approx(np.sqrt(ols.scale), rel=1e-10)
    assert m.f_statistic == pytest.approx(ols.fvalue, rel=1e-10)
    assert (m.f_df1, m.f_df2) == (4, len(used) - 5)
    # R's AIC(lm)/BIC(lm) count sigma² too: one parameter more than statsmodels' OLS aic/bic.
    assert m.aic == pytest.approx(ols.aic + 2, rel=1e-10)
    assert m.bic == pytest.approx(ols.bic + np.log(ols.nobs), rel=1e-10)
    # Residual diagnostics: internally studentized residuals (R's rstandard).
    d = result.diagnostics
    studentized = ols.get_influence().resid_studentized_internal
    assert np.allclose(d["std_residual"], studentized, rtol=1e-8)
    assert np.allclose(d["fitted"], ols.fittedvalues, rtol=1e-10)
    # QQ: the smallest residual sits at qnorm(ppoints(n))[1].
    n = len(used)
    first = stats.norm.ppf((1 - 0.5) / n)
    assert d.loc[d["std_residual"].idxmin(), "qq_theoretical"] == pytest.approx(first)
    uni = _rows(result.univariable, "age").loc[""]
    crude = smf.ols("sbp ~ age", data=blood_pressure.dropna(subset=["sbp", "age"])).fit()
    assert uni["estimate"] == pytest.approx(crude.params["age"], rel=1e-9)
    assert uni["n"] == crude.nobs


def test_screening_keeps_significant_and_forced_covariates(blood_pressure):
    spec = RegressionSpec(
        "sbp",
        ("age", "stage", "sex", "noise"),
        screen_p=0.05,
        force=("sex",),
        categorical=("stage", "sex"),
    )
    result = analyze(blood_pressure, spec)
    uni = result.univariable.groupby("variable")["global_p"].first()
    assert uni["noise"] > 0.05 and uni["age"] < 0.05
    assert set(result.fit.covariates_in_model) == {"age", "stage", "sex"}
    assert "noise" not in set(result.multivariable["variable"])


def test_reference_level_is_respected(blood_pressure):
    spec = RegressionSpec(
        "sbp", ("stage",), screen_p=None, categorical=("stage",), reference=(("stage", "III"),)
    )
    rows = _rows(analyze(blood_pressure, spec).multivariable, "stage")
    assert rows.index[0] == "III" and rows.loc["III", "is_reference"]
    assert rows.loc["I", "estimate"] < 0  # stage I has lower pressure than III


def test_count_model_without_overdispersion_stays_poisson():
    rng = np.random.default_rng(5)
    x = rng.normal(size=500)
    df = pd.DataFrame({"y": rng.poisson(np.exp(0.5 + 0.4 * x)), "x": x})
    result = analyze(df, RegressionSpec("y", ("x",), model="count", screen_p=None))
    assert result.fit.family == "poisson"
    assert result.fit.family_reason == "no overdispersion"
    assert result.fit.screening_dispersion < 1.5


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (RegressionSpec("grade", ("age",)), "not numeric"),
        (RegressionSpec("flag", ("age",)), "continuous outcome"),
        (RegressionSpec("score", ("age",), model="poisson"), "not a count"),
        (RegressionSpec("visits", ("age",), exposure="age"), "only applies to count"),
        (RegressionSpec("visits", ("nothing",)), "not in the data"),
        (RegressionSpec("visits", ("same",), model="poisson"), "no usable covariates"),
    ],
)
def test_clear_errors(spec, message):
    df = pd.DataFrame(
        {
            "grade": ["a", "b", "c", "a", "b", "c"],
            "flag": [0, 1, 0, 1, 0, 1],
            "score": [1.5, -2.0, 3.1, 4.2, 0.3, 2.2],
            "visits": [0, 2, 1, 5, 3, 2],
            "age": [40, 50, 60, 70, 45, 55],
            "same": [1, 1, 1, 1, 1, 1],
        }
    )
    with pytest.raises(AnalysisError, match=message):
        analyze(df, spec)


def _r_linear_models() -> list[tuple[str, dict]]:
    """tests/r/regression_lm.csv, written by tests/r/regression_lm.R (R 4.2.2)."""
    table = pd.read_csv(R_REFERENCE / "regression_lm.csv")
    return [(row["data"], row) for row in table.to_dict("records")]


@pytest.mark.parametrize(("data", "reference"), _r_linear_models())
def test_linear_aic_and_bic_equal_r_lm(data, reference):
    # R: AIC(lm(...)) and BIC(lm(...)) with df = rank + 1 (the residual variance counts).
    frame = pd.read_csv(DATA / f"{data}.csv", na_values=".")
    outcome, rhs = (side.strip() for side in reference["formula"].split("~"))
    covariates = tuple(term.strip() for term in rhs.split("+"))
    factors = tuple(c for c in covariates if not pd.api.types.is_numeric_dtype(frame[c]))
    spec = RegressionSpec(outcome, covariates, screen_p=None, categorical=factors)
    m = analyze(frame, spec).fit
    assert m.n_used == reference["n"]
    assert m.n_parameters + 2 == reference["df"]  # coefficients besides the intercept
    assert m.log_likelihood == pytest.approx(reference["loglik"], rel=1e-12)
    assert m.aic == pytest.approx(reference["aic"], rel=1e-12)
    assert m.bic == pytest.approx(reference["bic"], rel=1e-12)
