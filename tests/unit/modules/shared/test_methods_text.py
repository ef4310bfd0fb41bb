"""The methods text says what was run, only that, and changes with the settings."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses import correlation, diagnostic, outcome, regression, survival, table1
from analyses.specs import (
    CorrelationSpec,
    DiagnosticSpec,
    OutcomeSpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from modules.shared.methods_text import RunFacts, methods_text

ROOT = Path(__file__).resolve().parents[4]
VERSIONS = {
    "medstat": "0.1.0 (commit abc)",
    "python": "3.11.7",
    "pandas": "3.1.1",
    "numpy": "2.4.6",
    "scipy": "1.17.1",
    "statsmodels": "0.15.0",
    "firthmodels": "0.8.2",
}


@pytest.fixture(scope="module")
def clinical() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data/example_clinical.csv")


@pytest.fixture(scope="module")
def lung() -> pd.DataFrame:
    df = pd.read_csv(ROOT / "tests/data/lung.csv", na_values=".")
    return df.assign(status=df["status"].astype(str), sex=df["sex"].astype(str))


@pytest.fixture(scope="module")
def asah() -> pd.DataFrame:
    return pd.read_csv(ROOT / "tests/data/asah.csv")


@pytest.fixture(scope="module")
def endometrial() -> pd.DataFrame:
    df = pd.read_csv(ROOT / "tests/data/endometrial.csv", comment="#")
    return df.assign(HG=df["HG"].astype(str))


def run(kind, module, df, spec) -> RunFacts:
    return RunFacts(kind, spec, module.analyze(df, spec))


def text(*runs: RunFacts) -> str:
    return methods_text(list(runs), VERSIONS).text()


def table1_run(df, **kw):
    spec = Table1Spec(("age", "sex", "bmi", "asa_class"), categorical=("sex", "asa_class"), **kw)
    return run("table1", table1, df, spec)


def outcome_run(df, **kw):
    spec = OutcomeSpec(
        "complication", ("age", "sex", "asa_class"), categorical=("sex", "asa_class"), **kw
    )
    return run("outcome", outcome, df, spec)


def survival_run(lung, **kw):
    spec = SurvivalSpec("status", time="time", event_level="2", **kw)
    return run("survival", survival, lung, spec)


def diagnostic_run(asah, markers=("s100b",), **kw):
    spec = DiagnosticSpec("outcome", positive="Poor", markers=markers, **kw)
    return run("diagnostic", diagnostic, asah, spec)


def correlation_run(df, **kw):
    return run("correlation", correlation, df, CorrelationSpec(("age", "bmi", "crp"), **kw))


def regression_run(df, **kw):
    return run(
        "regression",
        regression,
        df,
        RegressionSpec("crp", ("age", "sex"), categorical=("sex",), **kw),
    )


# Words that belong to one family of analyses: none may appear when that family was not run.
MARKERS = {
    "table1": ["Baseline characteristics", "Shapiro", "Welch", "Austin"],
    "outcome": ["Outcome analysis", "odds ratio", "Hosmer", "logistic"],
    "survival": ["Survival analysis", "Kaplan", "log-rank", "Cox", "Efron", "Schoenfeld"],
    "diagnostic": ["Diagnostic accuracy", "ROC curve", "Youden", "Clopper", "Sensitivity"],
    "correlation": ["Correlation.", "Pearson's r", "Fisher's z"],
    "regression": ["Regression.", "least squares"],
}


def family_runs(clinical, lung, asah):
    return {
        "table1": table1_run(clinical, group="complication"),
        "outcome": outcome_run(clinical),
        "survival": survival_run(lung, group="sex", covariates=("age",)),
        "diagnostic": diagnostic_run(asah),
        "correlation": correlation_run(clinical),
        "regression": regression_run(clinical),
    }


@pytest.mark.parametrize("family", list(MARKERS))
def test_each_family_alone_gives_only_its_sentences(family, clinical, lung, asah):
    said = text(family_runs(clinical, lung, asah)[family])
    for other, words in MARKERS.items():
        for word in words:
            if other == family:
                assert word in said, (family, word)
            elif word not in MARKERS[family]:
                assert word not in said, (family, other, word)
    assert "firthmodels" not in said and "Firth" not in said  # no separation in any of these


def test_nothing_run_says_nothing():
    methods = methods_text([], VERSIONS)
    assert methods.text() == "" and methods.references == ()


def test_the_paper_order_and_software_close_the_paragraph(clinical, lung, asah):
    runs = family_runs(clinical, lung, asah)
    methods = methods_text([runs["table1"], runs["outcome"]], VERSIONS)
    headings = [h for h, _ in methods.paragraphs]
    assert headings == ["Baseline characteristics", "Outcome analysis", "Software"]
    software = methods.paragraphs[-1][1]
    for version in (
        "MedStat 0.1.0 (commit abc)",
        "Python 3.11.7",
        "statsmodels 0.15.0",
        "SciPy 1.17.1",
    ):
        assert version in software
    # every in-text citation has its reference, and no reference is listed uncited
    body = " ".join(t for _, t in methods.paragraphs)
    for ref in methods.references:
        author = ref.split(" ", 1)[0]
        assert author in body, author


def test_a_kind_without_sentences_is_named_not_guessed(clinical):
    methods = methods_text([RunFacts("harmonize", None, None), table1_run(clinical)], VERSIONS)
    assert methods.undescribed == ("harmonize",)
    assert "harmoni" not in methods.text().casefold()


def test_firth_only_where_separation_was_found(endometrial, clinical):
    spec = OutcomeSpec("HG", ("NV", "PI", "EH"), event="1", screen_p=None)
    said = text(run("outcome", outcome, endometrial, spec))
    assert "Because separation was detected, the multivariable model" in said
    assert "the crude models of NV" in said and "crude models of PI" not in said
    assert "(Firth, 1993; Heinze and Schemper, 2002)" in said and "Firth D. Bias" in said
    assert "firthmodels 0.8.2" in said
    assert "All candidate variables entered" in said
    chosen = text(outcome_run(clinical, method="firth"))
    assert "All models were fitted by Firth's penalized likelihood, as chosen" in chosen
    assert "separation was detected" not in chosen and "Wald" not in chosen


def test_outcome_settings_change_the_sentences(clinical):
    default = text(outcome_run(clinical))
    assert "univariable p < 0.2 entered" in default
    assert "reference level: sex (Female) and asa_class (I)" in default
    other = text(outcome_run(clinical, screen_p=0.05, force=("sex",), reference=(("sex", "Male"),)))
    assert (
        "univariable p < 0.05 entered the multivariable logistic regression model; "
        "sex entered regardless" in other
    )
    assert "sex (Male)" in other
    per_sd = text(outcome_run(clinical, effect_scale="sd"))
    assert "Odds ratios of continuous variables are given age per SD" in per_sd
    assert "per SD" not in default


def test_complete_case_counts_are_the_results(clinical):
    df = clinical.copy()
    df.loc[:9, "age"] = np.nan  # ten patients without age
    df.loc[10:12, "complication"] = np.nan  # three without the outcome
    r = outcome_run(df, screen_p=None)
    said = text(r)
    assert r.result.fit.n_excluded == 10 and r.result.fit.n_outcome_missing == 3
    assert "3 patients without a value of complication and 10 of the" in said
    assert "complete-case analysis" in said
    assert "No values were missing" in text(outcome_run(clinical))


def test_table1_rules_follow_the_settings(clinical):
    auto = text(table1_run(clinical, group="complication"))
    assert "chosen per variable: median [IQR] when the Shapiro" in auto
    mean = text(table1_run(clinical, group="complication", summary="mean"))
    assert "summarised as mean (SD)." in mean and "Shapiro" not in mean
    assert "Welch" in mean and "Mann-Whitney" not in mean
    whole = text(table1_run(clinical))
    assert "compared" not in whole and "Pearson's chi-squared" not in whole


def test_fisher_monte_carlo_names_its_seed_only_when_used(clinical):
    r = table1_run(clinical, group="complication")
    assert "seed" not in text(r)
    variables = r.result.variables.copy()
    variables.loc[variables["variable"] == "asa_class", "test"] = "fisher_mc"
    mc = replace(r, result=replace(r.result, variables=variables))
    said = text(mc)
    assert "9,999 Monte Carlo tables" in said and "random seed 20240607" in said


def test_survival_sentences_follow_what_was_fitted(lung):
    grouped = text(survival_run(lung, group="sex", covariates=("age", "ph.ecog")))
    assert "log-rank test" in grouped and "Efron's method" in grouped and "Schoenfeld" in grouped
    assert "1 more excluded for a missing covariate" in grouped  # ph.ecog has one missing
    curves_only = text(survival_run(lung, conf_type="log-log"))
    assert "log-log scale" in curves_only
    assert (
        "log-rank" not in curves_only
        and "Cox" not in curves_only
        and "Schoenfeld" not in curves_only
    )


def test_diagnostic_and_correlation_settings_change_the_sentences(asah, clinical):
    assert "Clopper-Pearson" in text(diagnostic_run(asah))
    wilson = text(diagnostic_run(asah, ci_method="wilson"))
    assert "Wilson score" in wilson and "Clopper" not in wilson
    assert "compared pairwise" not in wilson
    two = text(diagnostic_run(asah, markers=("s100b", "ndka")))
    assert "compared pairwise by DeLong's test" in two
    plain = text(correlation_run(clinical))
    assert "adjusted" not in plain and "Holm" not in plain
    holm = text(correlation_run(clinical, method="spearman", adjust="holm"))
    assert "adjusted for 3 comparisons by Holm's method (Holm, 1979)" in holm
    assert "Bonett-Wright" in holm


def test_labels_name_the_columns(clinical):
    r = replace(outcome_run(clinical), labels={"complication": "Post-operative complication"})
    assert "with Post-operative complication (event: Yes)" in text(r)
