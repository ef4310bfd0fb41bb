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
    `calibration`: also the model's calibration and decision curve; `bootstrap` > 0: also
    Harrell's bootstrap validation with that many samples drawn with `seed`. Both default off,
    so an analysis that does not ask for them costs nothing more (and keeps its cache key).
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
    calibration: bool = False
    bootstrap: int = 0
    seed: int = DEFAULT_SEED


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
