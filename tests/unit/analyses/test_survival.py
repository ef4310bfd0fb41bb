"""analyze() for survival against published R output (survival package) and statsmodels.

Data (tests/data/SURVIVAL_SOURCES.md): R's `lung` (CSV from PSIAIMS/CAMIS) and `aml`.
R reference values, survival package 3.x, as printed by R:
- survfit(Surv(time, status) ~ 1, data = aml): n 23, events 18, median 27, 0.95LCL 18,
  0.95UCL 45; summary(): survival 0.9130 0.8261 0.7826 ..., lower 95% CI 0.8049 0.6848 0.6310
  ..., upper 95% CI 1.000 0.996 0.971 ... (conf.type "log", R's default).
- survfit(Surv(time, status) ~ x, data = aml): Maintained 11 / 7 / 31 (18, NA);
  Nonmaintained 12 / 11 / 23 (8, NA).
- survdiff(Surv(time, status) ~ x, data = aml): observed 7 / 11, expected 10.69 / 7.31,
  Chisq = 3.4 on 1 df, p = 0.0653.
- survfit(Surv(time, status) ~ sex, data = lung): sex=1 138 / 112 / 270 (212, 310);
  sex=2 90 / 53 / 426 (348, 550).
- survdiff(Surv(time, status) ~ sex, data = lung): observed 112 / 53, expected 91.6 / 73.4,
  Chisq = 10.3 on 1 df, p = 0.00131.
- coxph(Surv(time, status) ~ sex, data = lung): coef -0.5310, se 0.1672, HR 0.588
  (0.4237, 0.816), p 0.00149; likelihood ratio test 10.63 on 1 df.
- coxph(Surv(time, status) ~ age + sex, data = lung) (R's ?summary.coxph example):
  coef age 0.017045, sex -0.513219; se 0.00922, 0.16745; p 0.0650, 0.0022; HR CI age
  0.999-1.036, sex 0.431-0.831; likelihood ratio test 14.1 on 2 df, p = 0.000857.
- cox.zph(coxph(Surv(time, status) ~ age + sex, data = lung)): chisq age 0.209 (p 0.65),
  sex 2.608 (p 0.11), GLOBAL 2.771 on 2 df (p 0.25).
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from analyses.errors import AnalysisError
from analyses.specs import SurvivalSpec
from analyses.survival import ALL, VERSION, analyze

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    df = pd.read_csv(DATA / "lung.csv", na_values=".")
    df["sex"] = df["sex"].map({1: "Male", 2: "Female"})
    return df


@pytest.fixture(scope="module")
def aml() -> pd.DataFrame:
    return pd.read_csv(DATA / "aml.csv")


def row(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= table[column] == value
    assert mask.sum() == 1, where
    return table[mask].iloc[0]


def test_version_is_a_string():
    assert VERSION == "3"


def test_aml_overall_curve_band_and_median_match_r(aml):
    result = analyze(aml, SurvivalSpec(event="status", time="time", event_level="1"))
    curve = result.curves[result.curves["n_event"] > 0]
    np.testing.assert_allclose(curve["survival"].head(3), [0.9130, 0.8261, 0.7826], atol=5e-5)
    np.testing.assert_allclose(curve["std_err"].head(3), [0.0588, 0.0790, 0.0860], atol=5e-5)
    np.testing.assert_allclose(curve["ci_low"].head(3), [0.8049, 0.6848, 0.6310], atol=5e-5)
    np.testing.assert_allclose(curve["ci_high"].head(3), [1.000, 0.996, 0.971], atol=5e-4)
    # The last event (48 weeks): survival 0.0828, band 0.0148-0.462.
    last = curve.iloc[-1]
    assert last["time"] == 48
    assert last[["survival", "ci_low", "ci_high"]].tolist() == pytest.approx(
        [0.0828, 0.0148, 0.462], abs=5e-4
    )
    median = row(result.medians, group=ALL)
    assert (median["n"], median["events"]) == (23, 18)
    assert median[["median", "ci_low", "ci_high"]].tolist() == [27, 18, 45]


def test_aml_curve_equals_statsmodels_at_every_event(aml):
    result = analyze(aml, SurvivalSpec(event="status", time="time", event_level="1"))
    fit = SurvfuncRight(aml["time"], aml["status"])
    curve = result.curves[result.curves["n_event"] > 0]
    np.testing.assert_allclose(curve["time"], fit.surv_times)
    np.testing.assert_allclose(curve["survival"], fit.surv_prob)
    np.testing.assert_allclose(curve["std_err"], fit.surv_prob_se)
    np.testing.assert_array_equal(curve["n_risk"], fit.n_risk)


def test_aml_by_group_medians_and_logrank_match_r(aml):
    result = analyze(aml, SurvivalSpec(event="status", time="time", event_level="1", group="x"))
    kept = row(result.medians, group="Maintained")
    assert (kept["n"], kept["events"], kept["median"], kept["ci_low"]) == (11, 7, 31, 18)
    assert np.isnan(kept["ci_high"])  # R prints NA: the band never reaches 0.5
    other = row(result.medians, group="Nonmaintained")
    assert (other["n"], other["events"], other["median"], other["ci_low"]) == (12, 11, 23, 8)
    assert np.isnan(other["ci_high"])
    assert row(result.logrank, group="Maintained")["expected"] == pytest.approx(10.69, abs=5e-3)
    assert row(result.logrank, group="Nonmaintained")["observed"] == 11
    assert result.fit.logrank_chi2 == pytest.approx(3.4, abs=0.05)
    assert result.fit.logrank_p == pytest.approx(0.0653, abs=5e-5)
    chi2, p = survdiff(aml["time"], aml["status"], aml["x"])
    assert result.fit.logrank_chi2 == pytest.approx(chi2, rel=1e-12)


def test_lung_by_sex_matches_r(lung):
    spec = SurvivalSpec(event="status", time="time", event_level="2", group="sex")
    result = analyze(lung, spec)
    male, female = row(result.medians, group="Male"), row(result.medians, group="Female")
    assert male[["n", "events", "median", "ci_low", "ci_high"]].tolist() == [
        138,
        112,
        270,
        212,
        310,
    ]
    assert female[["n", "events", "median", "ci_low", "ci_high"]].tolist() == [
        90,
        53,
        426,
        348,
        550,
    ]
    assert row(result.logrank, group="Male")["expected"] == pytest.approx(91.6, abs=0.05)
    assert result.fit.logrank_chi2 == pytest.approx(10.3, abs=0.05)
    assert result.fit.logrank_p == pytest.approx(0.00131, abs=5e-6)
    # Group is the Cox covariate; reference = first level in order (Female), so the HR of
    # Male is R's exp(0.5310) with the CI inverted from R's 0.4237-0.816.
    hr = row(result.univariable, variable="sex", level="Male")
    assert np.log(hr["estimate"]) == pytest.approx(0.5310, abs=5e-5)
    assert (hr["ci_low"], hr["ci_high"]) == pytest.approx((1 / 0.816, 1 / 0.4237), rel=1e-3)
    assert hr["p_value"] == pytest.approx(0.00149, abs=5e-6)
    assert row(result.univariable, variable="sex", level="Female")["is_reference"]
    assert result.fit.cox_lr_chi2 == pytest.approx(10.63, abs=5e-3)


def test_lung_age_sex_cox_and_ph_test_match_r(lung):
    df = lung.assign(sex_code=lung["sex"].map({"Male": 1, "Female": 2}))
    spec = SurvivalSpec(
        event="status", time="time", event_level="2", covariates=("age", "sex_code")
    )
    result = analyze(df, spec)
    multi = result.multivariable
    age, sex = row(multi, variable="age"), row(multi, variable="sex_code")
    assert np.log(age["estimate"]) == pytest.approx(0.017045, abs=5e-7)
    assert np.log(sex["estimate"]) == pytest.approx(-0.513219, abs=5e-7)
    assert age["p_value"] == pytest.approx(0.0650, abs=5e-4)
    assert sex["p_value"] == pytest.approx(0.0022, abs=5e-5)
    assert (age["ci_low"], age["ci_high"]) == pytest.approx((0.999, 1.036), abs=5e-4)
    assert (sex["ci_low"], sex["ci_high"]) == pytest.approx((0.431, 0.831), abs=5e-4)
    assert result.fit.cox_lr_chi2 == pytest.approx(14.1, abs=0.05)
    assert result.fit.cox_lr_p == pytest.approx(0.000857, abs=5e-7)
    ph = result.ph_test
    assert row(ph, variable="age")["chi2"] == pytest.approx(0.209, abs=5e-4)
    assert row(ph, variable="sex_code")["chi2"] == pytest.approx(2.608, abs=5e-4)
    overall = ph[ph["is_global"]].iloc[0]
    assert (overall["chi2"], overall["df"]) == (pytest.approx(2.771, abs=5e-4), 2)
    assert result.fit.ph_global_p == pytest.approx(0.25, abs=5e-3)


def test_factor_hazard_ratios_and_lr_global_p_equal_statsmodels(lung):
    spec = SurvivalSpec(
        event="status",
        time="time",
        event_level="2",
        covariates=("age", "ph.ecog"),
        categorical=("ph.ecog",),
    )
    result = analyze(lung, spec)
    data = lung.dropna(subset=["age", "ph.ecog"])
    dummies = pd.get_dummies(data["ph.ecog"].astype(int), prefix="e", drop_first=True)
    x = pd.concat([data[["age"]], dummies], axis=1).astype(float)
    status = (data["status"] == 2).astype(float)
    full = PHReg(data["time"], x, status=status, ties="efron").fit()
    reduced = PHReg(data["time"], x[["age"]], status=status, ties="efron").fit()
    for level, name in (("1", "e_1"), ("2", "e_2"), ("3", "e_3")):
        got = row(result.multivariable, variable="ph.ecog", level=level)
        k = list(x.columns).index(name)
        assert got["estimate"] == pytest.approx(np.exp(full.params[k]), rel=1e-6)
        assert got["p_value"] == pytest.approx(full.pvalues[k], rel=1e-6)
        assert got["n"] == int((data["ph.ecog"] == int(level)).sum())
    lr = 2 * (full.llf - reduced.llf)
    from scipy import stats

    expected = stats.chi2.sf(lr, 3)
    assert row(result.multivariable, variable="ph.ecog", level="0")["global_p"] == pytest.approx(
        expected, rel=1e-6
    )
    assert result.fit.cox_n_used == len(data)


def test_log_log_band_follows_its_formula(aml):
    result = analyze(
        aml, SurvivalSpec(event="status", time="time", event_level="1", conf_type="log-log")
    )
    curve = result.curves[result.curves["n_event"] > 0]
    s, se = curve["survival"].to_numpy(), curve["std_err"].to_numpy() / curve["survival"]
    theta_se = se / np.abs(np.log(s))
    expected_low = np.exp(-np.exp(np.log(-np.log(s)) + 1.959964 * theta_se))
    np.testing.assert_allclose(curve["ci_low"], expected_low, rtol=1e-5)
    assert (curve["ci_high"] < 1).all()  # unlike the log band, it never reaches 1


def test_time_from_two_dates_is_days(aml):
    start = pd.Timestamp("2020-01-01")
    df = aml.assign(
        start=start.strftime("%Y-%m-%d"),
        end=[(start + pd.Timedelta(days=int(t))).strftime("%Y-%m-%d") for t in aml["time"]],
    )
    by_dates = analyze(df, SurvivalSpec(event="status", start="start", end="end", event_level="1"))
    by_time = analyze(df, SurvivalSpec(event="status", time="time", event_level="1"))
    pd.testing.assert_frame_equal(by_dates.curves, by_time.curves)
    assert by_dates.fit.time_source == "dates"


def test_at_risk_table_counts_patients_still_followed(aml):
    spec = SurvivalSpec(event="status", time="time", event_level="1", risk_times=(0, 10, 30))
    table = analyze(aml, spec).at_risk
    assert table["n_risk"].tolist() == [23, 18, 9]  # time >= 0, >= 10, >= 30
    assert table["events"].tolist() == [0, 5, 12]  # events at or before the time


def test_default_event_level_of_one_two_coding_is_two(lung):
    result = analyze(lung, SurvivalSpec(event="status", time="time"))
    assert result.fit.event == "2"
    assert any("taken to be status = '2'" in w for w in result.warnings)


def test_missing_times_are_left_out_and_reported(aml):
    df = aml.astype({"time": float})
    df.loc[[0, 1], "time"] = np.nan
    result = analyze(df, SurvivalSpec(event="status", time="time", event_level="1"))
    assert result.fit.n_used == 21
    assert result.warnings[0].startswith("2 of 23 patients")


@pytest.mark.parametrize(
    "spec, message",
    [
        (SurvivalSpec(event="status", time="nope"), "not in the data"),
        (SurvivalSpec(event="status", time="time", event_level="9"), "does not occur"),
        (SurvivalSpec(event="status"), "Choose the follow-up time"),
    ],
)
def test_unusable_requests_raise_clear_errors(aml, spec, message):
    with pytest.raises(AnalysisError, match=message):
        analyze(aml, spec)


def test_negative_times_and_no_events_are_refused(aml):
    with pytest.raises(AnalysisError, match="negative"):
        analyze(aml.assign(time=-aml["time"]), SurvivalSpec(event="status", time="time"))
    only_censored = aml.assign(time=aml["time"].where(aml["status"] == 0))
    with pytest.raises(AnalysisError, match="No patient has the event"):
        analyze(only_censored, SurvivalSpec(event="status", time="time", event_level="1"))


def test_vectorised_fitter_equals_phreg_for_large_files(lung):
    """The fitter used beyond PHREG_MAX_WORK gives PHReg's numbers (age + ECOG factor)."""
    from analyses.survival_cox import fit_cox

    data = lung.dropna(subset=["ph.ecog"])
    x = np.column_stack([data["age"], data["ph.ecog"] == 1, data["ph.ecog"] == 2]).astype(float)
    time, event = data["time"].to_numpy(float), (data["status"] == 2).to_numpy(float)
    phreg, fast = fit_cox(time, event, x), fit_cox(time, event, x, max_work=0)
    np.testing.assert_allclose(fast.params, phreg.params, rtol=1e-7)
    np.testing.assert_allclose(fast.bse, phreg.bse, rtol=1e-6)
    np.testing.assert_allclose(fast.pvalues, phreg.pvalues, rtol=1e-5)
    assert fast.loglik == pytest.approx(phreg.loglik, rel=1e-12)
    assert fast.loglik_null == pytest.approx(phreg.loglik_null, rel=1e-12)
    assert fast.converged and phreg.converged


