"""analyze(): Table 1 summaries, tests and SMDs against scipy, hand computation and R's tableone.

Reference for the PBC table: R package tableone 0.13/0.14, vignette "Introduction to tableone"
(Kazuki Yoshida, 2020-07-25; github.com/kaz-yos/tableone, docs/articles/introduction.html):
CreateTableOne(vars = myVars, strata = "trt", data = pbc, factorVars = catVars) printed with
print(tab3, nonnormal = biomarkers, exact = "stage", smd = TRUE). The data, tests/data/
table1_pbc.csv, is survival::pbc (Mayo Clinic primary biliary cirrhosis trial, 418 patients) as
distributed by the Rdatasets collection (csv/survival/pbc.csv), its row-number column dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analyses.errors import AnalysisError
from analyses.results import TABLE1_CELL_COLUMNS, TABLE1_VARIABLE_COLUMNS
from analyses.specs import Table1Spec
from analyses.table1 import analyze
from analyses.table1_tests import categorical_smd, categorical_test, numeric_smd

PBC = Path(__file__).resolve().parents[2] / "data" / "table1_pbc.csv"
PBC_VARS = [
    "time",
    "status",
    "age",
    "sex",
    "ascites",
    "hepato",
    "spiders",
    "edema",
    "bili",
    "chol",
    "albumin",
    "copper",
    "alk.phos",
    "ast",
    "trig",
    "platelet",
    "protime",
    "stage",
]
PBC_FACTORS = ("status", "sex", "ascites", "hepato", "spiders", "edema", "stage")
BIOMARKERS = ("bili", "chol", "copper", "alk.phos", "ast", "trig", "protime")

# tableone's SMD column (3 decimals as printed; "<0.001" for copper).
R_SMD = {
    "time": 0.017,
    "status": 0.054,
    "age": 0.270,
    "sex": 0.111,
    "ascites": 0.089,
    "hepato": 0.207,
    "spiders": 0.016,
    "edema": 0.058,
    "bili": 0.171,
    "chol": 0.038,
    "albumin": 0.018,
    "copper": 0.0,
    "alk.phos": 0.037,
    "ast": 0.084,
    "trig": 0.017,
    "platelet": 0.067,
    "protime": 0.146,
    "stage": 0.246,
}
# tableone's p for tests that are the same as ours, or nearly: oneway.test with equal variances
# there, Welch's t-test here (they differ by at most 0.0011 on these data), and chi-square
# without correction for the factors with more than two levels (identical tests).
R_P_SAME_TEST = {
    "time": 0.883,
    "age": 0.018,
    "albumin": 0.874,
    "platelet": 0.555,
    "status": 0.894,
    "edema": 0.877,
    "stage": 0.201,
}
# tableone's nonnormal p comes from kruskal.test (no continuity correction); ours, like R's
# wilcox.test and gtsummary, from the corrected Mann-Whitney U: they differ by < 0.002.
R_P_NONNORMAL = {
    "bili": 0.842,
    "chol": 0.544,
    "copper": 0.717,
    "alk.phos": 0.812,
    "ast": 0.459,
    "trig": 0.370,
    "protime": 0.588,
}
# Counts per treatment arm: (level, n in arm 1, n in arm 2).
R_COUNTS = {
    "stage": [("1", 12, 4), ("2", 35, 32), ("3", 56, 64), ("4", 55, 54)],
    "edema": [("0", 132, 131), ("0.5", 16, 13), ("1", 10, 10)],
    "hepato": [("1", 73, 87)],
    "sex": [("f", 137, 139)],
}


@pytest.fixture(scope="module")
def pbc() -> pd.DataFrame:
    return pd.read_csv(PBC)


def pbc_table(pbc: pd.DataFrame, summary: str = "auto", median=()):
    spec = Table1Spec(
        variables=tuple(PBC_VARS),
        group="trt",
        categorical=PBC_FACTORS,
        summary=summary,
        median_variables=tuple(median),
    )
    return analyze(pbc, spec)


def row(result, variable: str) -> pd.Series:
    return result.variables.set_index("variable").loc[variable]


def cell(result, variable: str, group: str, level: str = "") -> pd.Series:
    c = result.cells
    return c[(c.variable == variable) & (c.group == group) & (c.level == level)].iloc[0]


def test_columns_and_groups(pbc):
    result = pbc_table(pbc)
    assert list(result.cells.columns) == list(TABLE1_CELL_COLUMNS)
    assert list(result.variables.columns) == list(TABLE1_VARIABLE_COLUMNS)
    assert result.groups.to_dict("list") == {"group": ["Overall", "1", "2"], "n": [312, 158, 154]}
    assert result.info.n_group_missing == 106 and result.info.n_used == 312
    assert any("106 patients" in w for w in result.warnings)


def test_smd_matches_r_tableone(pbc):
    result = pbc_table(pbc, median=BIOMARKERS)
    for variable, expected in R_SMD.items():
        assert row(result, variable).smd == pytest.approx(expected, abs=0.0006), variable


def test_p_values_match_r_tableone(pbc):
    result = pbc_table(pbc, summary="mean", median=BIOMARKERS)
    for variable, expected in R_P_SAME_TEST.items():
        assert row(result, variable).p_value == pytest.approx(expected, abs=0.0016), variable
    for variable, expected in R_P_NONNORMAL.items():
        r = row(result, variable)
        assert r.test == "mann_whitney" and r.summary == "median [IQR]"
        assert r.p_value == pytest.approx(expected, abs=0.002), variable


def test_summaries_match_r_tableone(pbc):
    result = pbc_table(pbc, summary="mean", median=BIOMARKERS)
    # "age (mean (SD))  51.42 (11.01)  48.58 (9.96)"; "bili (median [IQR]) 1.40 [0.80, 3.20]
    # 1.30 [0.72, 3.60]"; "copper ... 73.00 [40.00, 121.00]".
    assert cell(result, "age", "1")["mean"] == pytest.approx(51.42, abs=0.005)
    assert cell(result, "age", "1").sd == pytest.approx(11.01, abs=0.005)
    assert cell(result, "age", "2").sd == pytest.approx(9.96, abs=0.005)
    bili = cell(result, "bili", "2")
    # q1 is 0.725, which R prints as 0.72 (0.725 is just below it in binary).
    assert (bili["median"], bili.q1, bili.q3) == pytest.approx((1.30, 0.725, 3.60))
    copper = cell(result, "copper", "1")
    assert (copper["median"], copper.q1, copper.q3) == pytest.approx((73, 40, 121))
    for variable, levels in R_COUNTS.items():
        for level, n1, n2 in levels:
            assert cell(result, variable, "1", level).n == n1
            assert cell(result, variable, "2", level).n == n2
            assert cell(result, variable, "Overall", level).n == n1 + n2
    stage = cell(result, "stage", "1", "1")  # "12 ( 7.6)"
    assert stage.percent == pytest.approx(7.6, abs=0.05)
    # chol: 28 of the 312 randomised patients have no value (18 in arm 1).
    assert cell(result, "chol", "Overall").missing == 28
    assert cell(result, "chol", "1").missing == 18 and cell(result, "chol", "1").n == 140


def test_p_values_against_scipy(pbc):
    result = pbc_table(pbc)
    used = pbc[pbc.trt.notna()]
    arms = [used[used.trt == t] for t in (1, 2)]
    for variable in ("age", "time", "bili", "albumin"):
        r = row(result, variable)
        a, b = (arm[variable].dropna().to_numpy(float) for arm in arms)
        if r.summary == "mean (SD)":
            ref = stats.ttest_ind(a, b, equal_var=False)
            assert r.test == "welch" and r.df == pytest.approx(ref.df)
        else:
            ref = stats.mannwhitneyu(a, b, alternative="two-sided")
            assert r.test == "mann_whitney"
        assert r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        assert r.statistic == pytest.approx(ref.statistic, rel=1e-12)
    for variable in ("sex", "hepato", "edema", "stage"):
        table = pd.crosstab(used[variable], used.trt).to_numpy()
        ref = stats.chi2_contingency(table, correction=False)
        r = row(result, variable)
        assert r.test == "chi2" and r.p_value == pytest.approx(ref.pvalue, rel=1e-12)
        assert r.statistic == pytest.approx(ref.statistic) and r.df == ref.dof


def test_automatic_choice_follows_the_stated_rule(pbc):
    result = pbc_table(pbc)
    for variable in ("time", "age", "bili", "albumin", "platelet", "protime"):
        r = row(result, variable)
        values = pbc.loc[pbc.trt.notna(), [variable, "trt"]].dropna()
        centred = values[variable] - values.groupby("trt")[variable].transform("mean")
        p = stats.shapiro(centred.to_numpy()).pvalue
        skew = stats.skew(centred.to_numpy(), bias=False)
        assert r.normality_p == pytest.approx(p) and r.skewness == pytest.approx(skew)
        skewed = p < 0.05 or abs(skew) > 1
        assert r.summary == ("median [IQR]" if skewed else "mean (SD)"), variable
    assert row(result, "age").summary == "mean (SD)"  # age is close to normal
    assert row(result, "bili").reason == "shapiro"
    forced = pbc_table(pbc, summary="median")
    assert set(forced.variables.loc[forced.variables.type == "continuous", "summary"]) == {
        "median [IQR]"
    }


def four_groups(seed: int = 3, n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = rng.choice(["A", "B", "C", "D"], n)
    return pd.DataFrame(
        {
            "arm": arm,
            "age": rng.normal(60, 8, n) + (arm == "D") * 4,
            "crp": rng.lognormal(2, 1, n),
            "grade": rng.choice(["low", "mid", "high"], n, p=[0.45, 0.45, 0.10]),
        }
    )


def test_more_than_two_groups_anova_and_kruskal():
    df = four_groups()
    spec = Table1Spec(variables=("age", "crp", "grade"), group="arm", categorical=("grade",))
    result = analyze(df, spec)
    samples = {v: [df.loc[df.arm == g, v].to_numpy() for g in "ABCD"] for v in ("age", "crp")}
    age, crp = row(result, "age"), row(result, "crp")
    assert age.test == "anova" and crp.test == "kruskal"
    ref = stats.f_oneway(*samples["age"])
    assert age.p_value == pytest.approx(ref.pvalue) and (age.df, age.df2) == (3, 236)
    assert crp.p_value == pytest.approx(stats.kruskal(*samples["crp"]).pvalue)
    assert np.isnan(age.smd)  # SMDs are for two groups only
    assert result.groups.group.tolist() == ["Overall", "A", "B", "C", "D"]


def test_small_expected_counts_use_fisher(monkeypatch):
    # 2x2 with an expected count below 5: Fisher's exact test.
    table = np.array([[1, 8], [9, 4]])
    res = categorical_test(table)
    assert res.test == "fisher"
    assert res.p_value == pytest.approx(stats.fisher_exact(table).pvalue)
    stage = np.array([[12, 4], [35, 32], [56, 64], [55, 54]])  # PBC stage by arm (tableone)
    assert categorical_test(stage).test == "chi2"  # every expected count is 5 or more
    # Larger tables with a small expected count: Fisher-Freeman-Halton, exact as R's
    # fisher.test (tests/r/fisher_rxc.R: 0.156219974999683 with a level of 2 patients added).
    sparse = np.vstack([stage, [[0, 2]]])
    exact = categorical_test(sparse)
    assert exact.test == "fisher_exact_rxc"
    assert exact.p_value == pytest.approx(0.156219974999683, rel=1e-9)
    # Forced onto the stage table: R's fisher.test gives 0.204555577040928 (tableone's
    # vignette prints "0.205 exact").
    monkeypatch.setattr("analyses.table1_tests.EXPECTED_MIN", 1000.0)
    forced = categorical_test(stage)
    assert forced.test == "fisher_exact_rxc"
    assert forced.p_value == pytest.approx(0.204555577040928, rel=1e-9)


def test_fisher_beyond_the_exact_bound_is_monte_carlo_and_seeded():
    # 6 levels x 4 groups, 352 patients: beyond analyses.fisher_rxc.MAX_WORK (R's fisher.test
    # runs out of its default workspace here too), so a seeded Monte Carlo p.
    table = np.array(
        [
            [39, 51, 43, 30],
            [6, 17, 13, 15],
            [7, 6, 8, 10],
            [14, 24, 24, 19],
            [6, 9, 4, 6],
            [0, 1, 0, 0],
        ]
    )
    mc = categorical_test(table)
    assert mc.test == "fisher_mc" and mc == categorical_test(table)  # same p on every run
    assert 0.0 < mc.p_value <= 1.0


def test_table1_edema_by_stage_is_r_fisher_exact(pbc):
    # R: fisher.test(table(pbc$edema, pbc$stage)) = 9.11168572800471e-05 (tests/r/fisher_rxc.R);
    # 3 x 4 with expected counts below 5, so Table 1 uses the exact r x c test.
    spec = Table1Spec(variables=("edema",), group="stage", categorical=("edema",))
    edema = row(analyze(pbc, spec), "edema")
    assert edema.test == "fisher_exact_rxc" and np.isnan(edema.statistic)
    assert edema.p_value == pytest.approx(9.11168572800471e-05, rel=1e-9)


def test_smd_by_hand():
    a = np.array([1.0, 2.0, 3.0, 4.0])  # mean 2.5, var 5/3
    b = np.array([2.0, 4.0, 6.0])  # mean 4, var 4
    assert numeric_smd(a, b) == pytest.approx(1.5 / np.sqrt((5 / 3 + 4) / 2))
    # Binary: |p1 - p2| / sqrt((p1 q1 + p2 q2) / 2) with p1 = 0.3, p2 = 0.6.
    expected = 0.3 / np.sqrt((0.3 * 0.7 + 0.6 * 0.4) / 2)
    assert categorical_smd(np.array([70, 30]), np.array([40, 60])) == pytest.approx(expected)
    # Three levels, Yang & Dalton: T = (p2 - q2, p3 - q3), S = mean of multinomial covariances.
    p, q = np.array([0.5, 0.3, 0.2]), np.array([0.2, 0.3, 0.5])
    t = np.array([0.0, -0.3])
    s = np.array(
        [
            [(0.3 * 0.7 + 0.3 * 0.7) / 2, -(0.3 * 0.2 + 0.3 * 0.5) / 2],
            [-(0.3 * 0.2 + 0.3 * 0.5) / 2, (0.2 * 0.8 + 0.5 * 0.5) / 2],
        ]
    )
    by_hand = np.sqrt(t @ np.linalg.inv(s) @ t)
    assert categorical_smd(p * 100, q * 100) == pytest.approx(by_hand)
    # Both groups constant at different levels: undefined, as tableone prints NaN.
    assert np.isnan(categorical_smd(np.array([10, 0]), np.array([0, 12])))


def test_without_group_only_overall_and_no_tests():
    df = four_groups()
    result = analyze(df, Table1Spec(variables=("age", "grade"), categorical=("grade",)))
    assert set(result.cells.group) == {"Overall"}
    assert (result.variables.test == "").all() and result.variables.p_value.isna().all()
    assert cell(result, "age", "Overall")["mean"] == pytest.approx(df.age.mean())
    grade = result.cells[result.cells.variable == "grade"]
    assert grade.level.tolist() == ["high", "low", "mid"]
    assert grade.n.sum() == len(df) and grade.percent.sum() == pytest.approx(100)


def test_missing_values_counted_per_group():
    df = pd.DataFrame(
        {
            "g": ["a"] * 5 + ["b"] * 5 + [None],
            "x": [1.0, 2, None, 4, 5, 6, None, None, 9, 10, 11],
            "f": ["y", "n", "y", None, "y", "n", "n", "y", "y", None, "y"],
        }
    )
    result = analyze(df, Table1Spec(variables=("x", "f"), group="g", categorical=("f",)))
    assert cell(result, "x", "a").missing == 1 and cell(result, "x", "b").missing == 2
    assert cell(result, "x", "Overall").n == 7
    assert cell(result, "f", "a", "y").total == 4 and cell(result, "f", "a", "y").n == 3
    assert row(result, "f").missing == 2
    assert any("left out" in w for w in result.warnings)  # the patient without a group


def test_errors_a_doctor_can_act_on():
    df = four_groups()
    with pytest.raises(AnalysisError, match="not in the data"):
        analyze(df, Table1Spec(variables=("nope",)))
    with pytest.raises(AnalysisError, match="fewer than two groups"):
        analyze(df.assign(one="x"), Table1Spec(variables=("age",), group="one"))
    many = df.assign(site=[f"s{i % 12}" for i in range(len(df))])
    with pytest.raises(AnalysisError, match="12 groups"):
        analyze(many, Table1Spec(variables=("age",), group="site"))
    with pytest.raises(AnalysisError, match="not numeric"):
        analyze(df, Table1Spec(variables=("grade",), group="arm"))
    with pytest.raises(AnalysisError, match="at least one variable"):
        analyze(df, Table1Spec(variables=("arm",), group="arm"))
    ids = df.assign(pid=[f"P{i}" for i in range(len(df))])
    with pytest.raises(AnalysisError, match="too many to list"):
        analyze(ids, Table1Spec(variables=("pid",), categorical=("pid",)))
