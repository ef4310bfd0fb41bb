"""Propensity scores against R (tests/r/propensity.R: glm, MatchIt 4.5.1's balance summary,
sandwich::vcovCL, survey::svyglm) on MatchIt's lalonde data, and the matcher against a
brute-force greedy matcher written here from MatchIt's documented rules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses import propensity
from analyses.errors import AnalysisError
from analyses.propensity_balance import balance_table
from analyses.propensity_data import outcome_values, prepare
from analyses.propensity_effect import effects
from analyses.propensity_match import Matches, match, matching_weights, treated_order
from analyses.propensity_model import fit_scores
from analyses.propensity_weights import iptw, kish_ess, truncate
from analyses.specs import PropensitySpec

R = Path(__file__).parents[2] / "r"
DATA = pd.read_csv(R / "propensity_lalonde.csv")
REF = pd.read_csv(R / "propensity.csv", keep_default_na=False)
COVARIATES = ("age", "educ", "race", "married", "nodegree", "re74", "re75")
SPEC = PropensitySpec(treatment="treat", covariates=COVARIATES, categorical=("race",))
R_NAMES = {("race", "black"): "raceblack", ("race", "hispan"): "racehispan",
           ("race", "white"): "racewhite"}  # fmt: skip
RTOL = 1e-6


def ref(case: str) -> dict[str, float]:
    rows = REF[REF.case == case]
    return {s: float(v) if v != "NA" else np.nan for s, v in zip(rows.statistic, rows.value)}


@pytest.fixture(scope="module")
def fitted():
    data = prepare(DATA, SPEC)
    return data, fit_scores(data)


def test_model_equals_glm(fitted):
    data, model = fitted
    r = ref("model")
    names = ["(Intercept)"] + [v + lev for v, lev in data.terms]
    assert np.allclose(model.table["estimate"], [r[f"coef:{n}"] for n in names], rtol=RTOL)
    # R's glm takes the SEs from the last IRLS step's weights, statsmodels at the estimate
    assert np.allclose(model.table["se"], [r[f"se:{n}"] for n in names], rtol=1e-4)
    assert model.c_statistic == pytest.approx(r["c_statistic"], rel=1e-9)
    assert np.std(model.logit, ddof=1) == pytest.approx(r["sd_logit"], rel=RTOL)
    ps = ref("ps")
    assert np.allclose(model.score, [ps[str(i + 1)] for i in range(len(DATA))], rtol=1e-6)


def brute_force(logit, treated, order, ratio, caliper, strata):
    """MatchIt's greedy rule by looking at every available control (ties: earlier row)."""
    used = np.zeros(len(logit), dtype=bool)
    found = {t: [] for t in order}
    for round_ in range(ratio):
        for t in order:
            if len(found[t]) < round_:
                continue
            ok = (treated == 0) & ~used & (strata == strata[t])
            if not ok.any():
                continue
            dist = np.where(ok, np.abs(logit - logit[t]), np.inf)
            best = int(np.flatnonzero(dist == dist.min())[0])
            if dist[best] <= caliper:
                used[best] = True
                found[t].append(best)
    return found


@pytest.mark.parametrize(
    ("order", "ratio", "caliper", "exact"),
    [("largest", 1, np.inf, False), ("largest", 1, 0.2, False), ("smallest", 2, 0.1, False),
     ("data", 3, 0.5, False), ("random", 1, 0.05, False), ("largest", 2, 0.2, True)],
)  # fmt: skip
def test_matcher_equals_brute_force(fitted, order, ratio, caliper, exact):
    data, model = fitted
    strata = DATA["married"].to_numpy() if exact else np.zeros(len(DATA), dtype=int)
    width = caliper * np.std(model.logit, ddof=1)
    rows = treated_order(model.score, np.flatnonzero(data.treated == 1), order, 7)
    mine = match(model.logit, data.treated, strata, rows, ratio, False, width)
    theirs = brute_force(model.logit, data.treated, rows.tolist(), ratio, width, strata)
    assert {t: c for t, c in zip(mine.treated.tolist(), mine.controls)} == theirs
    for t, controls in zip(mine.treated.tolist(), mine.controls):
        assert all(abs(model.logit[c] - model.logit[t]) <= width for c in controls)
        assert all(strata[c] == strata[t] for c in controls)


def test_random_order_is_the_seeds(fitted):
    data, model = fitted
    rows = np.flatnonzero(data.treated == 1)
    first = treated_order(model.score, rows, "random", 3)
    assert (first == treated_order(model.score, rows, "random", 3)).all()
    assert not (first == treated_order(model.score, rows, "random", 4)).all()


