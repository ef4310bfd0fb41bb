"""analyze(): crude and adjusted estimates against statsmodels fitted directly, and behaviour."""

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analyses.errors import AnalysisError
from analyses.outcome import analyze
from analyses.results import MULTIVARIABLE_COLUMNS, UNIVARIABLE_COLUMNS
from analyses.specs import OutcomeSpec

Z = stats.norm.ppf(0.975)


def make_data(seed: int, n: int = 500) -> pd.DataFrame:
    """Age (numeric), sex, a 3-level stage and a 4-level site, with missing values."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "sex": rng.choice(["F", "M"], n),
            "stage": rng.choice(["I", "II", "III"], n, p=[0.3, 0.4, 0.3]),
            "site": rng.choice(["north", "south", "east", "west"], n),
        }
    )
    lp = (
        -4
        + 0.05 * df.age
        + 0.6 * (df.sex == "M")
        + np.select([df.stage == "I", df.stage == "III"], [-0.5, 0.9], 0.0)
    )
    df["outcome"] = np.where(rng.random(n) < 1 / (1 + np.exp(-lp)), "yes", "no")
    df.loc[rng.random(n) < 0.05, "age"] = np.nan
    df.loc[rng.random(n) < 0.05, "stage"] = None
    df.loc[rng.random(n) < 0.03, "outcome"] = None
    return df


def spec(**kw) -> OutcomeSpec:
    base = dict(
        outcome="outcome",
        covariates=("age", "sex", "stage", "site"),
        categorical=("sex", "stage", "site"),
        reference=(("stage", "II"),),  # not the default "I"
        screen_p=None,
    )
    base.update(kw)
    return OutcomeSpec(**base)


def dummies(df: pd.DataFrame, name: str, reference: str) -> pd.DataFrame:
    levels = [lv for lv in sorted(df[name].dropna().unique()) if lv != reference]
    return pd.DataFrame({f"{name}={lv}": (df[name] == lv).astype(float) for lv in levels})


def check_rows(table: pd.DataFrame, variable: str, names: list[str], res) -> None:
    """Each non-reference row of `variable` equals the statsmodels coefficient of that name."""
    rows = table[(table.variable == variable) & ~table.is_reference]
    assert len(rows) == len(names)
    for (_, row), name in zip(rows.iterrows(), names, strict=True):
        b, se = res.params[name], res.bse[name]
        np.testing.assert_allclose(row.estimate, np.exp(b), rtol=1e-6)
        np.testing.assert_allclose(row.ci_low, np.exp(b - Z * se), rtol=1e-5)
        np.testing.assert_allclose(row.ci_high, np.exp(b + Z * se), rtol=1e-5)
        np.testing.assert_allclose(row.p_value, res.pvalues[name], rtol=1e-5, atol=1e-12)


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_crude_estimates_equal_statsmodels(seed):
    df = make_data(seed)
    result = analyze(df, spec())
    uni = result.univariable
    y_known = df.outcome.notna()

    d = df[y_known & df.age.notna()]
    res = sm.Logit((d.outcome == "yes").astype(float), sm.add_constant(d[["age"]])).fit(disp=0)
    check_rows(uni, "age", ["age"], res)

    d = df[y_known & df.stage.notna()].reset_index(drop=True)
    X = sm.add_constant(dummies(d, "stage", "II"))
    res = sm.Logit((d.outcome == "yes").astype(float), X).fit(disp=0)
    check_rows(uni, "stage", ["stage=I", "stage=III"], res)
    # Global p of a 3-level factor: LR test against the intercept-only model on the same rows.
    np.testing.assert_allclose(uni.loc[uni.variable == "stage", "global_p"], res.llr_pvalue)
    ref = uni[(uni.variable == "stage") & uni.is_reference].iloc[0]
    assert ref.level == "II" and ref.estimate == 1.0 and np.isnan(ref.ci_low)
    assert np.isnan(ref.p_value)
    assert list(uni.loc[uni.variable == "stage", "level"]) == ["II", "I", "III"]
    assert (uni.method == "logit").all()


@pytest.mark.parametrize("seed", [1, 7, 2024])
def test_adjusted_estimates_and_global_p_equal_statsmodels(seed):
    df = make_data(seed)
    result = analyze(df, spec())
    cc = df.dropna(subset=["outcome", "age", "sex", "stage", "site"]).reset_index(drop=True)
    y = (cc.outcome == "yes").astype(float)
    parts = [cc[["age"]], dummies(cc, "sex", "F"), dummies(cc, "stage", "II")]
    X_full = sm.add_constant(pd.concat(parts + [dummies(cc, "site", "east")], axis=1))
    full = sm.Logit(y, X_full).fit(disp=0)
    multi = result.multivariable
    check_rows(multi, "age", ["age"], full)
    check_rows(multi, "stage", ["stage=I", "stage=III"], full)
    check_rows(multi, "site", ["site=north", "site=south", "site=west"], full)

    reduced = sm.Logit(y, sm.add_constant(pd.concat(parts, axis=1))).fit(disp=0)
    lr_p = stats.chi2.sf(2 * (full.llf - reduced.llf), 3)
    np.testing.assert_allclose(multi.loc[multi.variable == "site", "global_p"], lr_p, rtol=1e-6)

    m = result.fit
    assert m.n_used == len(cc)
    assert m.n_total == int(df.outcome.notna().sum())
    assert m.n_excluded == m.n_total - len(cc)
    np.testing.assert_allclose(m.log_likelihood, full.llf, rtol=1e-8)
    np.testing.assert_allclose(m.aic, full.aic, rtol=1e-8)
    np.testing.assert_allclose(m.mcfadden_r2, full.prsquared, rtol=1e-6)
    assert m.method == "logit" and m.solver == "newton" and m.fallbacks == ()
    assert m.event == "yes"


def test_tables_have_contract_columns_and_model_keys():
    result = analyze(make_data(3), spec())
    assert tuple(result.univariable.columns) == UNIVARIABLE_COLUMNS
    assert tuple(result.multivariable.columns) == MULTIVARIABLE_COLUMNS
    keys = [
        "method",
        "event",
        "n_total",
        "n_used",
        "n_excluded",
        "events",
        "non_events",
        "n_parameters",
        "events_per_variable",
        "log_likelihood",
        "aic",
        "mcfadden_r2",
        "nagelkerke_r2",
        "auc",
        "auc_ci_low",
        "auc_ci_high",
        "hosmer_lemeshow_chi2",
        "hosmer_lemeshow_df",
        "hosmer_lemeshow_p",
        "screen_p",
        "covariates_in_model",
        "solver",
        "fallbacks",
    ]
    assert set(keys) <= {f.name for f in fields(result.fit)}
    for key in (f.name for f in fields(result.fit)):
        value = getattr(result.fit, key)
        assert isinstance(value, (int, float, str, tuple, bool, type(None))), key
    assert list(result.vif.variable) == ["age", "sex", "stage", "site"]
    assert (result.univariable.level[result.univariable.variable == "age"] == "").all()


def test_constant_outcome_is_an_error_that_says_what_to_do():
    df = make_data(1).assign(outcome="yes")
    with pytest.raises(AnalysisError, match="only one value"):
        analyze(df, spec())


def test_three_level_outcome_needs_an_event():
    df = make_data(1)
    df.loc[df.index[:40], "outcome"] = "unknown"
    with pytest.raises(AnalysisError, match="Choose which value is the event"):
        analyze(df, spec())
    result = analyze(df, spec(event="yes"))
    assert result.fit.event == "yes"
    assert any("against all the others" in w for w in result.warnings)


def test_event_level_not_present_is_an_error():
    with pytest.raises(AnalysisError, match="does not occur"):
        analyze(make_data(1), spec(event="dead"))


def test_no_usable_covariates_is_an_error():
    df = make_data(1).assign(flat=5.0, empty=np.nan)
    with pytest.raises(AnalysisError, match="no usable covariates"):
        analyze(df, spec(covariates=("flat", "empty"), categorical=()))


def test_text_in_a_numeric_covariate_names_the_column():
    df = make_data(1).assign(weight="heavy")
    with pytest.raises(AnalysisError, match="'weight' is not numeric"):
        analyze(df, spec(covariates=("age", "weight")))


def test_constant_and_empty_columns_are_dropped_with_a_warning():
    df = make_data(1).assign(flat=5.0, empty=np.nan)
    result = analyze(df, spec(covariates=("age", "flat", "empty", "sex")))
    assert "flat" not in set(result.univariable.variable)
    assert any("same value for every patient: flat" in w for w in result.warnings)
    assert any("no values: empty" in w for w in result.warnings)


def separated_data() -> pd.DataFrame:
    """Every patient with the 'rare' exposure had the event: quasi-complete separation."""
    rng = np.random.default_rng(5)
    n = 120
    df = pd.DataFrame({"age": rng.normal(50, 8, n), "exposure": rng.choice(["none", "low"], n)})
    df.loc[:9, "exposure"] = "rare"
    p = 1 / (1 + np.exp(-(-1 + 0.03 * (df.age - 50))))
    df["died"] = (rng.random(n) < p).astype(int)
    df.loc[:9, "died"] = 1
    return df


def test_separation_uses_firth_and_warns():
    df = separated_data()
    s = spec(
        outcome="died", covariates=("age", "exposure"), categorical=("exposure",), reference=()
    )
    result = analyze(df, s)
    assert result.fit.method == "firth"
    assert result.fit.separation is True
    uni = result.univariable
    assert (uni.loc[uni.variable == "exposure", "method"] == "firth").all()
    rare = result.multivariable.query("level == 'rare'").iloc[0]
    assert np.isfinite(rare.estimate) and rare.estimate > 1 and np.isfinite(rare.ci_high)
    assert any("Firth" in w and "exposure" in w for w in result.warnings)
    assert any("every patient in 'rare' had the event" in w for w in result.warnings)


def test_logit_method_on_separated_data_warns_loudly():
    df = separated_data()
    s = spec(
        outcome="died",
        covariates=("age", "exposure"),
        categorical=("exposure",),
        reference=(),
        method="logit",
    )
    result = analyze(df, s)
    assert result.fit.method == "logit"
    assert any(w.startswith("WARNING: separation in the multivariable") for w in result.warnings)


def test_collinear_covariates_get_a_vif_warning():
    df = make_data(2)
    rng = np.random.default_rng(0)
    df["age_months"] = df.age * 12 + rng.normal(0, 6, len(df))
    result = analyze(df, spec(covariates=("age", "age_months", "sex"), categorical=("sex",)))
    serious = [w for w in result.warnings if w.startswith("Serious collinearity")]
    assert serious and "'age'" in serious[0] and "'age_months'" in serious[0]
    assert result.vif.set_index("variable").loc["age", "vif"] > 10


def test_screening_keeps_significant_and_forced_covariates_in_spec_order():
    df = make_data(11, n=800)
    df["noise"] = np.random.default_rng(3).normal(size=len(df))
    s = spec(covariates=("noise", "age", "sex", "stage", "site"), screen_p=0.05, force=("noise",))
    result = analyze(df, s)
    uni_p = result.univariable.groupby("variable", sort=False).global_p.first()
    expected = tuple(v for v in s.covariates if v == "noise" or uni_p[v] < 0.05)
    assert result.fit.covariates_in_model == expected
    assert list(dict.fromkeys(result.multivariable.variable)) == list(expected)
    assert "site" not in expected or uni_p["site"] < 0.05


def test_no_covariate_passing_screening_fits_the_strongest_with_a_warning():
    rng = np.random.default_rng(8)
    df = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    df["y"] = rng.choice(["no", "yes"], 200)
    result = analyze(df, OutcomeSpec(outcome="y", covariates=("a", "b"), screen_p=0.001))
    uni_p = result.univariable.set_index("variable").global_p
    assert result.fit.covariates_in_model == (uni_p.idxmin(),)
    assert any("only the strongest candidate" in w for w in result.warnings)
