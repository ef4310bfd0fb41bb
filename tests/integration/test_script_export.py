"""The exported script, run in a subprocess, gives every number of the app's tables.

Each case runs logic on a data file (and cleaning steps), writes the script with script_for,
runs it with the project's Python from an empty folder (no MedStat on its path) on the raw
file, and compares every cell of every CSV it writes with the app's result frames: numbers to
1e-6 relative, text exactly.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import logic
from analyses import survival_cox
from analyses.specs import (
    CorrelationSpec,
    DiagnosticSpec,
    OutcomeSpec,
    PropensitySpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from matching.codebook_apply import ColumnRule, codebook_step
from modules.shared.script_export import ScriptError, script_for
from prep.matched_sample import MatchedSample, sample_step
from tests.script_checks import assert_same_table, run_script
from utils.data_io import read_table

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "data" / "example_clinical.csv"
PBC = ROOT / "tests" / "data" / "table1_pbc.csv"  # R survival::pbc (Mayo Clinic PBC trial)
LUNG = ROOT / "tests" / "data" / "lung.csv"  # R survival::lung (NCCTG lung cancer trial)
# What a standalone script may import: the standard library and the pinned statistics stack.
ALLOWED = {"__future__", "itertools", "functools", "math", "re", "sys", "warnings", "dataclasses"}
ALLOWED |= {"pathlib", "csv", "bisect"}
ALLOWED |= {"numpy", "pandas", "scipy", "statsmodels", "firthmodels"}


def check(tmp_path: Path, dataset, runs) -> dict[str, pd.DataFrame]:
    """Run the script of `runs` on the dataset's raw file and compare it with logic.run."""
    tmp_path.mkdir(exist_ok=True)
    results = [(kind, spec, logic.run(kind, dataset, spec)) for kind, spec in runs]
    text = script_for(dataset.read_options, dataset.steps, results)
    tables = run_script(tmp_path, text, Path(dataset.name))
    for i, (kind, _, result) in enumerate(results, 1):
        if kind in MODIFIER_KINDS:
            check_effects(tables, f"{kind}_{i}", result)
        if kind == "outcome":
            assert_same_table(tables[f"outcome_{i}_crude"], result.univariable, "crude")
            assert_same_table(tables[f"outcome_{i}_adjusted"], result.multivariable, "adjusted")
            assert_same_table(tables[f"outcome_{i}_fit"], record(result.fit, OUTCOME_FIT), "fit")
            assert_same_table(tables[f"outcome_{i}_vif"], result.vif, "vif")
            if result.performance is not None:
                check_calibration(tables, f"outcome_{i}", result.performance)
            if result.pooled is not None:
                check_pooled(tables, f"outcome_{i}", result.pooled)
        elif kind == "table1":
            assert_same_table(tables[f"table1_{i}_summaries"], result.cells, "summaries")
            assert_same_table(tables[f"table1_{i}_tests"], result.variables, "tests")
            assert_same_table(tables[f"table1_{i}_groups"], result.groups, "groups")
            if result.pooled is not None:
                assert_same_table(tables[f"table1_{i}_pooled"], result.pooled.table, "pooled")
                fit = record(result.pooled.fit, ("m", "n", "seed"))
                assert_same_table(tables[f"table1_{i}_pooled_fit"], fit, "pooled fit")
        elif kind == "regression":
            assert_same_table(tables[f"regression_{i}_crude"], result.univariable, "crude")
            assert_same_table(tables[f"regression_{i}_adjusted"], result.multivariable, "adj")
            fit = record(result.fit, REGRESSION_FIT[result.fit.family])
            assert_same_table(tables[f"regression_{i}_fit"], fit, "fit")
            assert_same_table(tables[f"regression_{i}_vif"], result.vif, "vif")
            if result.pooled is not None:
                check_pooled(tables, f"regression_{i}", result.pooled)
        elif kind == "survival":
            check_survival(tables, f"survival_{i}", result)
            if result.pooled is not None:
                check_pooled(tables, f"survival_{i}", result.pooled)
        elif kind == "propensity":
            check_propensity(tables, f"propensity_{i}", result)
        elif kind == "diagnostic":
            for table in ("auc", "cutoffs", "accuracy", "comparisons", "roc"):
                assert_same_table(tables[f"diagnostic_{i}_{table}"], getattr(result, table), table)
        else:
            assert_same_table(tables[f"correlation_{i}_pairs"], result.pairs, "pairs")
            matrix = result.matrix.rename_axis("variable").reset_index()
            assert_same_table(tables[f"correlation_{i}_matrix"], matrix, "matrix")
    calibrated = sum(5 + (spec.bootstrap > 0) for kind, spec in runs
                     if kind == "outcome" and spec.calibration)  # fmt: skip
    # (a survival run's tables are counted by their stem below)
    modified = sum(modifier_tables(s) for kind, s in runs if kind in ("outcome", "regression"))
    pooled = sum(  # the pooled tables (survival's are counted by their stem below)
        2 for kind, spec in runs if getattr(spec, "imputation", None) and kind != "survival"
    )
    assert len(tables) == calibrated + modified + pooled + sum(
        TABLES.get(kind, 0) for kind, _ in runs
    ) + sum(
        len([t for t in tables if t.startswith(f"survival_{i}_")])
        for i, (kind, _) in enumerate(runs, 1)
        if kind == "survival"
    )
    return tables


MODIFIER_KINDS = ("outcome", "regression", "survival")


def modifier_tables(spec) -> int:
    """How many of the subgroup and interaction tables the spec asks for."""
    return int(bool(spec.subgroup_exposure and spec.subgroups)) + int(bool(spec.interactions))


def check_effects(tables: dict, stem: str, result) -> None:
    """The scales table (always) and the subgroup and interaction tables (when asked for)."""
    assert_same_table(tables[f"{stem}_scales"], result.scales, "scales")
    for name in ("subgroups", "interactions"):
        frame = getattr(result, name)
        if f"{stem}_{name}" in tables:
            assert len(frame), name  # the script writes only what the app computed
            assert_same_table(tables[f"{stem}_{name}"], frame, name)
        else:
            assert frame.empty, name


