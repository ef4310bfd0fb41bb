"""Typed analysis results: tidy DataFrames and numbers, never HTML.

A result type's `TABLE_COLUMNS` names the columns of its tables, field by field: a result read
back from the shared tier whose table has other columns is refused (utils/result_schema.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import pandas as pd

from analyses.fit_records import (
    AgreementSummary,
    CalibrationFit,
    CorrelationSummary,
    DiagnosticInfo,
    ImputationInfo,
    OutcomeFit,
    PooledFit,
    PooledSummaryFit,
    PropensityFit,
    RegressionFit,
    SurvivalFit,
    Table1Info,
)
from analyses.modifier_columns import (
    INTERACTION_COLUMNS,
    SUBGROUP_COLUMNS,
    empty_interactions,
    empty_subgroups,
)

# Columns of the `scales` table of the outcome, regression and survival results: one row per
# continuous covariate, saying what its estimates are per (see analyses/effect_scale.py).
SCALE_COLUMNS = (
    "variable",
    "scale",  # the scale used: "unit", "10", "sd" or "iqr" (a zero SD or IQR falls back to unit)
    "per",  # the increment k the estimates are per: 1, 10, the SD or the IQR
    "per_text",  # "per unit", "per 10 units", "per SD (12.3)", "per IQR (15.0)"
    "n",  # the values the SD and IQR come from: the covariate's among the analysed patients
    "sd",  # sample SD (n - 1), whatever the scale
    "iqr",  # Q3 - Q1, quartiles by linear interpolation (R type 7)
)


def empty_scales() -> pd.DataFrame:
    """A scales table with no rows: every continuous covariate per unit."""
    return pd.DataFrame(columns=list(SCALE_COLUMNS))


# Columns of OutcomeResult.univariable, in order.
UNIVARIABLE_COLUMNS = (
    "variable",  # column name in the user's data
    "level",  # factor level; "" for a continuous covariate
    "is_reference",  # True on the reference-level row (estimate 1, no CI)
    "n",  # patients with this level (or with a value, for continuous) and the outcome known
    "events",  # of those, how many had the event
    "summary_no_event",  # "n (%)" of the no-event group, or "mean (SD)" / "median [IQR]"
    "summary_event",  # the same for the event group
    "estimate",  # crude odds ratio
    "ci_low",
    "ci_high",
    "p_value",  # Wald p (logit) or penalized LR p (Firth) for this row
    "global_p",  # likelihood-ratio p for the whole variable (factors with >2 levels; else = p)
    "method",  # "logit" or "firth", the fit that produced this variable's row
)

# Columns of OutcomeResult.multivariable, in order.
MULTIVARIABLE_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "n",
    "events",
    "estimate",  # adjusted odds ratio
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",
)


@dataclass(frozen=True)
class OutcomePerformance:
    """Calibration, decision curve and (optionally) bootstrap validation of the outcome model.

    `groups`: analyses/calibration.GROUP_COLUMNS, patients in tenths of predicted risk.
    `curve`: predicted, observed: the lowess-smoothed calibration curve on a grid.
    `histogram`: bin_low, bin_high, events, non_events: the predictions in 50 bins of [0, 1].
    `decision`: analyses/decision_curve.DECISION_COLUMNS, net benefit at thresholds 1%-99%.
    `validation`: analyses/bootstrap_validation.VALIDATION_COLUMNS; no rows without bootstrap.
    """

    fit: CalibrationFit
    groups: pd.DataFrame
    curve: pd.DataFrame
    histogram: pd.DataFrame
    decision: pd.DataFrame
    validation: pd.DataFrame


@dataclass(frozen=True)
class OutcomeResult:
    """Univariable screening and multivariable logistic regression for one binary outcome.

    `fit` holds the multivariable model's fit statistics (analyses/fit_records.py).
    `vif` has columns variable, vif. `warnings` are plain-language sentences. `scales`
    (SCALE_COLUMNS) says what each continuous covariate's odds ratios are per.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "univariable": UNIVARIABLE_COLUMNS,
        "multivariable": MULTIVARIABLE_COLUMNS,
        "scales": SCALE_COLUMNS,
        "subgroups": SUBGROUP_COLUMNS,
        "interactions": INTERACTION_COLUMNS,
    }
    univariable: pd.DataFrame
    multivariable: pd.DataFrame
    fit: OutcomeFit
    warnings: tuple[str, ...] = ()
    vif: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["variable", "vif"]))
    scales: pd.DataFrame = field(default_factory=empty_scales)
    # analyses/modifier_columns.py (SUBGROUP_COLUMNS, INTERACTION_COLUMNS); empty
    # unless the spec asks for subgroups or interaction pairs.
    subgroups: pd.DataFrame = field(default_factory=empty_subgroups)
    interactions: pd.DataFrame = field(default_factory=empty_interactions)
    performance: OutcomePerformance | None = None  # with spec.calibration only
    pooled: PooledModel | None = None  # with spec.imputation: the model pooled over m


