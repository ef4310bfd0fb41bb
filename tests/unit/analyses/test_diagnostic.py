"""Diagnostic accuracy against published pROC output (aSAH) and statsmodels/scipy directly.

tests/data/asah.csv is pROC's `aSAH` data set (Turck et al. 2010, Intensive Care Med 36:107;
shipped with R's pROC as data/aSAH.rda), 113 patients, taken as CSV from the public repository
hedglinnolan/tabular-ml-lab, turbotab/core/tests/acceptance/asah.py (pROC's row order).
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analyses.diagnostic import analyze
from analyses.diagnostic_roc import MAX_CURVE_POINTS
from analyses.errors import AnalysisError
from analyses.specs import DiagnosticSpec

ASAH = Path(__file__).resolve().parents[2] / "data" / "asah.csv"


@pytest.fixture(scope="module")
def asah() -> pd.DataFrame:
    return pd.read_csv(ASAH)


def spec(markers=("s100b",), **kw) -> DiagnosticSpec:
    return DiagnosticSpec(reference="outcome", positive="Poor", markers=tuple(markers), **kw)


def auc_row(result, name):
    return result.auc.set_index("variable").loc[name]


def measure(result, name, what):
    rows = result.accuracy
    return rows[(rows.variable == name) & (rows.measure == what)].iloc[0]


def test_data_is_proc_asah(asah):
    assert asah.shape == (113, 7)
    assert (asah.outcome == "Poor").sum() == 41


def test_auc_and_delong_ci_match_proc_documentation(asah):
    # pROC's roc() help page: roc(aSAH$outcome, aSAH$s100b, ci=TRUE) prints
    # "Area under the curve: 0.7314" and "95% CI: 0.6301-0.8326 (DeLong)".
    r = analyze(asah, spec())
    row = auc_row(r, "s100b")
    assert round(row.estimate, 4) == 0.7314
    assert (round(row.ci_low, 4), round(row.ci_high, 4)) == (0.6301, 0.8326)
    assert (row.n, row.positives, row.negatives) == (113, 41, 72)
    assert row.direction == "higher" and row.direction_auto


def test_ndka_ci_matches_proc_tests_to_full_precision(asah):
    # xrobin/pROC tests/testthat/test-ci.auc.R: ci.auc(r.ndka) equals
    # c(0.501244999271703, 0.611957994579946, 0.722670989888189).
    row = auc_row(analyze(asah, spec(["ndka"])), "ndka")
    np.testing.assert_allclose(
        [row.ci_low, row.estimate, row.ci_high],
        [0.501244999271703, 0.611957994579946, 0.722670989888189],
        rtol=1e-10,
    )


def test_auto_direction_of_a_reversed_marker_matches_proc(asah):
    # test-ci.auc.R: ci.auc(aSAH$outcome, -aSAH$ndka) gives the same interval (direction ">").
    flipped = asah.assign(neg_ndka=-asah.ndka)
    r = analyze(flipped, spec(["neg_ndka", "ndka"]))
    a, b = auc_row(r, "neg_ndka"), auc_row(r, "ndka")
    assert a.direction == "lower" and b.direction == "higher"
    np.testing.assert_allclose([a.estimate, a.ci_low, a.ci_high], [b.estimate, b.ci_low, b.ci_high])
    cut = r.cutoffs.set_index("variable")
    assert cut.loc["neg_ndka", "rule"] == "<=" and cut.loc["ndka", "rule"] == ">="
    assert cut.loc["neg_ndka", "cutoff"] == pytest.approx(-cut.loc["ndka", "cutoff"])
    assert cut.loc["neg_ndka", ["tp", "fp", "fn", "tn"]].tolist() == (
        cut.loc["ndka", ["tp", "fp", "fn", "tn"]].tolist()
    )


# xrobin/pROC tests/testthat/test-roc.test.R, roc.test(r.a, r.b) with the default DeLong method:
# (a, b, Z, p, conf.int of AUC_a - AUC_b).
PROC_ROC_TEST = [
    ("wfns", "s100b", 2.20898359144091, 0.0271757822291882, 0.0104061769564846, 0.174214419249478),
    ("wfns", "ndka", 2.79777591868904, 0.00514557970691098, 0.0634011709339876, 0.3600405634833566),
    (
        "ndka",
        "s100b",
        -1.39077002573558,
        0.164295175223054,
        -0.2876917446341914,
        0.0488706064228094,
    ),
]


@pytest.mark.parametrize(("a", "b", "z", "p", "low", "high"), PROC_ROC_TEST)
def test_delong_comparison_matches_proc_roc_test(asah, a, b, z, p, low, high):
    r = analyze(asah, spec([a, b]))
    row = r.comparisons.iloc[0]
    assert (row.variable_1, row.variable_2, row.n) == (a, b, 113)
    np.testing.assert_allclose([row.z, row.p_value], [z, p], rtol=1e-9)
    np.testing.assert_allclose([row.ci_low, row.ci_high], [low, high], rtol=1e-9)
    assert row.difference == pytest.approx(row.auc_1 - row.auc_2)


def test_identical_curves_give_z_0_and_p_1(asah):
    # test-roc.test.R: roc.test(r.wfns, r.wfns) has Z = 0 and p = 1.
    r = analyze(asah.assign(wfns2=asah.wfns), spec(["wfns", "wfns2"]))
    row = r.comparisons.iloc[0]
    assert (row.z, row.p_value) == (0.0, 1.0)


def test_youden_cutoff_and_2x2_match_proc_coords(asah):
    # test-coords.R: coords(r.s100b, "best") is the threshold 0.205, where tp 26, fp 14,
    # tn 58, fn 15; the curve has 51 thresholds (coords(r.s100b, "all") has 51 rows).
    r = analyze(asah, spec())
    cut = r.cutoffs.iloc[0]
    assert cut.source == "youden" and cut.rule == ">="
    assert cut.cutoff == pytest.approx(0.205)
    assert (cut.tp, cut.fp, cut.fn, cut.tn) == (26, 14, 15, 58)
    assert cut.youden_j == pytest.approx(26 / 41 + 58 / 72 - 1)
    assert len(r.roc) == 51
    assert np.isinf(r.roc.threshold).sum() == 2


@pytest.mark.parametrize("method", ["exact", "wilson"])
def test_proportions_and_cis_match_statsmodels(asah, method):
    r = analyze(asah, spec(ci_method=method))
    sm_method = {"exact": "beta", "wilson": "wilson"}[method]
    # 2x2 at 0.205 (pROC): tp 26, fp 14, fn 15, tn 58.
    for what, num, den in [
        ("sensitivity", 26, 41),
        ("specificity", 58, 72),
        ("ppv", 26, 40),
        ("npv", 58, 73),
        ("accuracy", 84, 113),
        ("prevalence", 41, 113),
    ]:
        row = measure(r, "s100b", what)
        low, high = proportion_confint(num, den, alpha=0.05, method=sm_method)
        np.testing.assert_allclose([row.estimate, row.ci_low, row.ci_high], [num / den, low, high])
        assert (row.numerator, row.denominator) == (num, den)


def test_exact_interval_is_clopper_pearson_as_scipy_computes_it(asah):
    row = measure(analyze(asah, spec()), "s100b", "sensitivity")
    ci = stats.binomtest(26, 41).proportion_ci(confidence_level=0.95, method="exact")
    np.testing.assert_allclose([row.ci_low, row.ci_high], [ci.low, ci.high], rtol=1e-8)


def test_likelihood_ratios_use_the_log_method(asah):
    # Simel, Samsa & Matchar (1991): ln LR +- 1.96 sqrt(1/a - 1/(a+c) + 1/b - 1/(b+d)).
    r = analyze(asah, spec())
    tp, fp, fn, tn = 26, 14, 15, 58
    z = stats.norm.ppf(0.975)
    for what, lr, se in [
        ("lr_positive", (tp / 41) / (fp / 72), math.sqrt(1 / tp - 1 / 41 + 1 / fp - 1 / 72)),
        ("lr_negative", (fn / 41) / (tn / 72), math.sqrt(1 / fn - 1 / 41 + 1 / tn - 1 / 72)),
    ]:
        row = measure(r, "s100b", what)
        np.testing.assert_allclose(
            [row.estimate, row.ci_low, row.ci_high],
            [lr, lr * math.exp(-z * se), lr * math.exp(z * se)],
        )
        assert np.isnan(row.numerator)


def test_chosen_cutoff_counts_equal_a_crosstab(asah):
    r = analyze(asah, spec(["s100b", "ndka"], cutoffs=(("s100b", 0.3),)))
    cut = r.cutoffs.set_index("variable")
    assert cut.loc["s100b", "source"] == "chosen" and cut.loc["ndka", "source"] == "youden"
    table = pd.crosstab(asah.s100b >= 0.3, asah.outcome == "Poor")
    got = cut.loc["s100b", ["tp", "fp", "fn", "tn"]].tolist()
    want = [table.loc[True, True], table.loc[True, False], table.loc[False, True]]
    assert got == [*want, table.loc[False, False]]


def test_lower_direction_chosen_cutoff_reads_as_at_most(asah):
    r = analyze(asah, spec(["age"], direction="lower", cutoffs=(("age", 50),)))
    cut = r.cutoffs.iloc[0]
    assert cut.rule == "<=" and cut.cutoff == 50
    positive = asah.outcome == "Poor"
    assert cut.tp == int(((asah.age <= 50) & positive).sum())
    assert cut.fp == int(((asah.age <= 50) & ~positive).sum())
    row = auc_row(r, "age")
    assert row.direction == "lower" and not row.direction_auto
    mw = stats.mannwhitneyu(-asah.age[positive], -asah.age[~positive]).statistic
    assert row.estimate == pytest.approx(mw / (41 * 72))


def test_fixed_direction_pointing_the_wrong_way_warns(asah):
    r = analyze(asah.assign(neg=-asah.s100b), spec(["neg"], direction="higher"))
    assert auc_row(r, "neg").estimate == pytest.approx(1 - 0.731368563685637)
    assert any("below 0.5" in w for w in r.warnings)


def test_binary_test_2x2_and_auc(asah):
    r = analyze(asah, spec([], binary_tests=(("gender", "Male"),)))
    cut = r.cutoffs.iloc[0]
    assert (cut.source, cut.rule, cut.level) == ("binary", "=", "Male")
    table = pd.crosstab(asah.gender == "Male", asah.outcome == "Poor")
    assert (cut.tp, cut.fp, cut.fn, cut.tn) == (
        table.loc[True, True],
        table.loc[True, False],
        table.loc[False, True],
        table.loc[False, False],
    )
    sens, spec_ = cut.tp / (cut.tp + cut.fn), cut.tn / (cut.tn + cut.fp)
    # The AUC of a binary test is the mean of its sensitivity and specificity.
    assert auc_row(r, "gender").estimate == pytest.approx((sens + spec_) / 2)


def test_missing_values_are_left_out_per_test_and_pairs_use_both(asah):
    holes = asah.copy()
    holes.loc[:19, "ndka"] = np.nan
    r = analyze(holes, spec(["wfns", "ndka"]))
    assert auc_row(r, "wfns").n == 113 and auc_row(r, "ndka").n == 93
    # test-roc.test.R: roc.test on aSAH[21:113] is what na.omit gives; same here.
    sub = asah.iloc[20:]
    want = analyze(sub, spec(["wfns", "ndka"])).comparisons.iloc[0]
    got = r.comparisons.iloc[0]
    assert got.n == 93
    np.testing.assert_allclose([got.z, got.p_value], [want.z, want.p_value])
    assert any("20 patients without a value" in w for w in r.warnings)


def test_long_curves_are_thinned_but_auc_is_exact():
    rng = np.random.default_rng(3)
    n = 6000
    y = rng.random(n) < 0.3
    x = rng.normal(size=n) + 0.8 * y
    df = pd.DataFrame({"ref": np.where(y, "yes", "no"), "m": x})
    r = analyze(df, DiagnosticSpec("ref", None, ("m",)))
    assert len(r.roc) <= MAX_CURVE_POINTS + 3
    mw = stats.mannwhitneyu(x[y], x[~y]).statistic
    assert auc_row(r, "m").estimate == pytest.approx(mw / (y.sum() * (~y).sum()))
    assert r.info.positive == "yes"
    cut = r.cutoffs.iloc[0]
    assert cut.cutoff in set(r.roc.threshold)


def test_reference_with_three_levels_pools_the_others(asah):
    r = analyze(asah, DiagnosticSpec("gos6", "1", ("s100b",)))
    assert r.info.positive == "1" and r.info.negative == "not 1"
    assert r.info.positives == int((asah.gos6 == 1).sum())
    assert any("compared with all the others" in w for w in r.warnings)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reference": "nope"}, "not in the data"),
        ({"markers": ()}, "at least one marker"),
        ({"markers": ("outcome",)}, "cannot also be a test"),
        ({"positive": "Dead"}, "does not occur"),
        ({"reference": "gos6", "positive": None}, "Choose which one"),
        ({"markers": ("gender",)}, "not numeric"),
        ({"markers": (), "binary_tests": (("gender", "Other"),)}, "does not occur in the test"),
    ],
)
def test_clear_errors(asah, kwargs, message):
    base = {"reference": "outcome", "positive": "Poor", "markers": ("s100b",)}
    with pytest.raises(AnalysisError, match=message):
        analyze(asah, DiagnosticSpec(**{**base, **kwargs}))


def test_constant_or_one_sided_markers_are_left_out_with_a_reason(asah):
    df = asah.assign(flat=1.0, poor_only=np.where(asah.outcome == "Poor", asah.age, np.nan))
    r = analyze(df, spec(["s100b", "flat", "poor_only"]))
    assert list(r.auc.variable) == ["s100b"]
    assert any("'flat'" in w and "same value" in w for w in r.warnings)
    assert any("'poor_only'" in w for w in r.warnings)
    with pytest.raises(AnalysisError, match="None of the chosen tests"):
        analyze(df, spec(["flat"]))


def test_reference_with_one_value_is_an_error(asah):
    with pytest.raises(AnalysisError, match="only one value"):
        analyze(asah.assign(outcome="Poor"), spec())
