"""Typed fit records: the numbers and labels that describe one fitted analysis as a whole.

Each analysis result (analyses/results.py) carries one of these next to its tidy tables, in
the spirit of broom's glance(): a frozen dataclass of plain numbers, strings and tuples, so a
result stays immutable, hashable where its tables allow, and storable by utils/codec.py.
A field that only some fits have is None when absent; NaN means the number was computed and
is undefined (e.g. an R² with a zero null likelihood), as R reports NA.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OutcomeFit:
    """The multivariable logistic model of an outcome analysis (analyses/outcome.py)."""

    method: str  # "logit" or "firth": the estimator of the multivariable model
    event: str  # the outcome level counted as the event
    n_total: int  # patients with the outcome known
    n_used: int  # of those, complete cases in the multivariable model
    n_excluded: int  # n_total - n_used: left out for a missing covariate
    n_outcome_missing: int  # patients without an outcome value (not in n_total)
    events: int  # events among the n_used patients
    non_events: int  # n_used - events
    n_parameters: int  # coefficients besides the intercept
    events_per_variable: float  # min(events, non_events) / n_parameters; NaN with no parameter
    log_likelihood: float  # unpenalized log-likelihood at the reported estimates
    aic: float  # -2 log-likelihood + 2 (n_parameters + 1)
    mcfadden_r2: float  # 1 - log-likelihood / null log-likelihood
    nagelkerke_r2: float  # Cox-Snell R² over its maximum
    auc: float  # C-statistic of the fitted probabilities
    auc_ci_low: float  # DeLong 95% CI of the AUC
    auc_ci_high: float
    hosmer_lemeshow_chi2: float  # Hosmer-Lemeshow statistic over 10 risk groups
    hosmer_lemeshow_df: int  # its degrees of freedom (groups formed - 2; 0 when not computable)
    hosmer_lemeshow_p: float
    screen_p: float | None  # univariable p below which a covariate enters; None = all candidates
    covariates_in_model: tuple[str, ...]  # column names in the multivariable model, spec order
    solver: str  # optimiser of the reported fit: "newton", "bfgs" or "firth"
    separation: bool  # separation was found in the multivariable model
    fallbacks: tuple[str, ...] = ()  # solver changes on the way, e.g. ("newton->bfgs",)
    penalized_log_likelihood: float | None = None  # Firth's penalized log-likelihood (Firth only)


@dataclass(frozen=True)
class RegressionFit:
    """The multivariable linear or count model of a regression analysis (analyses/regression.py).

    Linear-only fields are None for count models and count-only fields None for linear ones.
    """

    family: str  # "linear", "poisson" or "negbin"
    family_reason: str  # "requested", "overdispersion" or "no overdispersion" (automatic choice)
    outcome: str  # the outcome column
    exposure: str  # the exposure column behind the offset log(exposure); "" for none
    estimate_name: str  # "coefficient" (linear) or "IRR" (count models)
    n_total: int  # patients with the outcome (and exposure) known
    n_used: int  # of those, complete cases in the multivariable model
    n_excluded: int  # n_total - n_used
    n_parameters: int  # coefficients besides the intercept
    screen_p: float | None  # univariable p below which a covariate enters; None = all candidates
    covariates_in_model: tuple[str, ...]  # column names in the multivariable model, spec order
    converged: bool  # the fit (and the NB alpha) converged
    screening_dispersion: float  # Pearson χ²/df of the Poisson screening fit; NaN for linear
    overdispersion_threshold: float  # χ²/df above which counts count as overdispersed
    log_likelihood: float  # of the multivariable model
    aic: float  # -2 log-likelihood + 2 k (k counts NB alpha, as R)
    bic: float  # -2 log-likelihood + log(n_used) k
    residual_df: int  # residual degrees of freedom
    fallbacks: tuple[str, ...] = ()  # optimisers given up on for NB alpha, e.g. "nb-newton->bfgs"
    # Linear models (None for count models).
    r2: float | None = None  # R²
    adj_r2: float | None = None  # adjusted R²
    residual_se: float | None = None  # residual standard error, in the outcome's units
    f_statistic: float | None = None  # overall F test of the model; NaN without covariate df
    f_df1: int | None = None  # its numerator df
    f_df2: int | None = None  # its denominator df
    f_p: float | None = None  # its p-value
    outcome_mean: float | None = None  # mean outcome of the n_used patients
    # Count models (None for linear models).
    deviance: float | None = None  # residual deviance
    null_deviance: float | None = None  # deviance of the intercept-only model
    pearson_chi2: float | None = None  # Pearson χ² of the fit
    dispersion: float | None = None  # Pearson χ² / residual df (1 for a well-specified Poisson)
    lr_chi2: float | None = None  # likelihood-ratio χ² of the model against the null model
    lr_df: int | None = None  # its degrees of freedom
    lr_p: float | None = None  # its p-value
    mcfadden_r2: float | None = None  # 1 - log-likelihood / null log-likelihood
    alpha: float | None = None  # NB2 dispersion α (variance mu + α mu²); NaN for Poisson
    theta: float | None = None  # 1 / α, as MASS::glm.nb reports it; NaN for Poisson
    total_events: float | None = None  # sum of the outcome counts of the n_used patients
    total_exposure: float | None = None  # sum of the exposure; NaN without an exposure
    # Negative binomial only, when the Poisson comparison could be fitted (else None).
    alpha_lr_chi2: float | None = None  # LR χ² of NB against Poisson (alpha = 0)
    alpha_lr_p: float | None = None  # its p (half the χ²(1) tail: alpha = 0 is on the boundary)
    poisson_aic: float | None = None  # AIC of the Poisson model with the same covariates


@dataclass(frozen=True)
class DiagnosticInfo:
    """The reference standard and counts of a diagnostic accuracy analysis."""

    reference: str  # the reference-standard column
    positive: str  # its level meaning the condition is present
    negative: str  # the other level(s), e.g. "not 1" when several were pooled
    n_total: int  # patients with the reference known
    n_reference_missing: int  # patients without a reference value
    positives: int  # of n_total, with the condition
    negatives: int  # of n_total, without it
    ci_method: str  # "exact" (Clopper-Pearson) or "wilson": CIs of proportions
    direction: str  # "auto", "higher" or "lower", as requested for the markers


@dataclass(frozen=True)
class SurvivalFit:
    """Counts, the log-rank test and the Cox model's fit statistics of a survival analysis.

    The cox_* fields are None when no Cox model was fitted (no covariate and no group).
    """

    event: str  # the event column's level meaning the event happened
    time_source: str  # "column" (a follow-up time column) or "dates" (end - start, in days)
    conf_type: str  # "log", "log-log" or "plain": transform of the pointwise KM band
    ties: str  # Cox ties method ("efron", R coxph's default)
    n_total: int  # rows in the data
    n_used: int  # patients with a time, an event status (and a group, if grouped)
    n_excluded: int  # n_total - n_used
    events: int  # events among the n_used patients
    max_time: float  # longest follow-up, in the time column's units (days for dates)
    median_follow_up: float  # reverse Kaplan–Meier median follow-up; NaN if not reached
    groups: tuple[str, ...]  # curve names, in order ("All patients" without a group)
    covariates_in_model: tuple[str, ...]  # covariates of the multivariable Cox model
    ph_global_p: float  # global cox.zph p of the multivariable model; NaN without a Cox model
    logrank_chi2: float  # log-rank χ² between the groups; NaN with fewer than two groups
    logrank_df: int  # its degrees of freedom (groups - 1; 0 without groups)
    logrank_p: float  # its p-value; NaN with fewer than two groups
    cox_n_used: int | None = None  # complete cases in the multivariable Cox model
    cox_events: int | None = None  # events among them
    cox_n_parameters: int | None = None  # coefficients of the Cox model
    cox_log_likelihood: float | None = None  # partial log-likelihood (Efron)
    cox_lr_chi2: float | None = None  # likelihood-ratio χ² against beta = 0
    cox_lr_df: int | None = None  # its degrees of freedom (= cox_n_parameters)
    cox_lr_p: float | None = None  # its p-value
    cox_converged: bool | None = None  # the Cox fit converged with finite standard errors
    cox_events_per_parameter: float | None = None  # cox_events / cox_n_parameters
    strata: tuple[str, ...] = ()  # columns whose combinations have their own baseline hazard
    n_strata: int | None = None  # strata with patients (None: not stratified)


@dataclass(frozen=True)
class CorrelationSummary:
    """The method of a correlation matrix and the statistics of its scatter pair."""

    method: str  # "pearson" or "spearman"
    adjust: str  # multiple-testing correction: "none", "holm", "bonferroni" or "fdr_bh"
    n_rows: int  # rows in the data
    pair_x: str  # the scatter's x column
    pair_y: str  # the scatter's y column
    pair_n: int  # patients with both values
    pair_estimate: float  # the pair's coefficient (Pearson r or Spearman rho); NaN if undefined
    pair_p: float  # its p-value (unadjusted)
    pair_p_method: str  # how that p was computed, as the pairs' p_method ("exact (AS 89)", ...)
    pair_pearson_r: float  # Pearson r of the pair (the fitted line's), whatever the method
    slope: float  # least-squares slope of y on x, in y units per x unit; NaN without a line
    intercept: float  # its intercept, in y units
    points_shown: int  # scatter points kept in the result (a sample above 5,000)


@dataclass(frozen=True)
class Table1Info:
    """How a Table 1 was grouped and summarised."""

    group: str | None  # the grouping column; None = the whole cohort only
    group_levels: tuple[str, ...]  # its levels, in column order
    n_rows: int  # rows in the data
    n_used: int  # patients with a known group (all rows without grouping)
    n_group_missing: int  # patients without a group value, left out of every column
    summary: str  # numeric summaries asked for: "auto", "mean" or "median"
    normality_rule: str  # plain-language rule behind "auto"
    fisher_resamples: int  # Monte Carlo resamples of Fisher's test on tables larger than 2x2


@dataclass(frozen=True)
class AgreementSummary:
    """What an agreement analysis compared, on how many subjects, and its single numbers."""

    scale: str  # "nominal", "ordinal" or "continuous"
    layout: str  # "wide" or "long"
    raters: tuple[str, ...]  # the raters compared (column names, or the long layout's raters)
    n_rows: int  # rows in the data
    n_subjects: int  # subjects rated by every rater (complete cases): the ones analysed
    n_dropped: int  # subjects left out for a missing rating
    categories: tuple[str, ...]  # the categories in order (nominal, ordinal); () for measurements
    percent_agreement: float  # % of subjects on whom every rater gave the same category; NaN
    ba_first: str | None  # Bland–Altman: the first measurement (the difference is second - first)
    ba_second: str | None
    ba_sd: float  # SD of the differences; NaN without Bland–Altman
    ba_slope: float  # proportional bias: slope of the differences on the means
    ba_slope_ci_low: float
    ba_slope_ci_high: float
    ba_slope_p: float
    ba_intercept: float
    points_shown: int  # Bland–Altman points kept in the result (a sample above 5,000)


@dataclass(frozen=True)
class CalibrationFit:
    """Calibration and validation figures of an outcome model (analyses/outcome_performance.py)."""

    n: int  # patients the model was fitted on (the complete cases)
    events: int
    c_statistic: float  # exact (Mann-Whitney) C of the fitted probabilities
    brier: float  # mean squared error of the predicted probabilities; lower is better
    scaled_brier: float  # 1 - Brier / (prevalence (1 - prevalence)); 1 is perfect, 0 useless
    calibration_in_the_large: float  # intercept with logit p as offset; 0 is ideal
    citl_ci_low: float  # its Wald 95% CI
    citl_ci_high: float
    slope: float  # calibration slope (logit P(y) on logit p); 1 is ideal, < 1 overfitting
    slope_ci_low: float
    slope_ci_high: float
    slope_intercept: float  # the intercept of that same fit (val.prob's "Intercept")
    eavg: float  # mean |lowess-smoothed observed - predicted| over the patients (ICI)
    e90: float  # its 90th centile
    emax: float  # its maximum
    bootstrap_samples: int  # B asked for internal validation; 0 = none
    bootstrap_used: int  # samples whose model fitted
    bootstrap_screening: bool  # each sample repeated the univariable screening
    seed: int | None = None  # the seed of the bootstrap samples (None without a bootstrap)


@dataclass(frozen=True)
class PropensityFit:
    """What a propensity-score analysis did, on how many patients, and its single numbers."""

    method: str  # "matching" or "weighting"
    estimand: str  # "ATT" or "ATE"
    treated_level: str  # the treatment column's value that is "treated"
    control_level: str
    n_rows: int  # rows in the data
    n_complete: int  # rows with the treatment and every covariate (the ones analysed)
    n_missing: int  # rows left out for a missing treatment or covariate
    n_treated: int  # complete cases treated / control
    n_control: int
    n_discarded_treated: int  # outside the common support (trim); 0 without trimming
    n_discarded_control: int
    c_statistic: float  # of the score model
    sd_logit: float  # SD of the logit of the score (after trimming), the caliper's unit
    caliper: float  # in SDs of the logit; NaN without a caliper
    caliper_width: float  # caliper x sd_logit; NaN without a caliper
    ratio: int
    replace: bool
    order: str
    seed: int  # used only with order "random"
    exact: tuple[str, ...]
    n_matched_treated: int  # matching: treated with a match; weighting: treated kept
    n_matched_control: int  # distinct controls used; weighting: controls kept
    n_unmatched_treated: int  # treated left without a match (caliper, exact strata)
    ess_treated: float  # Kish's effective sample size of the weights in each group
    ess_control: float
    stabilised: bool
    truncate: float  # percentile p of truncation at p / 100-p; NaN for none
    weight_min: float
    weight_max: float
    sd_denominator: str  # "treated" (ATT) or "pooled" (ATE): the SMDs' SD, full sample
    max_abs_smd_after: float
    n_imbalanced: int  # rows of the balance table with |SMD| > 0.1 after
    outcome: str | None
    outcome_type: str  # "binary", "continuous" or "" without an outcome
    event_level: str | None
    n_outcome_missing: int  # analysed patients left out of the effect for a missing outcome
    se_method: str  # how the effects' SEs were computed, in words


@dataclass(frozen=True)
class ImputationInfo:
    """The chained equations that made the imputed data sets (analyses/imputation.py)."""

    m: int  # completed data sets
    iterations: int  # rounds of the chained equations per data set
    seed: int  # the seed of the draws: the same seed gives the same data sets
    n_rows: int  # patients in the data
    n_incomplete: int  # of those, with at least one imputed value
    imputed: tuple[str, ...]  # the variables whose missing values were imputed, in order
    methods: tuple[str, ...]  # "pmm", "logreg" or "polyreg", one per imputed variable
    predictors: tuple[str, ...]  # every variable of the imputation model
    left_out: tuple[str, ...]  # variables missing for everyone: not imputed, not predictors


@dataclass(frozen=True)
class PooledFit:
    """A tab's model fitted on each imputed data set and pooled (analyses/mi_models.py)."""

    family: str  # "logistic", "firth", "linear", "poisson", "negbin" or "cox"
    m: int  # imputed data sets pooled
    n: int  # patients in each of those fits
    n_complete: int  # the complete cases (the tab's own model's patients)
    seed: int  # the imputation's seed
    imputed: tuple[str, ...]  # the variables imputed
    methods: tuple[str, ...]  # their methods ("pmm", "logreg", "polyreg"), in the same order


@dataclass(frozen=True)
class PooledSummaryFit:
    """Table 1's means and proportions pooled over imputed data sets (analyses/mi_table1.py)."""

    m: int  # imputed data sets pooled
    n: int  # patients in each (with a known group)
    seed: int  # the imputation's seed
    imputed: tuple[str, ...]  # the variables imputed
    methods: tuple[str, ...]  # their methods, in the same order


FIT_RECORDS = (
    CalibrationFit,
    OutcomeFit,
    RegressionFit,
    DiagnosticInfo,
    SurvivalFit,
    CorrelationSummary,
    Table1Info,
    AgreementSummary,
    PropensityFit,
    ImputationInfo,
    PooledFit,
    PooledSummaryFit,
)