# Columns of CorrelationResult.pairs, in order (one row per pair of columns).
CORRELATION_PAIR_COLUMNS = (
    "variable_1",
    "variable_2",
    "n",  # patients with both values
    "estimate",  # Pearson r or Spearman rho
    "ci_low",  # 95% CI (Fisher z; Bonett-Wright variance for Spearman)
    "ci_high",
    "p_value",
    "p_adjusted",  # after the chosen multiple-testing correction (= p_value for "none")
    # How p_value was computed, as R's cor.test: "t test" (Pearson); for Spearman "exact
    # (AS 89)" (n <= 9, no ties), "Edgeworth series (AS 89)" (10-1290, no ties) or
    # "t approximation" (ties, or more than 1290 pairs); "" when there is no p-value.
    "p_method",
)


@dataclass(frozen=True)
class CorrelationResult:
    """A correlation matrix with p-values, and the scatter with a fitted line for one pair.

    `matrix`: the coefficients, square, indexed and headed by column name (1 on the diagonal).
    `scatter`: columns x, y (the pair's complete cases, at most a few thousand shown).
    `line`: columns x, fit, ci_low, ci_high (least-squares line with the 95% CI of the mean).
    `summary`: the method and the scatter pair's statistics (analyses/fit_records.py).
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {"pairs": CORRELATION_PAIR_COLUMNS}
    pairs: pd.DataFrame
    matrix: pd.DataFrame
    scatter: pd.DataFrame
    line: pd.DataFrame
    summary: CorrelationSummary
    warnings: tuple[str, ...] = ()


# Columns of RegressionResult.univariable, in order.
REGRESSION_UNIVARIABLE_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "n",  # patients in this level (or with a value) and a known outcome
    "summary",  # outcome by level (factors) or the covariate's mean (SD) (numbers)
    "estimate",  # coefficient (linear) or incidence rate ratio (count models)
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",  # F test (linear) or LR test (count) of the whole variable
)
# Columns of RegressionResult.multivariable, in order.
REGRESSION_MULTIVARIABLE_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "n",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",
)


@dataclass(frozen=True)
class RegressionResult:
    """Univariable screening and a multivariable linear, Poisson or negative binomial model.

    `fit` holds the multivariable model's family and fit statistics (analyses/fit_records.py).
    `diagnostics`: fitted, residual, std_residual, qq_theoretical per patient (a sample on
    large data). `vif`: variable, vif, df, vif_per_df. `scales` (SCALE_COLUMNS) says what
    each continuous covariate's estimates are per.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "univariable": REGRESSION_UNIVARIABLE_COLUMNS,
        "multivariable": REGRESSION_MULTIVARIABLE_COLUMNS,
        "scales": SCALE_COLUMNS,
        "subgroups": SUBGROUP_COLUMNS,
        "interactions": INTERACTION_COLUMNS,
    }
    univariable: pd.DataFrame
    multivariable: pd.DataFrame
    fit: RegressionFit
    diagnostics: pd.DataFrame
    vif: pd.DataFrame
    warnings: tuple[str, ...] = ()
    scales: pd.DataFrame = field(default_factory=empty_scales)
    # analyses/modifier_columns.py (SUBGROUP_COLUMNS, INTERACTION_COLUMNS); empty
    # unless the spec asks for subgroups or interaction pairs.
    subgroups: pd.DataFrame = field(default_factory=empty_subgroups)
    interactions: pd.DataFrame = field(default_factory=empty_interactions)
    pooled: PooledModel | None = None  # with spec.imputation: the model pooled over m


