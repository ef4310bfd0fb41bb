"""Methods sentences of the study size, agreement and the model tabs' options (calibration,
decision curve, bootstrap, subgroups, interactions, strata): each only when it was used."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analyses import agreement, outcome, regression, sample_size, survival
from analyses.sample_size_sentence import protocol_sentence
from analyses.specs import (
    AgreementSpec,
    OutcomeSpec,
    RegressionSpec,
    SampleSizeSpec,
    SurvivalSpec,
)
from modules.shared.methods_text import RunFacts, methods_text
from modules.shared.session_record import paper_order

ROOT = Path(__file__).resolve().parents[4]
R = ROOT / "tests" / "r"
VERSIONS = {"medstat": "0.1.0", "python": "3.11", "scipy": "1", "statsmodels": "0.15"}


@pytest.fixture(scope="module")
def clinical() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data/example_clinical.csv")


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    df = pd.read_csv(ROOT / "tests/data/lung.csv", na_values=".")
    return df.assign(status=df["status"].astype(str), sex=df["sex"].astype(str))


def run(kind, module, df, spec) -> RunFacts:
    return RunFacts(kind, spec, module.analyze(df, spec))


def text(*runs: RunFacts) -> str:
    methods = methods_text(list(runs), VERSIONS)
    assert not methods.undescribed
    body = " ".join(t for _, t in methods.paragraphs)
    for ref in methods.references:  # every reference listed is cited
        assert ref.split(" ", 1)[0].rstrip(",") in body, ref
    return methods.text()


def agreement_run(case: str, raters: tuple[str, ...], scale: str) -> RunFacts:
    df = pd.read_csv(R / f"agreement_{case}_data.csv")
    return run("agreement", agreement, df, AgreementSpec(raters=raters, scale=scale))


# --- Study size -------------------------------------------------------------------------------


def test_study_size_is_the_protocol_sentence_and_the_formula_with_its_source():
    spec = SampleSizeSpec("proportions", "normal_cc", p1=0.4, p2=0.25, dropout=0.1)
    r = run("sample_size", sample_size, None, spec)
    said = text(r)
    assert "Study size. " + protocol_sentence(spec, r.result) in said
    assert "Fleiss, Tytun & Ury (1980) (Fleiss et al., 1980)" in said
    assert "Fleiss JL, Tytun A, Ury HK" in said and "Cohen J." not in said
    logrank = SampleSizeSpec("logrank", "schoenfeld", hr=0.7, median=12, accrual=24, follow_up=12)
    said = text(run("sample_size", sample_size, None, logrank))
    assert "Schoenfeld DA. Sample-size formula" in said and "Freedman" not in said
    assert "events are needed" in said
    assert "All tests were two-sided" not in said  # a study size alone tests nothing


def test_study_size_opens_the_methods_before_the_analyses(clinical):
    spec = SampleSizeSpec("means", "independent", difference=5, sd=10)
    methods = methods_text(
        [run("sample_size", sample_size, None, spec), outcome_run(clinical)], VERSIONS
    )
    assert [h for h, _ in methods.paragraphs] == ["Study size", "Outcome analysis", "Software"]
    assert "All tests were two-sided" in methods.text()
    assert methods.references[0].startswith("Cohen J. Statistical Power Analysis")


def test_sample_size_comes_first_and_agreement_after_the_models():
    assert paper_order(["agreement", "correlation", "table1", "sample_size"]) == [
        "sample_size",
        "table1",
        "correlation",
        "agreement",
    ]


# --- Agreement ----------------------------------------------------------------------------


def test_ordinal_kappas_name_cohen_weighted_and_their_variance():
    said = text(agreement_run("cohen1968", ("rater1", "rater2"), "ordinal"))
    assert "Cohen's kappa (Cohen, 1960)" in said
    assert "linear and quadratic weighted kappa were also computed (Cohen, 1968)" in said
    assert "Fleiss, Cohen and Everitt" in said and "percentage" in said
    for absent in ("Fleiss' kappa", "intraclass", "Bland", "Shrout"):
        assert absent not in said
    nominal = text(agreement_run("cohen1968", ("rater1", "rater2"), "nominal"))
    assert "weighted kappa was" not in nominal and "Cohen, 1968" not in nominal


def test_many_raters_give_fleiss_kappa_only():
    df = pd.read_csv(R / "agreement_fleiss1971_data.csv")
    said = text(
        run("agreement", agreement, df, AgreementSpec(raters=tuple(df.columns), scale="nominal"))
    )
    assert "Fleiss' kappa" in said and "(Fleiss, 1971)" in said and "6 raters" in said
    assert "Cohen's kappa" not in said and "Cohen, 1960" not in said


def test_measurements_give_the_icc_forms_and_bland_altman():
    said = text(agreement_run("pefr", ("wright", "mini"), "continuous"))
    assert "ICC2 (two-way random, absolute agreement, single rater)" in said
    assert "(Shrout and Fleiss, 1979; McGraw and Wong, 1996)" in said
    assert "mini minus wright" in said and "(Bland and Altman, 1986)" in said
    assert "(Bland and Altman, 1999; Carkeet, 2015)" in said
    assert "Proportional bias was tested" in said
    assert "kappa" not in said and "percentage" not in said
    df = pd.read_csv(R / "agreement_sf_data.csv")
    many = text(run("agreement", agreement, df, AgreementSpec(raters=tuple(df.columns))))
    assert "ICC3k" in many and "4 raters (J1, J2, J3 and J4)" in many
    assert "J2 minus J1" in many  # Bland-Altman compares one pair: the first two by default


# --- Outcome options ----------------------------------------------------------------------


def outcome_run(df, **kw):
    spec = OutcomeSpec("complication", ("age", "sex", "asa_class"),
                       categorical=("sex", "asa_class"), **kw)  # fmt: skip
    return run("outcome", outcome, df, spec)


PERFORMANCE = ("Brier", "calibration slope", "Eavg", "Austin and Steyerberg", "Vickers")


def test_calibration_and_decision_curve_only_when_asked(clinical):
    off = text(outcome_run(clinical))
    for word in (*PERFORMANCE, "bootstrap", "subgroup", "Interactions"):
        assert word not in off, word
    on = text(outcome_run(clinical, calibration=True))
    for word in PERFORMANCE:
        assert word in on, word
    assert "bootstrap" not in on and "Harrell" not in on


def test_bootstrap_names_b_and_the_seed(clinical):
    said = text(outcome_run(clinical, calibration=True, bootstrap=20, seed=7))
    assert "each of 20 samples drawn with replacement" in said and "random seed 7" in said
    assert "univariable screening included" in said  # screen_p 0.2: the screening is redone
    assert "(Harrell et al., 1996)" in said and "Harrell FE Jr" in said


def test_subgroups_and_interactions_only_when_asked(clinical):
    said = text(outcome_run(clinical, subgroup_exposure="age", subgroups=("sex",)))
    assert "The effect of age was estimated within each level of sex" in said
    assert "likelihood-ratio test of the exposure × subgroup product terms" in said
    assert "Interactions (" not in said
    inter = text(outcome_run(clinical, interactions=(("age", "sex"),)))
    assert "Interactions (age × sex) were added to the multivariable logistic" in inter
    assert "within each level of sex" not in inter
    reg = RegressionSpec(
        "crp", ("age", "sex"), categorical=("sex",), interactions=(("age", "sex"),)
    )
    assert "multivariable linear model as product terms" in text(
        run("regression", regression, clinical, reg)
    )


# --- Stratified Cox -----------------------------------------------------------------------


def test_strata_are_named_and_the_ph_test_follows_them(lung):
    plain = text(run("survival", survival, lung,
                     SurvivalSpec("status", time="time", event_level="2", group="sex",
                                  covariates=("age",))))  # fmt: skip
    assert "stratified" not in plain and "stratum" not in plain
    spec = SurvivalSpec("status", time="time", event_level="2", group="sex", covariates=("age",),
                        strata=("ph.ecog",))  # fmt: skip
    said = text(run("survival", survival, lung, spec))
    assert "The Cox models, crude and multivariable, were stratified by ph.ecog" in said
    assert "The log-rank test of the groups was stratified by ph.ecog" in said
    assert "proportional hazards test was done on the stratified model" in said
    sub = text(run("survival", survival, lung,
                   SurvivalSpec("status", time="time", event_level="2", covariates=("age",),
                                subgroup_exposure="age", subgroups=("sex",))))  # fmt: skip
    assert "The effect of age was estimated within each level of sex by the same Cox model" in sub


def test_a_one_sided_study_size_is_not_called_two_sided(clinical):
    """A non-inferiority calculation is one-sided: the software sentence says so beside the
    two-sided tests of the data, and a two-sided calculation keeps the plain sentence."""
    ni = SampleSizeSpec("ni_means", "noninferiority", sides=1, difference=0.0, sd=0.1, margin=0.05)
    said = text(run("sample_size", sample_size, None, ni), outcome_run(clinical))
    assert "a one-sided α of 0.05" in said  # the study size's own sentence
    assert "All tests were two-sided" not in said
    assert "Tests of the data were two-sided (the study size was calculated for a one-sided" in said
    two = SampleSizeSpec("means", "independent", difference=5, sd=10)
    said = text(run("sample_size", sample_size, None, two), outcome_run(clinical))
    assert "All tests were two-sided; confidence intervals are 95%." in said
    assert "one-sided" not in said


def test_imputation_names_m_the_methods_the_seed_and_rubins_rules(clinical):
    import dataclasses

    from analyses import imputation, mi_models
    from analyses.specs import ImputationSpec

    spec = OutcomeSpec(
        "complication", ("age", "albumin", "smoking"), categorical=("smoking",), screen_p=None
    )
    plain = run("outcome", outcome, clinical, spec)
    assert "chained equations" not in text(plain)
    settings = ImputationSpec(
        ("age", "albumin", "smoking", "complication"),
        categorical=("smoking", "complication"),
        m=3,
        iterations=2,
        seed=11,
    )
    imputed = imputation.analyze(clinical, settings)
    pooled = mi_models.pooled_model("outcome", clinical, imputed, spec, "logistic")
    result = dataclasses.replace(plain.result, pooled=pooled)
    words = text(RunFacts("outcome", dataclasses.replace(spec, imputation=settings), result))
    assert "imputed by chained equations (m = 3" in words
    assert "predictive mean matching for albumin" in words
    assert "multinomial logistic regression for smoking" in words
    assert "random seed 11" in words
    assert "Rubin's rules with Barnard–Rubin degrees of freedom" in words
    assert "Barnard and Rubin, 1999" in words
    assert "no values were imputed" not in words