# The fit statistics the script's fit table holds, as the app's fit record names them.
OUTCOME_FIT = (
    "n_total", "n_used", "n_excluded", "n_outcome_missing", "events", "non_events",
    "n_parameters", "events_per_variable", "log_likelihood", "aic", "mcfadden_r2",
    "nagelkerke_r2", "auc", "auc_ci_low", "auc_ci_high", "hosmer_lemeshow_chi2",
    "hosmer_lemeshow_df", "hosmer_lemeshow_p",
)  # fmt: skip

COMMON_FIT = ("n_total", "n_used", "n_excluded", "n_parameters", "log_likelihood", "aic", "bic",
              "residual_df")  # fmt: skip
COUNT_FIT = (
    *COMMON_FIT, "deviance", "null_deviance", "pearson_chi2", "dispersion", "lr_chi2", "lr_df",
    "lr_p", "mcfadden_r2", "alpha", "theta", "total_events", "total_exposure",
)  # fmt: skip
REGRESSION_FIT = {
    "linear": (*COMMON_FIT, "r2", "adj_r2", "residual_se", "f_statistic", "f_df1", "f_df2",
               "f_p", "outcome_mean"),
    "poisson": COUNT_FIT,
    "negbin": (*COUNT_FIT, "alpha_lr_chi2", "alpha_lr_p", "poisson_aic"),
}  # fmt: skip


def record(fit, names: tuple[str, ...]) -> pd.DataFrame:
    """One row of a fit record's numbers (a Firth fit's penalized log-likelihood too)."""
    extra = ("penalized_log_likelihood",) if getattr(fit, "method", "") == "firth" else ()
    return pd.DataFrame([{name: getattr(fit, name) for name in (*names, *extra)}])


CALIBRATION_FIT = (
    "n", "events", "c_statistic", "brier", "scaled_brier", "calibration_in_the_large",
    "citl_ci_low", "citl_ci_high", "slope", "slope_ci_low", "slope_ci_high", "slope_intercept",
    "eavg", "e90", "emax",
)  # fmt: skip


def check_calibration(tables: dict, stem: str, performance) -> None:
    measures = record(performance.fit, CALIBRATION_FIT)
    assert_same_table(tables[f"{stem}_calibration"], measures, "calibration")
    assert_same_table(tables[f"{stem}_risk_groups"], performance.groups, "risk groups")
    assert_same_table(tables[f"{stem}_calibration_curve"], performance.curve, "curve")
    assert_same_table(tables[f"{stem}_histogram"], performance.histogram, "histogram")
    assert_same_table(tables[f"{stem}_decision_curve"], performance.decision, "decision")
    if f"{stem}_validation" in tables:
        assert performance.fit.bootstrap_samples > 0
        assert_same_table(tables[f"{stem}_validation"], performance.validation, "validation")
    else:
        assert performance.validation.empty


POOLED_FIT = ("family", "m", "n", "n_complete", "seed")


def check_pooled(tables: dict, stem: str, pooled) -> None:
    """The model pooled over the imputed data sets (Rubin's rules) and its counts."""
    assert_same_table(tables[f"{stem}_pooled"], pooled.estimates, "pooled")
    assert_same_table(tables[f"{stem}_pooled_fit"], record(pooled.fit, POOLED_FIT), "pooled fit")


def check_propensity(tables: dict, stem: str, result) -> None:
    """The score model, every patient's score, weight and matched set, balance, the effect and
    every single number of the analysis."""
    assert_same_table(tables[f"{stem}_model"], result.model, "propensity model")
    assert_same_table(tables[f"{stem}_scores"], result.scores, "scores")
    assert_same_table(tables[f"{stem}_balance"], result.balance, "balance")
    if len(result.effects):
        assert_same_table(tables[f"{stem}_effect"], result.effects, "effect")
    else:
        assert tables[f"{stem}_effect"].empty
    numbers = {f.name: getattr(result.summary, f.name) for f in fields(result.summary)}
    numbers["exact"] = ", ".join(numbers["exact"])
    assert_same_table(tables[f"{stem}_fit"], pd.DataFrame([numbers]), "propensity fit")


def check_survival(tables: dict, stem: str, result) -> None:
    assert_same_table(tables[f"{stem}_curves"], result.curves, "curves")
    assert_same_table(tables[f"{stem}_at_risk"], result.at_risk, "at risk")
    assert_same_table(tables[f"{stem}_medians"], result.medians, "medians")
    if len(result.ph_test):
        assert_same_table(tables[f"{stem}_ph_test"], result.ph_test, "PH test")
    if result.fit.logrank_df:
        assert_same_table(tables[f"{stem}_logrank"], result.logrank, "logrank")
        test = result.fit
        expected = pd.DataFrame(
            [{"logrank_chi2": test.logrank_chi2, "logrank_df": test.logrank_df,
              "logrank_p": test.logrank_p}]
        )  # fmt: skip
        assert_same_table(tables[f"{stem}_logrank_test"], expected, "logrank test")
    assert_same_table(tables[f"{stem}_cox_crude"], result.univariable, "cox crude")
    assert_same_table(tables[f"{stem}_cox_adjusted"], result.multivariable, "cox adjusted")
    names = SURVIVAL_FIT + (("n_strata",) if result.fit.strata else ())
    names += SURVIVAL_COX_FIT if result.fit.cox_n_used is not None else ()
    assert_same_table(tables[f"{stem}_fit"], record(result.fit, names), "survival fit")


SURVIVAL_FIT = ("n_total", "n_used", "n_excluded", "events", "max_time", "median_follow_up")
SURVIVAL_COX_FIT = (
    "cox_n_used", "cox_events", "cox_n_parameters", "cox_log_likelihood", "cox_lr_chi2",
    "cox_lr_df", "cox_lr_p", "cox_converged", "cox_events_per_parameter",
)  # fmt: skip


TABLES = {"outcome": 5, "table1": 3, "correlation": 2, "regression": 5, "diagnostic": 5}
TABLES["propensity"] = 5


def read(path: Path):
    return replace(read_table(path), name=str(path))  # the script reads the file by this path