# Columns of Table1Result.cells: one row per variable, level and column of the table, in order.
TABLE1_CELL_COLUMNS = (
    "variable",
    "level",  # factor level; "" for a numeric variable
    "group",  # group level, or "Overall"
    "n",  # patients with this level (factors) or with a value (numbers) in this column
    "total",  # patients with a value of the variable in this column (denominator of percent)
    "percent",  # 100 * n / total for a level; NaN for numbers
    "mean",
    "sd",
    "median",
    "q1",  # quartiles by linear interpolation (R type 7)
    "q3",
    "min",
    "max",
    "missing",  # patients in this column without a value of the variable
)
# Columns of Table1Result.variables: one row per variable, in table order.
TABLE1_VARIABLE_COLUMNS = (
    "variable",
    "type",  # "binary", "categorical" or "continuous"
    "summary",  # "n (%)", "mean (SD)" or "median [IQR]"
    "reason",  # why: "categorical", "user", "normal", "shapiro", "skewness", "constant", "few"
    "normality_p",  # Shapiro-Wilk p of the values centred on their group means (NaN: not run)
    "skewness",  # adjusted Fisher-Pearson skewness of the same centred values
    "n",  # patients with a value (group known)
    "missing",  # patients without a value (group known)
    "test",  # key of the test behind p_value (see analyses/table1_tests.py), "" for none
    "statistic",  # chi-square, t, U, F or H; NaN for the exact tests
    "df",  # degrees of freedom (numerator df for F); NaN where none
    "df2",  # denominator df of F; NaN otherwise
    "p_value",
    "smd",  # absolute standardised mean difference (two groups only; NaN otherwise)
)