def test_with_replacement_takes_the_nearest_controls(fitted):
    data, model = fitted
    rows = treated_order(model.score, np.flatnonzero(data.treated == 1), "largest", 1)
    zeros = np.zeros(len(DATA), dtype=int)
    got = match(model.logit, data.treated, zeros, rows, 2, True, np.inf)
    controls = np.flatnonzero(data.treated == 0)
    for t, chosen in zip(got.treated.tolist(), got.controls):
        dist = np.abs(model.logit[controls] - model.logit[t])
        assert sorted(np.abs(model.logit[chosen] - model.logit[t])) == sorted(np.sort(dist)[:2])


def _r_pairs() -> Matches:
    """MatchIt's own pairs (no caliper), to check everything downstream of the matcher."""
    pairs = ref("pairs")
    treated = np.array([int(k) - 1 for k in pairs])
    return Matches(treated, [[int(v) - 1] for v in pairs.values()])


def test_balance_of_matchits_pairs_equals_its_summary(fitted):
    data, _ = fitted
    weights, _ = matching_weights(_r_pairs(), len(DATA), replace=False)
    table = balance_table(data.balance, data.balance_terms, data.treated, weights, data.binary,
                          "ATT")  # fmt: skip
    before, after = ref("balance_all"), ref("balance_matched")
    for row in table.itertuples():
        name = R_NAMES.get((row.variable, row.level), row.variable)
        assert row.smd_before == pytest.approx(before[f"smd:{name}"], rel=RTOL)
        assert row.smd_after == pytest.approx(after[f"smd:{name}"], rel=RTOL)
        assert row.vr_before == pytest.approx(before[f"vr:{name}"], rel=RTOL, nan_ok=True)
        assert row.vr_after == pytest.approx(after[f"vr:{name}"], rel=RTOL, nan_ok=True)
    assert len(table) == 9  # race: one row per level; married, nodegree: one row each


def test_matched_effects_equal_vcovcl(fitted):
    data, _ = fitted
    weights, subclass = matching_weights(_r_pairs(), len(DATA), replace=False)
    r = ref("matched")
    y = DATA["re78"].to_numpy(float)
    md = effects(y, data.treated, weights, subclass, "continuous").iloc[0]
    assert md.estimate == pytest.approx(r["md_estimate"], rel=RTOL)
    assert md.se == pytest.approx(r["md_se"], rel=RTOL)
    e = DATA["employed78"].to_numpy(float)
    odds, rd = effects(e, data.treated, weights, subclass, "binary").itertuples()
    assert np.log(odds.estimate) == pytest.approx(r["logor_estimate"], rel=RTOL)
    assert odds.se == pytest.approx(r["logor_se"], rel=RTOL)
    assert rd.estimate == pytest.approx(r["rd_estimate"], rel=1e-5)
    assert rd.se == pytest.approx(r["rd_se"], rel=RTOL)
    assert "vcovCL" in md.method


@pytest.mark.parametrize("case", ["ate", "ate_stabilised", "att", "ate_truncated"])
def test_weights_balance_and_effects_equal_svyglm(fitted, case):
    data, model = fitted
    estimand = "ATT" if case == "att" else "ATE"
    w = iptw(model.score, data.treated, estimand, stabilise=case != "ate")
    if case == "ate_truncated":
        w = truncate(w, data.treated, estimand, 1.0)
    r = ref(f"iptw_{case}")
    for i in (1, 2, 100, 200, 400, 614):
        assert w[i - 1] == pytest.approx(r[f"w:{i}"], rel=1e-5)
    t = data.treated == 1
    assert kish_ess(w[t]) == pytest.approx(r["ess:1"], rel=1e-5)
    assert kish_ess(w[~t]) == pytest.approx(r["ess:0"], rel=1e-5)
    table = balance_table(data.balance, data.balance_terms, data.treated, w, data.binary,
                          estimand)  # fmt: skip
    for row in table.itertuples():
        name = R_NAMES.get((row.variable, row.level), row.variable)
        assert row.smd_after == pytest.approx(r[f"smd:{name}"], rel=1e-5)
        assert row.vr_after == pytest.approx(r[f"vr:{name}"], rel=1e-5, nan_ok=True)
    y = DATA["re78"].to_numpy(float)
    md = effects(y, data.treated, w, None, "continuous").iloc[0]
    assert md.estimate == pytest.approx(r["md_estimate"], rel=1e-5)
    assert md.se == pytest.approx(r["md_se"], rel=1e-5)
    e = DATA["employed78"].to_numpy(float)
    odds, rd = effects(e, data.treated, w, None, "binary").itertuples()
    assert np.log(odds.estimate) == pytest.approx(r["logor_estimate"], rel=1e-5)
    assert odds.se == pytest.approx(r["logor_se"], rel=1e-5)
    assert rd.estimate == pytest.approx(r["rd_estimate"], rel=1e-5)
    assert rd.se == pytest.approx(r["rd_se"], rel=1e-5)