def imports_of(text: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


EXAMPLE_COVARIATES = ("age", "sex", "bmi", "smoking", "diabetes", "asa_class", "albumin", "crp")
EXAMPLE_FACTORS = ("sex", "smoking", "diabetes", "asa_class", "surgery_type")


def test_example_data_outcome_and_table1(tmp_path):
    dataset = read(EXAMPLE)
    outcome = OutcomeSpec(
        outcome="complication",
        covariates=(*EXAMPLE_COVARIATES, "surgery_type"),
        event="Yes",
        categorical=EXAMPLE_FACTORS,
        reference=(("smoking", "Never"),),
        continuous_summary="median",
    )
    table1 = Table1Spec(
        variables=(*EXAMPLE_COVARIATES, "creatinine", "surgery_type"),
        group="complication",
        categorical=EXAMPLE_FACTORS,
    )
    correlation = CorrelationSpec(("age", "bmi", "albumin", "creatinine", "crp"), adjust="holm")
    check(
        tmp_path, dataset, [("outcome", outcome), ("table1", table1), ("correlation", correlation)]
    )


def test_example_data_with_cleaning_steps_and_firth(tmp_path):
    raw = read(EXAMPLE)
    steps = [
        logic.propose_step("filter", raw, column="age", op=">=", values=("40",)).step,
        ("smoking", {"Former": "Ever", "Current": "Ever"}),  # a label merge
    ]
    data = logic.prepare(raw, steps).dataset
    steps.append(
        logic.propose_step("transform", data, column="crp", how="log", name="log_crp").step
    )
    data = logic.prepare(raw, steps).dataset
    steps.append(
        logic.propose_step("transform", data, column="age", how="per_sd", name="age_sd").step
    )
    data = logic.prepare(raw, steps).dataset
    steps.append(
        logic.propose_step("cut", data, column="bmi", name="bmi_group", cutoffs="25, 30").step
    )
    data = logic.prepare(raw, steps).dataset
    groups = {"III": "III-IV", "IV": "III-IV"}
    steps.append(
        logic.propose_step("combine", data, column="asa_class", groups=groups, name="asa3").step
    )
    data = logic.prepare(raw, steps).dataset
    formula = "albumin * 10 / creatinine^2 - log(crp + 1)"
    steps.append(logic.propose_step("formula", data, name="index", formula=formula).step)
    prepared = logic.prepare(raw, steps)
    assert prepared.skipped == ()
    dataset = prepared.dataset
    assert len(dataset.steps) == len(steps) and len(dataset.df) < len(raw.df)
    outcome = OutcomeSpec(
        outcome="complication",
        covariates=("age_sd", "sex", "log_crp", "smoking", "bmi_group", "asa3", "albumin"),
        event="Yes",
        method="firth",
        categorical=("sex", "smoking", "bmi_group", "asa3"),
        screen_p=0.10,
        force=("sex",),
        effect_scale="iqr",
    )
    table1 = Table1Spec(
        variables=("age", "log_crp", "smoking", "bmi_group", "asa3", "creatinine", "index"),
        group="asa3",
        categorical=("smoking", "bmi_group", "asa3"),
        summary="auto",
        median_variables=("creatinine",),
    )
    tables = check(tmp_path, dataset, [("outcome", outcome), ("table1", table1)])
    assert set(tables["outcome_1_crude"]["method"]) == {"firth"}


def test_public_data_pbc(tmp_path):
    """R's survival::pbc: a three-valued status (death against the others), a 4-level stage."""
    dataset = read(PBC)
    outcome = OutcomeSpec(
        outcome="status",
        covariates=("age", "sex", "bili", "albumin", "edema", "stage", "protime"),
        event="2",
        categorical=("sex", "edema", "stage"),
        effect_scale="10",
    )
    table1 = Table1Spec(
        variables=("age", "sex", "bili", "albumin", "ascites", "edema", "stage", "copper"),
        group="trt",
        categorical=("sex", "ascites", "edema", "stage"),
    )
    correlation = CorrelationSpec(
        ("age", "bili", "albumin", "copper", "protime", "platelet"), "spearman", "fdr_bh"
    )
    check(
        tmp_path, dataset, [("outcome", outcome), ("table1", table1), ("correlation", correlation)]
    )


def test_calibration_and_decision_curve_on_the_example_and_public_data(tmp_path):
    """The adjusted model's calibration measures, tenths of risk, smoothed curve, histogram
    and net benefit: on the example data (logistic) and on R's survival::pbc (death), a
    Firth fit among them; the bootstrap validation of a model no screening chose is redone."""
    example = OutcomeSpec("complication", ("age", "sex", "albumin", "crp", "asa_class"),
                          event="Yes", method="logit", categorical=("sex", "asa_class"),
                          screen_p=None, calibration=True, bootstrap=20)  # fmt: skip
    dataset = read(EXAMPLE)
    text = script_for(dataset.read_options, (), [("outcome", example, None)])
    assert "Not redone" not in text and "outcome_1_validation" in text
    check(tmp_path / "example", dataset, [("outcome", example)])
    pbc = OutcomeSpec("status", ("age", "bili", "albumin", "edema"), event="2",
                      method="firth", categorical=("edema",), calibration=True)  # fmt: skip
    check(tmp_path / "pbc", read(PBC), [("outcome", pbc)])


def test_bootstrap_validation_draws_and_refits_as_the_app(tmp_path):
    """Harrell's optimism correction: the same seed, the same resamples, the same refits, so
    every figure is the app's. Without screening: a Firth model on R's survival::pbc (its
    resamples refitted by Firth's method), and on survival::lung a model the app fitted by
    Firth's method on its own ('auto': ECOG 3 in one patient), where some resamples give no
    model and are left out in both. With screening each resample screens again and chooses
    its estimator again: lung's, and the example data's (a forced covariate)."""
    pbc = OutcomeSpec("status", ("age", "bili", "albumin", "edema"), event="2",
                      method="firth", categorical=("edema",), screen_p=None, calibration=True,
                      bootstrap=30, seed=7)  # fmt: skip
    check(tmp_path / "pbc", read(PBC), [("outcome", pbc)])
    lung = OutcomeSpec("status", ("age", "sex", "ph.ecog", "wt.loss"),
                       categorical=("sex", "ph.ecog"), screen_p=None, calibration=True,
                       bootstrap=40)  # fmt: skip
    result = logic.run("outcome", read(LUNG), lung)
    assert result.fit.method == "firth"
    assert 0 < result.performance.fit.bootstrap_used < 40
    check(tmp_path / "lung", read(LUNG), [("outcome", lung)])
    screened = replace(lung, screen_p=0.2, bootstrap=30)
    assert logic.run("outcome", read(LUNG), screened).performance.fit.bootstrap_screening
    check(tmp_path / "lung screened", read(LUNG), [("outcome", screened)])
    example = OutcomeSpec("complication", EXAMPLE_COVARIATES, event="Yes",
                          categorical=EXAMPLE_FACTORS[:4], force=("sex",), calibration=True,
                          bootstrap=30, seed=5)  # fmt: skip
    check(tmp_path / "example screened", read(EXAMPLE), [("outcome", example)])


def test_subgroups_and_interactions_on_the_example_data(tmp_path):
    """The subgroup and interaction tables of the Outcome (with Firth's adjusted model: the
    modifier models are maximum likelihood, as the app's) and linear Regression analyses: a
    continuous exposure per SD, factors as exposure and modifier, subgroups of 2 and 3
    levels, covariates left out of a level where they do not vary."""
    dataset = read(EXAMPLE)
    outcome = OutcomeSpec(
        "complication", ("age", "sex", "albumin", "crp", "asa_class", "smoking"), event="Yes",
        method="firth", categorical=("sex", "asa_class", "smoking"), effect_scale="sd",
        subgroup_exposure="age", subgroups=("sex", "smoking"),
        interactions=(("age", "sex"), ("crp", "asa_class"), ("smoking", "sex")),
    )  # fmt: skip
    linear = RegressionSpec(
        "bmi", ("age", "sex", "smoking", "albumin", "crp"), categorical=("sex", "smoking"),
        effect_scale="iqr", subgroup_exposure="smoking", subgroups=("sex", "diabetes"),
        interactions=(("albumin", "smoking"),),
    )  # fmt: skip
    tables = check(tmp_path, dataset, [("outcome", outcome), ("regression", linear)])
    assert len(tables["outcome_1_subgroups"]) == 1 + 2 + 3
    assert set(tables["regression_2_interactions"]["modifier"]) == {"smoking"}
    only = replace(outcome, subgroup_exposure=None, subgroups=(), interactions=(("age", "sex"),))
    tables = check(tmp_path / "interactions only", dataset, [("outcome", only)])
    assert "outcome_1_subgroups" not in tables and "outcome_1_interactions" in tables


def test_subgroups_and_interactions_on_public_data(tmp_path):
    """R's survival::pbc (logistic, per 10 units), MASS::quine (negative binomial: alpha kept
    at the adjusted model's), survival::lung (a Poisson rate with its offset; Cox by sex) and
    survival::veteran (Cox within the cell-type strata)."""
    pbc = OutcomeSpec(
        "status", ("age", "sex", "bili", "albumin", "edema", "stage"), event="2",
        method="logit", categorical=("sex", "edema", "stage"), effect_scale="10",
        subgroup_exposure="bili", subgroups=("sex", "edema"), interactions=(("age", "stage"),),
    )  # fmt: skip
    check(tmp_path / "pbc", read(PBC), [("outcome", pbc)])
    quine = RegressionSpec(
        "Days", ("Eth", "Sex", "Age", "Lrn"), "count", categorical=("Eth", "Sex", "Age", "Lrn"),
        subgroup_exposure="Eth", subgroups=("Sex", "Lrn"), interactions=(("Eth", "Sex"),),
    )  # fmt: skip
    check(tmp_path / "quine", read(DATA / "quine.csv"), [("regression", quine)])
    rate = RegressionSpec(
        "ph.ecog", ("age", "sex", "wt_grp"), "poisson", exposure="time",
        categorical=("sex", "wt_grp"), effect_scale="10", subgroup_exposure="age",
        subgroups=("sex",), interactions=(("age", "wt_grp"),),
    )  # fmt: skip
    lung = SurvivalSpec(
        "status", "time", group="sex", covariates=("age", "ph.ecog", "wt.loss"),
        categorical=("sex", "ph.ecog"), effect_scale="sd", subgroup_exposure="age",
        subgroups=("sex",), interactions=(("wt.loss", "sex"),),
    )  # fmt: skip
    check(tmp_path / "lung", read(LUNG), [("regression", rate), ("survival", lung)])
    veteran = SurvivalSpec(
        "status", "time", event_level="1", covariates=("trt", "karno", "age"),
        categorical=("trt",), strata=("celltype",), effect_scale="10",
        subgroup_exposure="karno", subgroups=("trt",), interactions=(("age", "trt"),),
    )  # fmt: skip
    tables = check(tmp_path / "veteran", read(DATA / "veteran.csv"), [("survival", veteran)])
    assert len(tables["survival_1_subgroups"]) == 3


def test_public_data_lung_separation_and_small_groups(tmp_path):
    """R's survival::lung: '.' missing codes, an unnamed first column, ECOG 3 in one patient
    (Fisher's exact r x c test, a crude model the app fits by Firth's method)."""
    dataset = read(LUNG)
    outcome = OutcomeSpec(
        outcome="status",
        covariates=("age", "sex", "ph.ecog", "wt.loss", "wt_grp"),
        categorical=("sex", "ph.ecog", "wt_grp"),
        screen_p=None,
    )
    table1 = Table1Spec(
        variables=("age", "ph.ecog", "ph.karno", "meal.cal", "wt_grp"),
        group="sex",
        categorical=("ph.ecog", "wt_grp"),
    )
    check(tmp_path, dataset, [("outcome", outcome), ("table1", table1)])


def test_regressions_linear_on_the_example_and_count_models_on_public_data(tmp_path):
    """Linear on the example data (per SD); R's MASS::quine (school absence: overdispersed,
    so negative binomial), datasets::warpbreaks (Poisson), survival::lung (a rate: Poisson
    with log(follow-up time) as the offset)."""
    example = read(EXAMPLE)
    linear = RegressionSpec(
        "bmi",
        ("age", "sex", "smoking", "albumin", "crp"),
        categorical=("sex", "smoking"),
        effect_scale="sd",
    )
    check(tmp_path / "linear", example, [("regression", linear)])
    quine = RegressionSpec(
        "Days", ("Eth", "Sex", "Age", "Lrn"), "count", categorical=("Eth", "Sex", "Age", "Lrn")
    )
    quine_data = read(DATA / "quine.csv")
    assert logic.run("regression", quine_data, quine).fit.family == "negbin"
    check(tmp_path / "quine", quine_data, [("regression", quine)])
    warpbreaks = RegressionSpec(
        "breaks", ("wool", "tension"), "poisson", categorical=("wool", "tension"), screen_p=None
    )
    check(tmp_path / "warpbreaks", read(DATA / "warpbreaks.csv"), [("regression", warpbreaks)])
    rate = RegressionSpec("ph.ecog", ("age", "sex", "wt_grp"), "poisson", exposure="time",
                          categorical=("sex", "wt_grp"), effect_scale="10")  # fmt: skip
    check(tmp_path / "rate", read(LUNG), [("regression", rate)])


def test_diagnostic_accuracy_on_the_example_and_public_data(tmp_path):
    """The example data (markers, a binary test, a chosen cut-off, Wilson CIs) and pROC's
    aSAH data (Turck et al. 2010: S100B and NDKA against a poor outcome, DeLong compared)."""
    example = DiagnosticSpec(
        "complication",
        markers=("crp", "albumin", "age"),
        binary_tests=(("diabetes", "Yes"),),
        cutoffs=(("crp", 20.0),),
        ci_method="wilson",
    )
    check(tmp_path / "example", read(EXAMPLE), [("diagnostic", example)])
    asah = DiagnosticSpec("outcome", "Poor", markers=("s100b", "ndka"), direction="higher")
    check(tmp_path / "asah", read(DATA / "asah.csv"), [("diagnostic", asah)])


def test_survival_on_public_data(tmp_path):
    """R's survival::lung (status 1/2, so 2 is the death) by sex, with covariates per SD; and
    survival::pbc (death = status 2 of 0/1/2) by treatment, with a categorical covariate."""
    lung = SurvivalSpec(
        "status",
        "time",
        group="sex",
        covariates=("age", "ph.ecog", "wt.loss"),
        categorical=("sex", "ph.ecog"),
        conf_type="log-log",
        effect_scale="sd",
    )
    check(tmp_path / "lung", read(LUNG), [("survival", lung)])
    pbc = SurvivalSpec(
        "status",
        "time",
        event_level="2",
        group="trt",
        covariates=("age", "bili", "albumin", "edema"),
        categorical=("edema",),
        reference=(("trt", "2"),),
    )
    check(tmp_path / "pbc", read(PBC), [("survival", pbc)])


def test_stratified_survival_on_public_data(tmp_path):
    """Strata (R's strata()): survival::lung by sex within two strata columns, chosen at-risk
    times; survival::veteran stratified by cell type without a group (the strata's own
    log-rank test, a curve per stratum), as tests/r/survival_strata.R fits them in R."""
    lung = SurvivalSpec(
        "status",
        "time",
        event_level="2",
        group="sex",
        covariates=("age", "ph.ecog"),
        categorical=("sex", "ph.ecog"),
        strata=("wt_grp", "ph.karno"),
        risk_times=(0.0, 100.0, 365.0, 730.0),
        conf_type="plain",
    )
    result = logic.run("survival", read(LUNG), lung)
    assert result.fit.n_strata and result.fit.n_strata > 4 and len(result.ph_test) == 4
    check(tmp_path / "lung", read(LUNG), [("survival", lung)])
    veteran = SurvivalSpec(
        "status", "time", event_level="1", covariates=("trt", "karno", "age"),
        strata=("celltype",), effect_scale="10",
    )  # fmt: skip
    tables = check(tmp_path / "veteran", read(DATA / "veteran.csv"), [("survival", veteran)])
    assert len(tables["survival_1_logrank"]) == 4  # the four cell types' own test
    assert tables["survival_1_curves"]["group"].str.startswith("celltype=").all()


def test_survival_on_a_large_cohort_takes_the_vectorised_efron_path(tmp_path):
    """Past PHREG_MAX_WORK (patients x event times) the app fits Cox by its own vectorised
    Efron code (analyses/survival_efron.py), which the script carries too."""
    rng = np.random.default_rng(7)
    n = 2500
    arm = rng.choice(["control", "treated"], n)
    age = rng.normal(60, 10, n).round(1)
    time = rng.exponential(np.where(arm == "treated", 30, 20) * np.exp(-(age - 60) / 40)).round(2)
    died = (rng.random(n) < 0.8).astype(int)
    path = tmp_path / "cohort.csv"
    pd.DataFrame({"time": time, "died": died, "arm": arm, "age": age}).to_csv(path, index=False)
    assert n * len(np.unique(time[died > 0])) > survival_cox.PHREG_MAX_WORK
    spec = SurvivalSpec("died", "time", group="arm", covariates=("age",), categorical=("arm",))
    check(tmp_path / "run", read(path), [("survival", spec)])


def test_a_file_read_with_care_semicolons_decimal_commas_units_and_dates(tmp_path):
    """The script reads a file as the app read it: ';' separators, decimal commas, a 'sep='
    line, missing codes, numbers with a unit, day/month/year dates (follow-up from two dates,
    a row filter on a date)."""
    rng = np.random.default_rng(3)
    n = 120
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 300, n), unit="D")
    end = start + pd.to_timedelta(rng.integers(5, 700, n), unit="D")
    dose = [f"{d} mg" for d in rng.integers(5, 50, n)]
    weight = [f"{w:.1f}".replace(".", ",") for w in rng.normal(70, 12, n)]
    weight[3], weight[7] = "NA", "-"
    lines = ["sep=;", "id;start;end;died;dose;weight;arm"]
    for i in range(n):
        died = "yes" if rng.random() < 0.6 else "no"
        arm = "A" if i % 2 else "B"
        lines.append(
            f"{i};{start[i]:%d/%m/%Y};{end[i]:%d/%m/%Y};{died};{dose[i]};{weight[i]};{arm}"
        )
    path = tmp_path / "cohort_fr.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    raw = read(path)
    assert dict(raw.read_options)["sep"] == ";" and dict(raw.read_options)["decimal"] == ","
    steps = [logic.propose_step("filter", raw, column="start", op=">=", values=["2020-03-01"]).step]
    dataset = logic.prepare(raw, steps).dataset
    assert 0 < len(dataset.df) < n
    survival = SurvivalSpec(
        "died", start="start", end="end", group="arm", covariates=("dose", "weight")
    )
    table1 = Table1Spec(("dose", "weight", "died"), group="arm", categorical=("died",))
    check(tmp_path / "run", dataset, [("survival", survival), ("table1", table1)])


