"""Frozen, hashable analysis specifications: what to compute, never how to show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from analyses.errors import AnalysisError

Method = Literal["auto", "logit", "firth"]
# How continuous covariates' estimates are reported (see analyses/effect_scale.py).
EffectScale = Literal["unit", "10", "sd", "iqr"]
# The outcome model's bootstrap validation: the seed shown by default, and the samples allowed.
DEFAULT_SEED = 2026
BOOTSTRAP_RANGE = (20, 2000)


@dataclass(frozen=True)
class OutcomeSpec:
    """A logistic outcome analysis.

    `categorical` names the covariates to treat as factors (the others are numeric);
    `reference` holds (variable, reference level) pairs; `screen_p=None` puts every
    candidate into the multivariable model; `force` covariates always enter it.
    `effect_scale`: continuous covariates' odds ratios per unit, per 10 units, per SD or per
    IQR (SD and IQR of the covariate among the patients with a known outcome).
    `subgroup_exposure`, `subgroups`: the exposure whose effect is shown within each level of
    each subgroup variable (analyses/subgroups.py); `interactions`: (exposure, modifier) pairs
    added one at a time to the adjusted model, reported per level (analyses/interactions.py).
    `calibration`: also the model's calibration and decision curve; `bootstrap` > 0: also
    Harrell's bootstrap validation with that many samples drawn with `seed`. Both default off,
    so an analysis that does not ask for them costs nothing more (and keeps its cache key).
    `imputation`: also the adjusted model on each imputed data set, pooled (logic.run adds
    it as the result's `pooled`; analyses/mi_models.py); None: complete cases only.
    """

    outcome: str
    covariates: tuple[str, ...]
    event: str | None = None
    method: Method = "auto"
    screen_p: float | None = 0.20
    force: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    continuous_summary: Literal["mean", "median"] = "mean"
    effect_scale: EffectScale = "unit"
    subgroup_exposure: str | None = None
    subgroups: tuple[str, ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    calibration: bool = False
    bootstrap: int = 0
    seed: int = DEFAULT_SEED
    imputation: ImputationSpec | None = None


@dataclass(frozen=True)
class CorrelationSpec:
    """Pairwise correlations of numeric columns, each pair on its complete cases.

    `method`: "pearson" or "spearman"; `adjust`: multiple-testing correction of the matrix
    p-values ("none", "holm", "bonferroni", "fdr_bh"); `pair`: the two columns of the scatter
    plot (None = the first two columns).
    """

    columns: tuple[str, ...]
    method: Literal["pearson", "spearman"] = "pearson"
    adjust: Literal["none", "holm", "bonferroni", "fdr_bh"] = "none"
    pair: tuple[str, str] | None = None


@dataclass(frozen=True)
class RegressionSpec:
    """A linear (continuous outcome) or count (Poisson / negative binomial) regression.

    `model`: "linear"; "count" = Poisson, switched to negative binomial when overdispersed;
    "poisson" or "negbin" as chosen. `exposure` names a positive column whose log is the
    offset (rates). The other fields mean what they mean in OutcomeSpec.
    """

    outcome: str
    covariates: tuple[str, ...]
    model: Literal["linear", "count", "poisson", "negbin"] = "linear"
    exposure: str | None = None
    screen_p: float | None = 0.20
    force: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    effect_scale: EffectScale = "unit"
    subgroup_exposure: str | None = None
    subgroups: tuple[str, ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    imputation: ImputationSpec | None = None


@dataclass(frozen=True)
class Table1Spec:
    """Table 1 (baseline characteristics) of `variables`, optionally by a grouping column.

    `categorical` names the variables summarised as n (%) (the others as numbers); `summary`
    shows every numeric variable as mean (SD) or median [IQR], or picks by its distribution
    ("auto"); `median_variables` are shown as median [IQR] whatever `summary` says.
    """

    variables: tuple[str, ...]
    group: str | None = None
    categorical: tuple[str, ...] = ()
    summary: Literal["auto", "mean", "median"] = "auto"
    median_variables: tuple[str, ...] = ()
    imputation: ImputationSpec | None = None  # also pooled means and proportions (mi_table1)


@dataclass(frozen=True)
class DiagnosticSpec:
    """Diagnostic accuracy of one or more tests against a binary reference standard.

    `positive` is the reference level meaning "condition present" (None: a positive-looking
    level, else the second of two). `markers` are numeric columns; `binary_tests` are
    (column, level read as a positive test) pairs. `direction`: "auto" (as pROC's
    direction="auto": the group with the higher median is the diseased one), "higher" or
    "lower" values mean disease. `cutoffs` are (marker, cut-off) pairs; a marker without one
    is cut at Youden's optimum. `ci_method`: "exact" (Clopper-Pearson) or "wilson".
    """

    reference: str
    positive: str | None = None
    markers: tuple[str, ...] = ()
    binary_tests: tuple[tuple[str, str], ...] = ()
    direction: Literal["auto", "higher", "lower"] = "auto"
    cutoffs: tuple[tuple[str, float], ...] = ()
    ci_method: Literal["exact", "wilson"] = "exact"


@dataclass(frozen=True)
class SurvivalSpec:
    """A time-to-event analysis: Kaplan–Meier by group, log-rank, Cox models, PH check.

    Follow-up is `time` (a number per patient) or, when `time` is None, the days from the
    date column `start` to the date column `end`. `event_level` is the value of `event`
    that means the event happened (None: chosen and reported). `group`, when set, splits
    the curves and is the first covariate of the Cox models, before `covariates`.
    `conf_type` is the transform of the pointwise band, as R survfit's conf.type.
    `risk_times` are the times of the at-risk table (empty: round steps chosen).
    `effect_scale`: continuous covariates' hazard ratios per unit, per 10 units, per SD or per
    IQR (SD and IQR among the patients with a follow-up time and an event status).
    `strata`: columns whose combinations each get their own baseline hazard in the Cox
    models (R's strata()): no hazard ratio for them; the curves are drawn per stratum.
    `subgroup_exposure`, `subgroups`, `interactions` as in OutcomeSpec (Cox models).
    """

    event: str
    time: str | None = None
    start: str | None = None
    end: str | None = None
    event_level: str | None = None
    group: str | None = None
    covariates: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    conf_type: Literal["log", "log-log", "plain"] = "log"
    risk_times: tuple[float, ...] = ()
    effect_scale: EffectScale = "unit"
    strata: tuple[str, ...] = ()
    subgroup_exposure: str | None = None
    subgroups: tuple[str, ...] = ()
    interactions: tuple[tuple[str, str], ...] = ()
    imputation: ImputationSpec | None = None


@dataclass(frozen=True)
class SampleSizeSpec:
    """A sample size (or power) calculation; no data. analyses/sample_size.py says what each
    family reads.

    `family`: "proportions", "means", "correlation", "chisq", "logrank", "logistic",
    "diagnostic", "ni_proportions" or "ni_means". `method` picks the formula or design within
    a family. `solve`: "n" (given `power`) or "power" (given `n`: per group in the two-group
    families, else in all). Proportions are fractions (0.4 for 40%); `alpha` is two-sided when
    `sides` is 2. `ratio` is group 2 over group 1 (means, log-rank). `dropout` inflates n as
    n / (1 - dropout).
    """

    family: str
    method: str = ""
    solve: Literal["n", "power"] = "n"
    alpha: float | None = 0.05
    power: float | None = 0.8
    n: float | None = None
    sides: int = 2
    dropout: float | None = 0.0
    p1: float | None = None
    p2: float | None = None
    difference: float | None = None
    sd: float | None = None
    ratio: float | None = 1.0
    r: float | None = None
    w: float | None = None
    df: float | None = None
    hr: float | None = None
    median: float | None = None
    accrual: float | None = None
    follow_up: float | None = None
    time_unit: str = "months"
    odds_ratio: float | None = None
    exposed: float | None = None
    r2: float | None = 0.0
    sensitivity: float | None = None
    specificity: float | None = None
    prevalence: float | None = None
    width: float | None = None
    margin: float | None = None


@dataclass(frozen=True)
class AgreementSpec:
    """Agreement between raters (or methods) who rated the same subjects.

    `layout` "wide": one column per rater (`raters`); "long": one row per rating, with the
    `subject`, `rater` and `rating` columns. `scale`: "nominal" categories (Cohen's kappa for
    two raters, Fleiss' for more, percentage agreement), "ordinal" categories coded as numbers
    (also linear and quadratic weighted kappa for two raters), or "continuous" measurements
    (the six ICCs and, for two raters, Bland–Altman). `pair`: the two raters of the
    Bland–Altman plot (None: the first two); the difference is the second minus the first.
    """

    layout: Literal["wide", "long"] = "wide"
    raters: tuple[str, ...] = ()
    subject: str | None = None
    rater: str | None = None
    rating: str | None = None
    scale: Literal["nominal", "ordinal", "continuous"] = "continuous"
    pair: tuple[str, str] | None = None


def check_bootstrap(samples: object, seed: object) -> tuple[int, int]:
    """The number of samples (0 = none) and the seed as whole numbers, or a sentence.

    None means a box left empty: asked for, but without a number."""
    low, high = BOOTSTRAP_RANGE
    if samples is False or (_whole(samples) and samples == 0):
        return 0, DEFAULT_SEED
    if not _whole(samples) or not low <= samples <= high:  # type: ignore[operator]
        raise AnalysisError(
            f"Bootstrap samples must be a whole number from {low} to {high:,} (200 is usual)."
        )
    if not _whole(seed) or not 0 <= seed < 2**31:  # type: ignore[operator]
        raise AnalysisError(
            "The bootstrap seed must be a whole number from 0 to 2,147,483,647; the same seed "
            "gives the same samples, so write it down with the results."
        )
    return int(samples), int(seed)  # type: ignore[call-overload]


def _whole(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    )


@dataclass(frozen=True)
class PropensitySpec:
    """A propensity-score analysis: the score, matching or weighting, balance and the effect.

    `treatment`: a column with two values; `treated`: the level that is the treatment (None:
    the second in natural order, as "1" of 0/1). `covariates` of the score model, of which
    `categorical` are factors (one row per level in the balance table; a binary one row).
    `method`: "matching" (nearest neighbour on the logit of the score, ATT) or "weighting"
    (IPTW, `estimand` "ATE" or "ATT"). Matching: `ratio` controls per treated, `replace`,
    `caliper` in SDs of the logit (None: none), `order` of the treated ("largest", "smallest",
    "data", "random" with `seed`), `exact` columns matched exactly. Weighting: `stabilise`
    (ATE), `truncate` at the p-th and (100-p)-th percentiles (None: none). `trim`: drop the
    patients outside the common support of the scores first. `outcome` (None: balance only),
    `outcome_type` "binary" (with `event`), "continuous", or "survival" (the outcome is the
    event, with `event` its level, and `time` the follow-up).
    """

    treatment: str = ""
    covariates: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    treated: str | None = None
    method: Literal["matching", "weighting"] = "matching"
    estimand: Literal["ATT", "ATE"] = "ATT"
    ratio: int = 1
    replace: bool = False
    caliper: float | None = 0.2
    order: Literal["largest", "smallest", "data", "random"] = "largest"
    seed: int = 12345
    exact: tuple[str, ...] = ()
    stabilise: bool = True
    truncate: float | None = None
    trim: bool = False
    outcome: str | None = None
    outcome_type: Literal["binary", "continuous", "survival"] = "continuous"
    event: str | None = None
    time: str | None = None


@dataclass(frozen=True)
class ImputationSpec:
    """Multiple imputation by chained equations (analyses/imputation.py).

    `variables`: the columns of the imputation model; each one with missing values is imputed
    from all the others (numbers by predictive mean matching, two categories by logistic
    regression, more by multinomial regression). `categorical`: those read as categories.
    `m` completed data sets, each its own chain of `iterations` rounds, drawn with `seed`.
    """

    variables: tuple[str, ...]
    categorical: tuple[str, ...] = ()
    m: int = 20
    iterations: int = 10
    seed: int = DEFAULT_SEED
