"""Agreement statistics against R (tests/r/agreement.R, output in tests/r/agreement.csv) and
the published values of each data set.

References, by statistic:
- Cohen's kappa (unweighted, linear, quadratic; computed by statsmodels): estimates =
  psych::cohen.kappa 2.2.9. SEs =
  the Fleiss, Cohen & Everitt (1969) large-sample variance computed from its formula in R
  (psych's own variance of weighted kappa is wrong in 2.2.9, up to 6.4 for a kappa of 0.45;
  with identity weights the formula gives psych's correct unweighted variance, checked below).
  Data: Cohen (1968) as ?cohen.kappa (published kappa .492), Fleiss, Cohen & Everitt (1969).
- Fleiss' kappa: Fleiss (1971) Table 1, published kappa .430; null SE of Fleiss, Nee & Landis
  (1979) computed in R as irr::kappam.fleiss does (z = 17.7 as irr prints for `diagnoses`).
- ICC: psych::ICC(lmer = FALSE) on Shrout & Fleiss (1979) Table 2 (published .17, .29, .71,
  .44, .62, .91) and on the PEFR data.
- Bland–Altman: Bland & Altman (1986) PEFR data, published mean difference -2.1, SD 38.8,
  limits (+-2 SD) -79.7 to 75.5; the 1999 approximate CIs, the exact (non-central t) CIs and
  the regression of the differences on the means computed in R (qt with ncp, lm).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.agreement import analyze
from analyses.agreement_kappa import fleiss_leave_one_out
from analyses.errors import AnalysisError
from analyses.specs import AgreementSpec

R = Path(__file__).parents[2] / "r"
REF = pd.read_csv(R / "agreement.csv")
RTOL = 1e-3


def ref(case: str, statistic: str) -> float:
    row = REF[(REF["case"] == case) & (REF["statistic"] == statistic)]
    assert len(row) == 1, (case, statistic)
    return float(row["value"].iloc[0])


def data(case: str) -> pd.DataFrame:
    return pd.read_csv(R / f"agreement_{case}_data.csv")


@pytest.mark.parametrize("case", ["cohen1968", "fce1969"])
def test_cohen_kappa_unweighted_and_weighted_equal_r(case):
    result = analyze(data(case), AgreementSpec(raters=("rater1", "rater2"), scale="ordinal"))
    kappas = result.kappas.set_index("weights")
    assert list(kappas.index) == ["none", "linear", "quadratic"]
    for weights, row in kappas.iterrows():
        assert row["estimate"] == pytest.approx(ref(case, f"{weights}_kappa_psych"), rel=RTOL)
        assert row["se"] == pytest.approx(ref(case, f"{weights}_se"), rel=RTOL)
        assert row["se_null"] == pytest.approx(ref(case, f"{weights}_se0"), rel=RTOL)
        assert row["p_value"] == pytest.approx(ref(case, f"{weights}_p"), rel=RTOL)
        assert row["ci_low"] == pytest.approx(row["estimate"] - 1.959964 * row["se"], rel=1e-6)
    # Second source for the variance formula: psych's unweighted variance is correct.
    assert kappas.loc["none", "se"] == pytest.approx(ref(case, "none_se_psych"), rel=RTOL)
    # ... and its weighted one is not (the reason the formula is the reference).
    assert ref(case, "quadratic_se_psych") > 10 * kappas.loc["quadratic", "se"]
    assert result.summary.percent_agreement == pytest.approx(ref(case, "percent_agreement"))
    assert int(result.crosstab.to_numpy().sum()) == 200


def test_cohen_1968_published_kappa():
    result = analyze(data("cohen1968"), AgreementSpec(raters=("rater1", "rater2"), scale="nominal"))
    assert len(result.kappas) == 1  # nominal: no weighted kappa
    assert round(result.kappas["estimate"].iloc[0], 3) == 0.492


def test_fleiss_kappa_equals_fleiss_1971_and_irr():
    df = data("fleiss1971")
    result = analyze(df, AgreementSpec(raters=tuple(df.columns), scale="nominal"))
    row = result.kappas.iloc[0]
    assert row["statistic"] == "Fleiss' kappa" and row["raters"] == 6 and row["n"] == 30
    assert round(row["estimate"], 3) == 0.430  # Fleiss (1971)
    assert row["estimate"] == pytest.approx(ref("fleiss1971", "fleiss_kappa"), rel=RTOL)
    assert row["se_null"] == pytest.approx(ref("fleiss1971", "fleiss_se0"), rel=RTOL)
    assert round(row["z"], 1) == 17.7  # irr::kappam.fleiss(diagnoses)
    assert result.summary.percent_agreement == pytest.approx(ref("fleiss1971", "percent_agreement"))
    assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_fleiss_jackknife_equals_refitting_without_each_subject():
    df = data("fleiss1971")
    counts = np.stack([(df.to_numpy() == c).sum(axis=1) for c in range(1, 6)], axis=1)
    full = analyze(df, AgreementSpec(raters=tuple(df.columns), scale="nominal"))
    loo = fleiss_leave_one_out(counts)
    for i in (0, 7, 29):
        again = analyze(df.drop(index=i), AgreementSpec(raters=tuple(df.columns), scale="nominal"))
        assert loo[i] == pytest.approx(again.kappas["estimate"].iloc[0], rel=1e-12)
    n = len(loo)
    se = np.sqrt((n - 1) / n * ((loo - loo.mean()) ** 2).sum())
    assert full.kappas["se"].iloc[0] == pytest.approx(se, rel=1e-12)


@pytest.mark.parametrize("case", ["sf", "pefr"])
def test_icc_six_forms_equal_psych(case):
    df = data(case)
    result = analyze(df, AgreementSpec(raters=tuple(df.columns), scale="continuous"))
    icc = result.icc.set_index("form")
    assert list(icc.index) == ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]
    for form, row in icc.iterrows():
        for column, name in [("estimate", "ICC"), ("f", "F"), ("p_value", "p"),
                             ("ci_low", "lower"), ("ci_high", "upper")]:  # fmt: skip
            assert row[column] == pytest.approx(ref(case, f"{form}_{name}"), rel=RTOL), (form, name)
        assert row["df1"] == ref(case, f"{form}_df1") and row["df2"] == ref(case, f"{form}_df2")
    if case == "sf":  # Shrout & Fleiss (1979), Table 4
        published = [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
        assert [round(v, 2) for v in icc["estimate"]] == published
    assert "absolute agreement" in icc.loc["ICC2", "type"]
    assert icc.loc["ICC2", "model"] == "Two-way random"


def test_bland_altman_pefr_equals_published_and_r():
    result = analyze(data("pefr"), AgreementSpec(raters=("wright", "mini"), scale="continuous"))
    s, limits = result.summary, result.limits.set_index("quantity")
    # Bland & Altman (1986) report Wright minus mini: -2.1; here mini minus Wright.
    assert round(-limits.loc["bias", "estimate"], 1) == -2.1
    assert round(s.ba_sd, 1) == 38.8
    bias = limits.loc["bias", "estimate"]
    # The paper's limits are its rounded mean -2.1 +- 2 x 38.8.
    published = round(-bias, 1) - 2 * round(s.ba_sd, 1), round(-bias, 1) + 2 * round(s.ba_sd, 1)
    assert tuple(round(v, 1) for v in published) == (-79.7, 75.5)
    assert bias == pytest.approx(ref("pefr", "bias"), rel=RTOL)
    assert s.ba_sd == pytest.approx(ref("pefr", "sd"), rel=RTOL)
    assert limits.loc["bias", "ci_low"] == pytest.approx(ref("pefr", "bias_ci_low"), rel=RTOL)
    assert limits.loc["bias", "ci_high"] == pytest.approx(ref("pefr", "bias_ci_high"), rel=RTOL)
    for side in ("lower", "upper"):
        row = limits.loc[side]
        assert row["estimate"] == pytest.approx(ref("pefr", f"{side}_loa"), rel=RTOL)
        for column in ("ci_low", "ci_high", "exact_low", "exact_high"):
            expected = ref("pefr", f"{side}_{column}")
            assert row[column] == pytest.approx(expected, rel=RTOL), (side, column)
    assert s.ba_slope == pytest.approx(ref("pefr", "slope"), rel=RTOL)
    assert s.ba_slope_p == pytest.approx(ref("pefr", "slope_p"), rel=RTOL)
    assert s.ba_intercept == pytest.approx(ref("pefr", "intercept"), rel=RTOL)
    assert (s.ba_first, s.ba_second) == ("wright", "mini")
    assert len(result.points) == 17


def test_long_layout_gives_the_wide_layout_numbers():
    wide = data("sf")
    long = wide.reset_index(names="subject").melt(
        id_vars="subject", var_name="judge", value_name="score"
    )
    a = analyze(wide, AgreementSpec(raters=tuple(wide.columns)))
    b = analyze(
        long.sample(frac=1, random_state=1),
        AgreementSpec(layout="long", subject="subject", rater="judge", rating="score"),
    )
    assert np.allclose(a.icc["estimate"], b.icc["estimate"])
    assert b.summary.raters == ("J1", "J2", "J3", "J4") and b.summary.n_subjects == 6


def test_missing_ratings_are_dropped_and_counted():
    df = data("pefr")
    df.loc[[0, 3], "mini"] = np.nan
    result = analyze(df, AgreementSpec(raters=("wright", "mini")))
    assert result.summary.n_subjects == 15 and result.summary.n_dropped == 2
    assert any("2 of 17 subjects were left out" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("frame", "spec", "words"),
    [
        (pd.DataFrame({"a": [1, 2, 3]}), AgreementSpec(raters=("a",)), "at least two raters"),
        (
            pd.DataFrame({"s": [1, 2], "r": ["x", "x"], "v": [1, 2]}),
            AgreementSpec(layout="long", subject="s", rater="r", rating="v"),
            "at least two raters (only 'x')",
        ),
        (pd.DataFrame({"a": [3, 3, 3], "b": [3, 3, 3]}), AgreementSpec(raters=("a", "b")),
         "Every rating is the same (3)"),
        (pd.DataFrame({"a": [1, None, 2], "b": [1, 2, None]}), AgreementSpec(raters=("a", "b")),
         "Only 1 subject rated by every rater"),
        (pd.DataFrame({"a": [1, 2, 3], "b": ["low", "high", "mid"]}),
         AgreementSpec(raters=("a", "b")), "the ratings in 'b' hold text such as 'low'"),
        (pd.DataFrame({"a": ["x", "y"], "b": ["y", "x"]}),
         AgreementSpec(raters=("a", "b"), scale="ordinal"), "recode them as numbers"),
        (
            pd.DataFrame({"s": [1, 1, 2], "r": ["x", "x", "y"], "v": [1, 2, 3]}),
            AgreementSpec(layout="long", subject="s", rater="r", rating="v"),
            "Subject '1' has more than one rating from rater 'x'",
        ),
    ],
)  # fmt: skip
def test_data_that_cannot_support_agreement_gets_a_sentence(frame, spec, words):
    with pytest.raises(AnalysisError, match=None) as info:
        analyze(frame, spec)
    assert words in str(info.value)


def test_long_layout_names_the_rater_whose_ratings_are_text():
    df = pd.DataFrame({"s": [1, 1, 2, 2], "r": ["A", "B", "A", "B"], "v": [1, "high", 2, "low"]})
    with pytest.raises(AnalysisError, match="rater 'B''s ratings hold text such as 'high'"):
        analyze(df, AgreementSpec(layout="long", subject="s", rater="r", rating="v"))


def test_text_categories_and_perfect_agreement():
    df = pd.DataFrame({"a": ["yes", "no", "yes", "no"], "b": ["yes", "no", "yes", "no"]})
    result = analyze(df, AgreementSpec(raters=("a", "b"), scale="nominal"))
    row = result.kappas.iloc[0]
    assert row["estimate"] == pytest.approx(1.0) and result.summary.percent_agreement == 100
    assert result.summary.categories == ("no", "yes")
    assert row["ci_high"] <= 1.0  # a Wald interval past 1 is cut there
    assert list(result.crosstab.index) == ["no", "yes"]


def test_a_rater_with_one_category_gets_no_interval_and_a_note():
    df = pd.DataFrame({"a": ["y"] * 4, "b": ["y", "n", "y", "n"]})
    result = analyze(df, AgreementSpec(raters=("a", "b"), scale="nominal"))
    row = result.kappas.iloc[0]
    assert row["estimate"] == 0 and np.isnan(row["ci_low"]) and np.isnan(row["p_value"])
    assert any("'a' gave every subject the same category ('y')" in w for w in result.warnings)


@pytest.mark.parametrize(("offset", "words"), [(0.0, "agree exactly"), (1.0, "differ by the same")])
def test_measurements_that_agree_exactly_or_by_a_constant(offset, words):
    df = pd.DataFrame(
        {"a": [1.0, 2, 3, 4], "b": [1.0 + offset, 2 + offset, 3 + offset, 4 + offset]}
    )
    with np.errstate(all="raise"):
        result = analyze(df, AgreementSpec(raters=("a", "b")))
    assert any(words in w for w in result.warnings)
    assert not any("Proportional bias" in w for w in result.warnings)
    assert result.icc.set_index("form").loc["ICC3", "estimate"] == 1.0
