"""Stratified Cox models, the PH test after stratifying, and curves per stratum, against R.

Reference values: tests/r/survival_strata.R (R survival 3.5-3, `coxph(Surv(time, status) ~
x + strata(s))` with Efron ties, `cox.zph` of that fit, `survdiff(... + strata(sex))`),
stored in tests/r/survival_strata.csv. Data: R's lung (NCCTG lung cancer trial,
tests/data/lung.csv) and veteran (Veterans' Administration lung cancer trial, Kalbfleisch &
Prentice 1980, tests/data/veteran.csv); sources in tests/data/SURVIVAL_SOURCES.md.
Second source for the partial likelihood: the vectorised fitter (survival_efron.py, own
risk-set sums) must give the same numbers as statsmodels' PHReg with strata.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.errors import AnalysisError
from analyses.specs import SurvivalSpec
from analyses.survival import analyze
from analyses.survival_cox import fit_cox

ROOT = Path(__file__).resolve().parents[2]
R = pd.read_csv(ROOT / "r" / "survival_strata.csv", keep_default_na=False)


def r_value(scenario: str, what: str, name: str) -> float:
    row = R[(R["scenario"] == scenario) & (R["what"] == what) & (R["name"] == name)]
    assert len(row) == 1, (scenario, what, name)
    return float(row["value"].iloc[0])


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "lung.csv", na_values=".")


@pytest.fixture(scope="module")
def veteran() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "veteran.csv")


SCENARIOS = {
    "lung_sex": (
        "lung",
        SurvivalSpec(
            event="status",
            event_level="2",
            time="time",
            covariates=("age", "ph.karno"),
            strata=("sex",),
        ),
        {"age": "age", "ph.karno": "ph.karno"},
    ),
    "lung_two": (
        "lung",
        SurvivalSpec(
            event="status",
            event_level="2",
            time="time",
            covariates=("age", "ph.ecog"),
            categorical=("ph.ecog",),
            strata=("sex", "wt_grp"),
        ),
        {"age": "age", "ph.ecog1": "ph.ecog 1", "ph.ecog2": "ph.ecog 2", "ph.ecog3": "ph.ecog 3"},
    ),
    "veteran_cell": (
        "veteran",
        SurvivalSpec(
            event="status",
            event_level="1",
            time="time",
            covariates=("trt", "karno", "age"),
            strata=("celltype",),
        ),
        {"trt": "trt", "karno": "karno", "age": "age"},
    ),
}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_stratified_cox_and_ph_test_match_r(scenario, request):
    data_name, spec, terms = SCENARIOS[scenario]
    result = analyze(request.getfixturevalue(data_name), spec)
    fit = result.fit
    assert fit.cox_log_likelihood == pytest.approx(r_value(scenario, "loglik", "fit"), rel=1e-6)
    null = fit.cox_log_likelihood - fit.cox_lr_chi2 / 2
    assert null == pytest.approx(r_value(scenario, "loglik", "null"), rel=1e-6)
    assert fit.cox_n_used == r_value(scenario, "n", "n")
    assert fit.cox_events == r_value(scenario, "n", "events")
    assert fit.strata == spec.strata
    multi = result.multivariable[~result.multivariable["is_reference"]]
    labels = (multi["variable"] + " " + multi["level"]).str.strip()
    hr = dict(zip(labels, multi["estimate"], strict=True))
    for r_term, ours in terms.items():
        coef = r_value(scenario, "coef", r_term)
        assert np.log(hr[ours]) == pytest.approx(coef, rel=1e-5), r_term
    ph = result.ph_test
    names = [*{t.split(" ")[0] for t in terms.values()}, "GLOBAL"]
    for name in names:
        row = ph[ph["is_global"]] if name == "GLOBAL" else ph[ph["variable"] == name]
        assert float(row["chi2"].iloc[0]) == pytest.approx(
            r_value(scenario, "zph_chisq", name), rel=1e-6
        ), name
        assert float(row["p_value"].iloc[0]) == pytest.approx(
            r_value(scenario, "zph_p", name), rel=1e-5
        ), name
    # The strata get no hazard ratio: they are not covariates.
    assert not set(spec.strata) & set(result.multivariable["variable"])


def test_standard_errors_match_r(veteran):
    """SEs of the stratified fit, from PHReg and from the vectorised fitter (both vs R)."""
    data = veteran
    x = data[["trt", "karno", "age"]].to_numpy(float)
    time, event = data["time"].to_numpy(float), data["status"].to_numpy(float)
    strata = pd.factorize(data["celltype"])[0]
    phreg = fit_cox(time, event, x, strata=strata)
    fast = fit_cox(time, event, x, max_work=0, strata=strata)
    for fit in (phreg, fast):
        for j, term in enumerate(("trt", "karno", "age")):
            assert fit.params[j] == pytest.approx(r_value("veteran_cell", "coef", term), rel=1e-6)
            assert fit.bse[j] == pytest.approx(r_value("veteran_cell", "se", term), rel=1e-5)
        assert fit.loglik == pytest.approx(r_value("veteran_cell", "loglik", "fit"), rel=1e-9)
        assert fit.loglik_null == pytest.approx(r_value("veteran_cell", "loglik", "null"), rel=1e-9)


def test_curves_per_stratum_and_stratified_logrank(lung):
    spec = SurvivalSpec(
        event="status",
        event_level="2",
        time="time",
        group="ph.ecog",
        categorical=("ph.ecog",),
        strata=("sex",),
    )
    result = analyze(lung, spec)
    groups = set(result.curves["group"])
    assert {"0 · sex=1", "0 · sex=2", "2 · sex=2"} <= groups
    assert result.fit.n_strata == 2
    assert result.fit.logrank_chi2 == pytest.approx(
        r_value("lung_logrank", "logrank_chisq", "ph.ecog"), rel=1e-6
    )
    expected = dict(zip(result.logrank["group"], result.logrank["expected"], strict=True))
    for level in ("0", "1", "2", "3"):
        assert expected[level] == pytest.approx(
            r_value("lung_logrank", "expected", f"ph.ecog={level}"), rel=1e-6
        )
    # Without a group, the curves are the strata and the log-rank test compares them.
    plain = analyze(
        lung, SurvivalSpec(event="status", event_level="2", time="time", strata=("sex",))
    )
    assert list(plain.medians["group"]) == ["sex=1", "sex=2"]
    assert plain.medians["median"].tolist() == [270.0, 426.0]  # R survfit(~ sex)
    assert plain.fit.logrank_p == pytest.approx(0.00131, abs=5e-6)


def test_strata_refusals_and_missing_strata(lung):
    base = {"event": "status", "event_level": "2", "time": "time"}
    with pytest.raises(AnalysisError, match="both a stratum and the group"):
        analyze(lung, SurvivalSpec(**base, group="sex", strata=("sex",)))
    with pytest.raises(AnalysisError, match="more than 50"):
        analyze(lung, SurvivalSpec(**base, strata=("meal.cal",)))
    result = analyze(lung, SurvivalSpec(**base, covariates=("age",), strata=("wt_grp",)))
    assert any("without a value of wt_grp (the strata)" in w for w in result.warnings)
    assert result.fit.cox_n_used == int(lung["wt_grp"].notna().sum())


def test_ph_advice_points_to_the_stratify_control(veteran):
    spec = SurvivalSpec(event="status", event_level="1", time="time", covariates=("karno",))
    result = analyze(veteran, spec)
    assert any("'Stratify by'" in w for w in result.warnings)