def test_result_survives_the_shared_cache_codec(aml):
    """Results are stored in the Redis tier as JSON: every table must come back unchanged."""
    from analyses.fit_records import SurvivalFit
    from analyses.results import SurvivalResult
    from utils import codec

    spec = SurvivalSpec(event="status", time="time", event_level="1", group="x")
    result = analyze(aml, spec)
    back = codec.from_json(codec.to_json(result), [SurvivalResult, SurvivalFit])
    for name in ("curves", "at_risk", "medians", "logrank", "univariable", "ph_test"):
        pd.testing.assert_frame_equal(getattr(back, name), getattr(result, name))
    assert back.fit == result.fit and back.warnings == result.warnings


def test_a_group_with_one_level_gives_one_curve_and_no_cox_model(aml):
    only = aml[aml["x"] == "Maintained"]
    result = analyze(only, SurvivalSpec(event="status", time="time", event_level="1", group="x"))
    assert result.medians["group"].tolist() == ["Maintained"]
    assert np.isnan(result.fit.logrank_p) and result.univariable.empty
    assert any("same group" in w for w in result.warnings)


R_CRUDE_COX = Path(__file__).resolve().parents[2] / "r" / "survival_crude_cox.csv"
COX_SCENARIOS = {
    # R's lung: the group and the covariates have different missing values (ph.ecog 1,
    # wt.loss 14, meal.cal 47, wt_grp 14 patients).
    "ecog": dict(group="ph.ecog", covariates=("wt.loss", "meal.cal"), categorical=()),
    "weight": dict(
        group="wt_grp", covariates=("meal.cal", "ph.ecog", "age"), categorical=("ph.ecog",)
    ),
}