def test_codebook_steps_are_redone_as_explicit_mappings(tmp_path):
    """A codebook's accepted matches (matching/codebook_apply.py): labels mapped to the
    codebook's values, a column made numeric (a cell that is no number becomes missing), a
    date and a text rule; on the example data and on R's survival::lung."""
    raw = read(EXAMPLE)
    rules = [
        ColumnRule("sex", "SEX", "Sex", "categorical", (("Female", "F"), ("Male", "M")),
                   ("F", "M")),
        ColumnRule("smoking", "smoke", "Smoking", "categorical",
                   (("Current", "Smoker"), ("Former", "Ex-smoker")), ("Never", "Smoker")),
        ColumnRule("crp", "crp", "CRP (mg/L)", "numeric"),
        ColumnRule("admission_date", "adm", "Admission", "date"),
        ColumnRule("diabetes", "dm", "Diabetes", "text"),
        ColumnRule("gone", "gone", "Not in the data", "numeric"),
    ]  # fmt: skip
    steps = [codebook_step("dictionary.csv", "c" * 32, rules)]
    prepared = logic.prepare(raw, steps)
    assert prepared.skipped == () and len(prepared.dataset.steps) == 1
    dataset = prepared.dataset
    assert set(dataset.df["smoking"].dropna()) == {"Never", "Smoker", "Ex-smoker"}
    outcome = OutcomeSpec("complication", ("age", "sex", "smoking", "crp"), event="Yes",
                          method="logit", categorical=("sex", "smoking"),
                          reference=(("smoking", "Never"),))  # fmt: skip
    table1 = Table1Spec(("age", "sex", "smoking", "crp", "diabetes"), group="sex",
                        categorical=("smoking", "diabetes"))  # fmt: skip
    text = script_for(dataset.read_options, dataset.steps, [("table1", table1)])
    assert "'mapping': {'Female': 'F', 'Male': 'M'}" in text
    check(tmp_path / "example", dataset, [("outcome", outcome), ("table1", table1)])
    lung_raw = read(LUNG)
    rules = [
        ColumnRule("sex", "sex", "Sex", "categorical", (("1", "Male"), ("2", "Female")),
                   ("Male", "Female")),
        ColumnRule("ph.ecog", "ecog", "ECOG", "categorical",
                   (("0", "Fully active"), ("1", "Restricted"))),
        ColumnRule("wt.loss", "wt", "Weight loss", "numeric"),
    ]  # fmt: skip
    lung = logic.prepare(lung_raw, [codebook_step("lung.csv", "d" * 32, rules)]).dataset
    survival = SurvivalSpec("status", "time", group="sex", covariates=("age", "ph.ecog",
                            "wt.loss"), categorical=("ph.ecog",),
                            reference=(("sex", "Male"),))  # fmt: skip
    check(tmp_path / "lung", lung, [("survival", survival), ("table1", table1_lung())])