@dataclass(frozen=True)
class Table1Result:
    """Baseline characteristics: summaries per column, one test and SMD per variable.

    `groups` has columns group, n (the Overall column first, then each group in order).
    `info`: the grouping, counts and summary rule (analyses/fit_records.py).
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "cells": TABLE1_CELL_COLUMNS,
        "variables": TABLE1_VARIABLE_COLUMNS,
    }
    cells: pd.DataFrame
    variables: pd.DataFrame
    groups: pd.DataFrame
    info: Table1Info
    warnings: tuple[str, ...] = ()
    pooled: PooledSummary | None = None  # with spec.imputation: pooled summaries


# Columns of DiagnosticResult.auc, in order (one row per test).
DIAGNOSTIC_AUC_COLUMNS = (
    "variable",  # column name in the user's data
    "test_type",  # "marker" (numeric) or "binary"
    "n",  # patients with both the test and the reference known
    "positives",  # of those, with the condition (reference = positive level)
    "negatives",
    "direction",  # "higher" or "lower" values mean the condition ("higher" for binary tests)
    "direction_auto",  # True when the direction was chosen from the data (pROC's "auto")
    "estimate",  # AUC
    "se",  # DeLong standard error
    "ci_low",  # DeLong 95% CI, clipped to [0, 1]
    "ci_high",
)
# Columns of DiagnosticResult.cutoffs: the cut-off used for each test and its 2x2 table.
DIAGNOSTIC_CUTOFF_COLUMNS = (
    "variable",
    "source",  # "youden", "chosen" or "binary"
    "cutoff",  # in the marker's units; NaN for a binary test
    "rule",  # ">=" / "<=" (test positive when value rule cutoff) or "=" (binary: level)
    "level",  # the level read as a positive test (binary tests); "" for markers
    "youden_j",  # sensitivity + specificity - 1 at this cut-off
    "tp",
    "fp",
    "fn",
    "tn",
)
# Columns of DiagnosticResult.accuracy (long: one row per test and measure).
DIAGNOSTIC_ACCURACY_COLUMNS = (
    "variable",
    "measure",  # sensitivity, specificity, ppv, npv, lr_positive, lr_negative, accuracy, prevalence
    "estimate",
    "ci_low",
    "ci_high",
    "numerator",  # the counts of a proportion (NaN for likelihood ratios)
    "denominator",
)
# Columns of DiagnosticResult.comparisons (one row per pair of tests).
DIAGNOSTIC_COMPARISON_COLUMNS = (
    "variable_1",
    "variable_2",
    "n",  # patients with both tests and the reference known
    "auc_1",  # on those patients
    "auc_2",
    "difference",  # auc_1 - auc_2
    "ci_low",
    "ci_high",
    "z",  # DeLong's test for two correlated ROC curves
    "p_value",
)
# Columns of DiagnosticResult.roc (the curve points of every test).
DIAGNOSTIC_ROC_COLUMNS = ("variable", "threshold", "sensitivity", "specificity")


@dataclass(frozen=True)
class DiagnosticResult:
    """ROC analysis and accuracy at a cut-off of tests against a binary reference standard.

    `info`: the reference standard, its labels and counts (analyses/fit_records.py).
    `warnings` are plain-language sentences.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "auc": DIAGNOSTIC_AUC_COLUMNS,
        "cutoffs": DIAGNOSTIC_CUTOFF_COLUMNS,
        "accuracy": DIAGNOSTIC_ACCURACY_COLUMNS,
        "comparisons": DIAGNOSTIC_COMPARISON_COLUMNS,
        "roc": DIAGNOSTIC_ROC_COLUMNS,
    }
    auc: pd.DataFrame
    cutoffs: pd.DataFrame
    accuracy: pd.DataFrame
    comparisons: pd.DataFrame
    roc: pd.DataFrame
    info: DiagnosticInfo
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class SurvivalResult:
    """Kaplan–Meier curves, medians, log-rank test, Cox hazard ratios and the PH check.

    `curves`: group, time, n_risk, n_event, n_censor, survival, std_err, ci_low, ci_high
    (one row per distinct time, time 0 first). `at_risk`: group, time, n_risk, events.
    `medians`: group, n, events, median, ci_low, ci_high. `logrank`: group, n, observed,
    expected. `univariable` / `multivariable`: variable, level, is_reference, n, events,
    estimate (hazard ratio), ci_low, ci_high, p_value (Wald), global_p (LR for factors).
    A crude (univariable) row uses every patient with follow-up and that variable, so its n
    can differ between variables; the multivariable model uses the complete cases of all of
    its variables (the group included).
    `ph_test`: variable, is_global, chi2, df, p_value (R's cox.zph score test).
    `fit`: counts, the event level, time source, log-rank and Cox fit statistics
    (analyses/fit_records.py). `scales` (SCALE_COLUMNS) says what each continuous
    covariate's hazard ratios are per.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "scales": SCALE_COLUMNS,
        "subgroups": SUBGROUP_COLUMNS,
        "interactions": INTERACTION_COLUMNS,
    }
    curves: pd.DataFrame
    at_risk: pd.DataFrame
    medians: pd.DataFrame
    logrank: pd.DataFrame
    univariable: pd.DataFrame
    multivariable: pd.DataFrame
    ph_test: pd.DataFrame
    fit: SurvivalFit
    warnings: tuple[str, ...] = ()
    scales: pd.DataFrame = field(default_factory=empty_scales)
    # analyses/modifier_columns.py (SUBGROUP_COLUMNS, INTERACTION_COLUMNS); empty
    # unless the spec asks for subgroups or interaction pairs.
    subgroups: pd.DataFrame = field(default_factory=empty_subgroups)
    interactions: pd.DataFrame = field(default_factory=empty_interactions)
    pooled: PooledModel | None = None  # with spec.imputation: the model pooled over m


# Columns of AgreementResult.kappas, in order.
AGREEMENT_KAPPA_COLUMNS = (
    "statistic",  # "Cohen's kappa" or "Fleiss' kappa"
    "weights",  # "none", "linear" or "quadratic"
    "raters",  # how many raters
    "n",  # subjects
    "estimate",
    "se",  # SE of the CI: Fleiss–Cohen–Everitt (Cohen), jackknife over subjects (Fleiss)
    "ci_low",
    "ci_high",
    "se_null",  # SE under no agreement, of the z test
    "z",
    "p_value",  # two-sided, H0: kappa = 0
)
# Columns of AgreementResult.icc, in order (analyses/agreement_icc.py).
AGREEMENT_ICC_COLUMNS = (
    "form",  # ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k (Shrout & Fleiss)
    "model",  # McGraw & Wong: "One-way random", "Two-way random", "Two-way mixed"
    "type",  # "absolute agreement" or "consistency"
    "unit",  # "single rater" or "mean of k raters"
    "when",  # when to use it, in words
    "estimate",
    "ci_low",
    "ci_high",
    "f",  # F statistic of H0: ICC = 0
    "df1",
    "df2",
    "p_value",
)
# Columns of AgreementResult.limits (Bland–Altman), in order; rows bias, lower, upper.
AGREEMENT_LIMITS_COLUMNS = (
    "quantity",  # "bias", "lower" or "upper" (limit of agreement)
    "estimate",
    "ci_low",  # 95% CI: t interval (bias), Bland & Altman 1999 approximation (limits)
    "ci_high",
    "exact_low",  # exact 95% CI by the non-central t (limits; the t interval for the bias)
    "exact_high",
)


@dataclass(frozen=True)
class AgreementResult:
    """Agreement between raters: kappas, ICCs, Bland–Altman, and the two raters' table.

    `kappas`, `icc`, `limits`: see their column tuples above (empty when they do not apply).
    `points`: columns mean, difference, one row per subject (Bland–Altman; sampled above 5,000).
    `crosstab`: counts of rater 1's categories (index) by rater 2's (columns), two raters only.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "kappas": AGREEMENT_KAPPA_COLUMNS,
        "icc": AGREEMENT_ICC_COLUMNS,
        "limits": AGREEMENT_LIMITS_COLUMNS,
    }
    kappas: pd.DataFrame
    icc: pd.DataFrame
    limits: pd.DataFrame
    points: pd.DataFrame
    crosstab: pd.DataFrame
    summary: AgreementSummary
    warnings: tuple[str, ...] = ()