def test_analyze_matching_reports_counts_and_imbalance():
    spec = PropensitySpec(treatment="treat", covariates=COVARIATES, categorical=("race",),
                          outcome="re78")  # fmt: skip
    result = propensity.analyze(DATA, spec)
    s = result.summary
    assert (s.n_complete, s.n_treated, s.n_control) == (614, 185, 429)
    assert s.n_matched_treated + s.n_unmatched_treated == 185
    assert s.n_matched_control == s.n_matched_treated  # 1:1 without replacement
    assert s.caliper_width == pytest.approx(0.2 * ref("model")["sd_logit"], rel=RTOL)
    assert s.n_unmatched_treated > 0  # lalonde's treated include some with no close control
    assert any("Imbalance remains" in w for w in result.warnings) == (s.n_imbalanced > 0)
    assert list(result.effects["measure"]) == ["Mean difference"]


def test_missing_covariates_are_counted():
    df = DATA.copy()
    df.loc[:9, "educ"] = np.nan
    result = propensity.analyze(df, SPEC)
    assert (result.summary.n_complete, result.summary.n_missing) == (604, 10)
    assert 0 not in set(result.scores["row"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.assign(treat=d["treat"] + d.index % 3), "exactly two values"),
        (lambda d: d.assign(age=np.nan), "missing for every patient"),
        (lambda d: d.assign(treat=(d["re74"] > 20000).astype(int)), "overlap"),
        (lambda d: d.assign(treat=(d.index < 1).astype(int)), "too few"),
    ],
)
def test_data_that_cannot_support_it_get_a_sentence(change, message):
    with pytest.raises(AnalysisError, match=message):
        propensity.analyze(change(DATA.copy()), SPEC)


def test_matching_is_for_the_treated():
    with pytest.raises(AnalysisError, match="ATT"):
        propensity.analyze(DATA, PropensitySpec(treatment="treat", covariates=("age",),
                                                estimand="ATE"))  # fmt: skip


def test_outcome_values_binary():
    y, event = outcome_values(DATA, PropensitySpec(outcome="employed78", outcome_type="binary"),
                              np.arange(40))  # fmt: skip
    assert event == "1" and y.tolist() == DATA["employed78"][:40].astype(float).tolist()


LUNG = pd.read_csv(R / "propensity_lung.csv")
LUNG_REF = pd.read_csv(R / "propensity_lung_cox.csv").set_index("statistic")["value"]


def test_hazard_ratio_with_weights_equals_coxph_robust():
    spec = PropensitySpec("female", ("age", "ph.ecog"), method="weighting", estimand="ATE",
                          outcome="dead", outcome_type="survival", time="time")  # fmt: skip
    hr = propensity.analyze(LUNG, spec).effects.iloc[0]
    assert hr.measure == "Hazard ratio" and "robust = TRUE" in hr.method
    assert np.log(hr.estimate) == pytest.approx(LUNG_REF["iptw_efron_coef"], rel=1e-6)
    assert hr.se == pytest.approx(LUNG_REF["iptw_efron_se"], rel=1e-6)


def test_hazard_ratio_in_matchits_pairs_equals_coxph_cluster():
    pairs = {int(k[5:]) - 1: int(v) - 1 for k, v in LUNG_REF.items() if k.startswith("pair:")}
    weights, subclass = matching_weights(
        Matches(np.array(list(pairs)), [[c] for c in pairs.values()]), len(LUNG), False
    )
    t = LUNG["female"].to_numpy(float)
    time, dead = LUNG["time"].to_numpy(float), LUNG["dead"].to_numpy(float)
    hr = effects(dead, t, weights, subclass, "survival", time).iloc[0]
    assert np.log(hr.estimate) == pytest.approx(LUNG_REF["matched_efron_coef"], rel=1e-6)
    assert hr.se == pytest.approx(LUNG_REF["matched_efron_se"], rel=1e-6)
    assert "by matched set" in hr.method