def table1_lung() -> Table1Spec:
    return Table1Spec(("age", "ph.ecog", "wt.loss"), group="sex", categorical=("ph.ecog",))


def test_the_scripts_csv_files_cannot_run_formulas(tmp_path):
    """A level written like a spreadsheet formula reaches the script's CSV as text."""
    path = tmp_path / "drugs.csv"
    drugs = ["=1+1", "+cmd|' /C calc'!A0", "plain;@SUM(1)"] * 20
    rows = ["drug,age"] + [f'"{d}",{40 + i % 30}' for i, d in enumerate(drugs)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    spec = Table1Spec(("drug", "age"), categorical=("drug",))
    tables = check(tmp_path / "run", read(path), [("table1", spec)])
    written = (tmp_path / "run" / "tables" / "table1_1_summaries.csv").read_text()
    assert "'=1+1" in written and "plain;'@SUM(1)" in written
    assert set(tables["table1_1_summaries"]["level"].dropna()) == {
        "'=1+1", "'+cmd|' /C calc'!A0", "plain;'@SUM(1)"
    }  # fmt: skip


def test_a_workbook(tmp_path):
    """An .xlsx file: its sheet read as the app read it (openpyxl pinned in the header)."""
    path = tmp_path / "patients.xlsx"
    frame = pd.read_csv(EXAMPLE).head(200)
    with pd.ExcelWriter(path) as writer:
        frame.to_excel(writer, sheet_name="Patients", index=False)
        frame.head(3).to_excel(writer, sheet_name="Other", index=False)
    dataset = read(path)
    assert dict(dataset.read_options) | {"columns": ()} == {
        "format": "xlsx", "sheet": "Patients", "columns": ()
    }  # fmt: skip
    table1 = Table1Spec(("age", "bmi", "sex", "asa_class"), "complication", ("sex", "asa_class"))
    regression = RegressionSpec("crp", ("age", "sex"), categorical=("sex",))
    check(tmp_path / "run", dataset, [("table1", table1), ("regression", regression)])
    text = script_for(dataset.read_options, (), [("table1", table1)])
    assert "openpyxl==" in text


def test_script_imports_only_the_statistics_stack_and_pins_it(tmp_path):
    dataset = read(EXAMPLE)
    every_kind = [
        (
            "outcome",
            OutcomeSpec(
                "complication",
                ("age", "sex"),
                method="firth",
                calibration=True,
                bootstrap=10,
                subgroup_exposure="age",
                subgroups=("sex",),
                interactions=(("age", "sex"),),
            ),
        ),
        ("table1", Table1Spec(("age",))),
        ("correlation", CorrelationSpec(("age", "bmi"), "spearman")),
        ("regression", RegressionSpec("crp", ("age",), "poisson")),
        (
            "survival",
            SurvivalSpec(
                "complication",
                "age",
                group="sex",
                covariates=("bmi",),
                subgroup_exposure="bmi",
                subgroups=("sex",),
            ),
        ),
        ("diagnostic", DiagnosticSpec("complication", markers=("crp",))),
    ]
    settings = logic.imputation_spec(dataset, ("age", "sex", "bmi", "crp", "complication"))
    every_kind = [(kind, with_imputation(spec, settings)) for kind, spec in every_kind]
    every_kind.append(("propensity", PropensitySpec("sex", ("age", "bmi"), outcome="crp")))
    formula = logic.propose_step("formula", dataset, name="f", formula="bmi^2 / age").step
    sample = MatchedSample(dataset.fingerprint, (0, 2, 5), (1.0, 1.0, 1.0), (1, 1, 2))
    text = script_for(dataset.read_options, (formula, sample), every_kind)
    assert imports_of(text) <= ALLOWED | {"ast", "difflib", "collections"}
    lint(tmp_path, text)
    # The smallest scripts of the pooled and propensity parts name nothing they lack (a logit
    # outcome's script is left out: its Firth LR-test code names firthmodels' internals).
    alone = [
        ("outcome", OutcomeSpec("complication", ("age",), method="firth", imputation=settings)),
        ("table1", Table1Spec(("age",), imputation=settings)),
        ("regression", RegressionSpec("bmi", ("age",), imputation=settings)),
        ("survival", SurvivalSpec("complication", "age", imputation=settings)),
        ("propensity", PropensitySpec("sex", ("age",))),
    ]
    for run in alone:
        lint(tmp_path, script_for(dataset.read_options, (), [run]), select="F821")
    pins = dict(
        line.split("==")
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pip = next(line for line in text.splitlines() if line.strip().startswith("pip install"))
    stated = dict(word.split("==") for word in pip.split()[2:])
    assert set(stated) == {"pandas", "numpy", "scipy", "statsmodels", "firthmodels"}
    assert all(pins[name] == version for name, version in stated.items())


def with_imputation(spec, settings):
    """The spec run also on the imputed data, where its tab offers that."""
    return replace(spec, imputation=settings) if hasattr(spec, "imputation") else spec


def lint(folder: Path, text: str, select: str = "E,F,W,B") -> None:
    """The script passes ruff's errors, pyflakes and bugbear: no unused or undefined name."""
    script = folder / "script.py"
    script.write_text(text, encoding="utf-8")
    lint = [sys.executable, "-m", "ruff", "check", "--isolated", "--select", select]
    done = subprocess.run([*lint, "--line-length", "100", str(script)], capture_output=True)
    assert done.returncode == 0, done.stdout.decode()  # no unused or undefined name, no slip


def test_what_cannot_be_scripted_is_refused_with_a_sentence():
    dataset = read(EXAMPLE)
    auto = OutcomeSpec(outcome="complication", covariates=("age",))
    with pytest.raises(ScriptError, match="run it first"):
        script_for(dataset.read_options, (), [("outcome", auto)])

    class Unknown:
        def as_json(self):
            return {"step": "imputation", "columns": []}

        def describe(self):
            return "multiple imputation"

    with pytest.raises(ScriptError, match="'multiple imputation' cannot be written"):
        script_for(dataset.read_options, (Unknown(),), [("table1", Table1Spec(("age",)))])
    with pytest.raises(ScriptError, match="not known"):
        script_for((), (), [("table1", Table1Spec(("age",)))])
    with pytest.raises(ScriptError, match="survival"):
        script_for(dataset.read_options, (), [("survival", object())])


def test_names_from_the_data_stay_data_in_the_script():
    """A column or level named to break out of a string, comment or docstring stays a value:
    the script parses, and its top level holds only imports, definitions and assignments."""
    dataset = read(EXAMPLE)
    hostile = 'x"""\nimport os; os.system("echo owned") #\\'
    spec = OutcomeSpec(
        outcome=hostile, covariates=(hostile, "age"), method="logit", reference=((hostile, "'"),)
    )
    merge = (hostile, {"a'''\"": hostile})
    text = script_for(
        dataset.read_options,
        (merge,),
        [("outcome", spec), ("table1", Table1Spec((hostile,), group=hostile))],
    )
    tree = ast.parse(text)
    allowed = (
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.ClassDef,
        ast.Assign,
        ast.AnnAssign,
        ast.If,
        ast.Expr,
    )
    assert all(isinstance(node, allowed) for node in tree.body)
    assert [n for n in tree.body if isinstance(n, ast.Expr)] == [tree.body[0]]  # the docstring
    assert repr(hostile) in ast.get_docstring(tree)  # shown as text in the header
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    names = {c.value for c in ast.walk(main) if isinstance(c, ast.Constant)}
    assert hostile in names


def imputed(dataset, spec, variables, m=5, seed=2026):
    """The spec run also on the imputed data: the Data cleaning tab's settings."""
    settings = logic.imputation_spec(dataset, variables, m=m, seed=seed)
    return replace(spec, imputation=settings)


def test_pooled_outcome_model_on_the_example_and_public_data(tmp_path):
    """The script imputes exactly as the app (same seed, same chains) and pools the Outcome
    model by Rubin's rules: the example data (a categorical outcome and covariates imputed,
    logistic; Firth) and R's survival::pbc (death; copper, cholesterol and platelets missing)."""
    example = read(EXAMPLE)
    variables = [c for c in example.columns if example.meta(c).kind not in ("id", "text", "date")]
    logistic = imputed(example, OutcomeSpec(
        "complication", ("age", "sex", "smoking", "albumin", "crp", "asa_class"), event="Yes",
        method="logit", categorical=("sex", "smoking", "asa_class"), effect_scale="sd",
        screen_p=0.2), variables)  # fmt: skip
    tables = check(tmp_path / "example", example, [("outcome", logistic)])
    pooled = tables["outcome_1_pooled"]
    assert pooled[pooled["is_reference"] == "False"]["fmi"].astype(float).gt(0).all()
    firth = imputed(example, OutcomeSpec("complication", ("age", "bmi", "albumin", "smoking"),
                    event="Yes", method="firth", categorical=("smoking",)), variables, m=3,
                    seed=11)  # fmt: skip
    check(tmp_path / "firth", example, [("outcome", firth)])
    pbc = read(PBC)
    outcome = imputed(pbc, OutcomeSpec(
        "status", ("age", "sex", "bili", "albumin", "copper", "chol", "platelet", "stage"),
        event="2", method="logit", categorical=("sex", "stage"), effect_scale="10"),
        ["status", "age", "sex", "bili", "albumin", "copper", "chol", "platelet", "stage",
         "edema"])  # fmt: skip
    assert outcome.imputation is not None and logic.run("outcome", pbc, outcome).pooled
    check(tmp_path / "pbc", pbc, [("outcome", outcome)])


LALONDE = ROOT / "tests" / "r" / "propensity_lalonde.csv"  # MatchIt's lalonde (NSW + PSID)
LUNG_PS = ROOT / "tests" / "r" / "propensity_lung.csv"  # survival::lung, as tests/r/propensity.R


def test_propensity_scores_on_public_data_and_the_example(tmp_path):
    """MatchIt's lalonde: 1:1 nearest-neighbour matching in a caliper (the mean difference of
    re78 by matched set), 2:1 with replacement in a random order within exact strata, and
    stabilised, truncated IPTW for the ATE (the risk of employment); survival::lung: a hazard
    ratio after ATT weights; the example data: matching with trimming, an odds ratio."""
    lalonde = read(LALONDE)
    covariates = ("age", "educ", "race", "married", "nodegree", "re74", "re75")
    matched = PropensitySpec("treat", covariates, ("race",), outcome="re78")
    replaced = PropensitySpec(
        "treat",
        covariates,
        ("race",),
        ratio=2,
        replace=True,
        order="random",
        seed=99,
        exact=("married",),
        caliper=None,
    )
    weighted = PropensitySpec("treat", covariates, ("race",), method="weighting",
                              estimand="ATE", truncate=1.0, outcome="employed78",
                              outcome_type="binary", event="1")  # fmt: skip
    runs = [("propensity", matched), ("propensity", replaced), ("propensity", weighted)]
    check(tmp_path / "lalonde", lalonde, runs)
    lung = PropensitySpec("female", ("age", "ph.ecog"), method="weighting", estimand="ATT",
                          outcome="dead", outcome_type="survival", event="1",
                          time="time")  # fmt: skip
    assert logic.run("propensity", read(LUNG_PS), lung).effects["measure"].iloc[0]
    check(tmp_path / "lung", read(LUNG_PS), [("propensity", lung)])
    example = PropensitySpec("diabetes", ("age", "sex", "bmi", "smoking", "asa_class"),
                             ("sex", "smoking", "asa_class"), treated="Yes", trim=True,
                             outcome="complication", outcome_type="binary",
                             event="Yes")  # fmt: skip
    check(tmp_path / "example", read(EXAMPLE), [("propensity", example)])


def test_pooled_regression_survival_and_table1_on_the_example_and_public_data(tmp_path):
    """Each pooled table the app makes, redone by the script from its own imputation: linear
    regression and Table 1 on the example data, a Cox model on survival::lung (ECOG, weight
    loss and calories missing), a negative binomial model on MASS::quine with values made
    missing at set rows (quine has none), Poisson with an exposure on survival::lung."""
    example = read(EXAMPLE)
    variables = [c for c in example.columns if example.meta(c).kind not in ("id", "text", "date")]
    linear = imputed(example, RegressionSpec("bmi", ("age", "sex", "smoking", "albumin", "crp"),
                     categorical=("sex", "smoking"), effect_scale="sd"), variables)  # fmt: skip
    table1 = imputed(example, Table1Spec(("age", "bmi", "smoking", "albumin", "crp", "sex"),
                     group="complication", categorical=("smoking", "sex")), variables)  # fmt: skip
    check(tmp_path / "example", example, [("regression", linear), ("table1", table1)])

    lung = read(LUNG)
    lung_variables = ["status", "time", "age", "sex", "ph.ecog", "ph.karno", "wt.loss", "meal.cal"]
    cox = imputed(lung, SurvivalSpec("status", "time", group="sex", covariates=("age", "ph.ecog",
                  "wt.loss", "meal.cal"), categorical=("sex", "ph.ecog"), effect_scale="10"),
                  lung_variables, m=4, seed=7)  # fmt: skip
    rate = imputed(lung, RegressionSpec("ph.ecog", ("age", "sex", "wt.loss"), "poisson",
                   exposure="time", categorical=("sex",)), lung_variables, m=4, seed=7)  # fmt: skip
    check(tmp_path / "lung", lung, [("survival", cox), ("regression", rate)])

    raw = pd.read_csv(DATA / "quine.csv")
    raw.loc[raw.index % 7 == 3, "Lrn"] = np.nan
    raw.loc[raw.index % 5 == 1, "Age"] = np.nan
    path = tmp_path / "quine_missing.csv"
    raw.to_csv(path, index=False)
    quine = read(path)
    negbin = imputed(quine, RegressionSpec("Days", ("Eth", "Sex", "Age", "Lrn"), "negbin",
                     categorical=("Eth", "Sex", "Age", "Lrn")), ["Days", "Eth", "Sex", "Age",
                     "Lrn"], m=3)  # fmt: skip
    check(tmp_path / "quine", quine, [("regression", negbin)])


def test_the_matched_sample_step_is_redone_and_the_tabs_after_it_agree(tmp_path):
    """'Use the matched sample in every tab' (a propensity sample step) after a row filter:
    the script keeps the same rows with their weights and matched sets, so Table 1 and the
    linear model of the matched sample give the app's numbers; a weighted sample too."""
    raw = read(LALONDE)
    steps = [logic.propose_step("filter", raw, column="age", op=">=", values=("18",)).step]
    filtered = logic.prepare(raw, steps).dataset
    spec = PropensitySpec("treat", ("age", "educ", "race", "re74"), ("race",), caliper=0.5)
    result = logic.run("propensity", filtered, spec)
    steps.append(sample_step(filtered.fingerprint, result.scores, "matching", "treat"))
    matched = logic.prepare(raw, steps)
    assert matched.skipped == () and len(matched.dataset.df) < len(filtered.df)
    dataset = matched.dataset
    assert {"ps_weight", "ps_matched_set"} <= set(dataset.df.columns)
    table1 = Table1Spec(("age", "educ", "race", "re74", "ps_weight"), group="treat",
                        categorical=("race",))  # fmt: skip
    linear = RegressionSpec("re78", ("treat", "age", "ps_matched_set"), screen_p=None)
    check(tmp_path / "matched", dataset, [("table1", table1), ("regression", linear)])
    weighted = PropensitySpec("treat", ("age", "educ", "race"), ("race",), method="weighting",
                              estimand="ATE")  # fmt: skip
    scores = logic.run("propensity", raw, weighted).scores
    sample = logic.prepare(raw, [sample_step(raw.fingerprint, scores, "weighting", "treat")])
    check(tmp_path / "weighted", sample.dataset, [("table1", table1)])