@pytest.mark.parametrize("scenario", sorted(COX_SCENARIOS))
def test_crude_hazard_ratios_use_every_patient_with_the_covariate_as_r(scenario):
    # R (tests/r/survival_crude_cox.R): coxph(Surv(time, status) ~ v, data = lung) for each
    # variable alone, and one coxph of all of them on their complete cases.
    lung = pd.read_csv(DATA / "lung.csv", na_values=".")
    spec = SurvivalSpec(event="status", time="time", event_level="2", **COX_SCENARIOS[scenario])
    result = analyze(lung, spec)
    reference = pd.read_csv(R_CRUDE_COX, dtype={"level": str}, keep_default_na=False)
    reference = reference[reference["scenario"] == scenario]
    for model, ours in (
        ("univariable", result.univariable),
        ("multivariable", result.multivariable),
    ):
        expected = reference[reference["model"] == model]
        for variable, rows in expected.groupby("variable", sort=False):
            mine = ours[ours["variable"] == variable]
            assert mine["n"].sum() == rows["n"].iloc[0], (model, variable)
            assert mine["events"].sum() == rows["events"].iloc[0], (model, variable)
            for r in rows.itertuples():
                got = mine[mine["level"] == r.level].iloc[0]
                want = [float(r.hr), float(r.ci_low), float(r.ci_high)]
                assert [got["estimate"], got["ci_low"], got["ci_high"]] == pytest.approx(
                    want, rel=1e-6
                ), (model, variable, r.level)
                assert got["p_value"] == pytest.approx(float(r.p_value), rel=1e-5)
                if len(rows) > 1:  # a factor's overall p is R's likelihood-ratio test
                    assert got["global_p"] == pytest.approx(float(r.global_p), rel=1e-5)