# Columns of PropensityResult.model: the score model's terms (log odds of treatment).
PROPENSITY_MODEL_COLUMNS = ("term", "variable", "level", "estimate", "se", "ci_low", "ci_high",
                            "p_value")  # fmt: skip
# Columns of PropensityResult.balance: one row per covariate (a factor: per level; binary:
# one row, its second level). Means are proportions for levels. "before": every analysed
# patient unweighted; "after": the matched (matching weights) or weighted sample. SMD:
# (mean treated - mean control) / the full sample's SD (PropensityFit.sd_denominator);
# variance ratio treated/control (NaN for levels).
PROPENSITY_BALANCE_COLUMNS = (
    "variable", "level", "treated_before", "control_before", "smd_before", "vr_before",
    "treated_after", "control_after", "smd_after", "vr_after",
)  # fmt: skip
# Columns of PropensityResult.scores: one row per analysed patient (data order). `row`: the
# position in the data; `weight`: matching or IPTW weight (0 = not in the sample); `subclass`:
# the matched set (-1: none, or matching with replacement); `discarded`: outside the support.
PROPENSITY_SCORE_COLUMNS = ("row", "treated", "score", "logit", "weight", "subclass",
                            "discarded")  # fmt: skip
# Columns of PropensityResult.effects: the treatment effect in the matched or weighted sample.
PROPENSITY_EFFECT_COLUMNS = ("measure", "estimate", "se", "ci_low", "ci_high", "p_value",
                             "n_treated", "n_control", "method")  # fmt: skip


@dataclass(frozen=True)
class PropensityResult:
    """A propensity-score analysis: the score model, the scores with their weights, balance
    before and after, and the effect on the outcome (empty without one). Column tuples above.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "model": PROPENSITY_MODEL_COLUMNS,
        "scores": PROPENSITY_SCORE_COLUMNS,
        "balance": PROPENSITY_BALANCE_COLUMNS,
        "effects": PROPENSITY_EFFECT_COLUMNS,
    }
    model: pd.DataFrame
    scores: pd.DataFrame
    balance: pd.DataFrame
    effects: pd.DataFrame
    summary: PropensityFit
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImputationResult:
    """m completed data sets, kept as the values drawn for the missing cells only.

    `imputed`: imputation (1..m), row (position in the data), variable, value (the number, or
    for a category its code: the position of the level among the variable's observed values,
    sorted; analyses/imputation.complete() writes the level back). `trace`: chain (1..m),
    iteration, variable, mean: the mean of the imputed values after each round (for a
    category, the mean code, as mice's chainMean), for the convergence plot. `pattern` and
    `missing`: analyses/missing_pattern.py. `warnings`: sentences (variables left out, a
    variable that stayed constant across the chains).
    """

    imputed: pd.DataFrame
    trace: pd.DataFrame
    pattern: pd.DataFrame
    missing: pd.DataFrame
    info: ImputationInfo
    warnings: tuple[str, ...] = ()


# Columns of PooledModel.estimates, in order: one row per coefficient of the pooled model.
POOLED_COLUMNS = (
    "variable",
    "level",
    "is_reference",
    "estimate",  # on the tab's scale: OR, IRR, HR (exp of the pooled coefficient) or coefficient
    "ci_low",  # 95% CI: t on the Barnard-Rubin df
    "ci_high",
    "p_value",
    "df",  # Barnard-Rubin degrees of freedom
    "riv",  # relative increase in variance due to the missing data
    "lambda",  # share of the total variance due to the missing data
    "fmi",  # fraction of missing information
    "cc_estimate",  # the same coefficient in the complete cases, for comparison
    "cc_ci_low",
    "cc_ci_high",
)


@dataclass(frozen=True)
class PooledModel:
    """The tab's multivariable model fitted on each imputed data set and pooled by Rubin's rules.

    `estimates`: POOLED_COLUMNS. `fit`: the family, m, the patients and the imputation's seed
    and methods (for the methods sentence). `warnings`: sentences.
    """

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {"estimates": POOLED_COLUMNS}
    estimates: pd.DataFrame
    fit: PooledFit
    warnings: tuple[str, ...] = ()


# Columns of PooledSummary.table: one row per variable (numbers) or level (categories) and group.
POOLED_SUMMARY_COLUMNS = (
    "variable",
    "level",  # "" for a number
    "group",  # "Overall" or a level of the grouping column
    "estimate",  # pooled mean, or pooled percentage of the level
    "ci_low",  # 95% CI by Rubin's rules (t on Barnard-Rubin df)
    "ci_high",
    "fmi",
    "n_observed",  # patients of the group with the value observed (the complete cases)
    "cc_estimate",  # the mean or percentage among them
)


@dataclass(frozen=True)
class PooledSummary:
    """Table 1's means and percentages pooled over the imputed data sets, beside the observed."""

    TABLE_COLUMNS: ClassVar[Mapping[str, tuple[str, ...]]] = {"table": POOLED_SUMMARY_COLUMNS}
    table: pd.DataFrame
    fit: PooledSummaryFit
    warnings: tuple[str, ...] = ()
