"""What a sample size calculation needs, said as a sentence when it is missing or impossible."""

from __future__ import annotations

import math

from analyses.errors import AnalysisError
from analyses.specs import SampleSizeSpec

FAMILIES = (
    "proportions",
    "means",
    "correlation",
    "chisq",
    "logrank",
    "logistic",
    "diagnostic",
    "ni_proportions",
    "ni_means",
)
METHODS = {
    "proportions": ("normal", "normal_cc", "arcsine"),
    "means": ("independent", "paired"),
    "logrank": ("schoenfeld", "freedman"),
    "logistic": ("continuous", "binary"),
    "ni_proportions": ("noninferiority", "equivalence"),
    "ni_means": ("noninferiority", "equivalence"),
}


def value(x: float | None, what: str) -> float:
    """A number that was entered, or a sentence asking for it."""
    if x is None or isinstance(x, bool) or not math.isfinite(float(x)):
        raise AnalysisError(f"Enter {what}.")
    return float(x)


def fraction(x: float | None, what: str, example: str) -> float:
    """A proportion strictly between 0 and 1 (entered as a fraction, not a percentage)."""
    v = value(x, what)
    if not 0 < v < 1:
        raise AnalysisError(
            f"{what[0].upper()}{what[1:]} must be between 0 and 1, not {v:g} "
            f"(enter {example}, not a percentage)."
        )
    return v


def positive(x: float | None, what: str) -> float:
    v = value(x, what)
    if v <= 0:
        raise AnalysisError(f"{what[0].upper()}{what[1:]} must be larger than 0, not {v:g}.")
    return v


def check(spec: SampleSizeSpec) -> None:
    """Raise AnalysisError with a sentence for an input the calculation cannot take."""
    if spec.family not in FAMILIES:
        raise AnalysisError("Choose what the study compares.")
    if spec.family in METHODS and spec.method not in METHODS[spec.family]:
        raise AnalysisError("Choose a method for this calculation.")
    alpha = value(spec.alpha, "the significance level α")
    if not 0 < alpha < 1:
        raise AnalysisError(
            f"The significance level α must be between 0 and 1 (such as 0.05), not {alpha:g}."
        )
    if spec.sides not in (1, 2):
        raise AnalysisError("Choose a one-sided or two-sided test.")
    if spec.solve == "n" and spec.family != "diagnostic":
        power = value(spec.power, "the power wanted")
        if not 0 < power < 1:
            raise AnalysisError(
                f"Power must be between 0 and 1, without either end (0.8 for 80%), not {power:g}:"
                " no finite study has a power of 1, and a power of 0 needs no study."
            )
        if power <= alpha:
            raise AnalysisError(f"Power ({power:g}) must be larger than α ({alpha:g}).")
    elif spec.solve == "power":
        if spec.family == "diagnostic":
            raise AnalysisError(
                "Diagnostic accuracy is sized for precision, not power: choose 'Sample size'."
            )
        n = value(spec.n, "the number of patients")
        if n < minimum_n(spec):
            raise AnalysisError(
                f"Enter at least {minimum_n(spec)} patients for this test, not {n:g}."
            )
    dropout = value(spec.dropout, "the expected dropout (0 for none)")
    if not 0 <= dropout < 1:
        raise AnalysisError(
            f"Dropout must be at least 0 and below 1 (0.1 for 10%), not {dropout:g}."
        )
    _FAMILY_CHECKS[spec.family](spec)


def minimum_n(spec: SampleSizeSpec) -> int:
    """The smallest n each test is defined for (as pwr's lower bounds)."""
    return {"correlation": 4, "means": 2, "chisq": 1}.get(spec.family, 1)


def _proportions(spec: SampleSizeSpec) -> None:
    p1 = fraction(spec.p1, "the proportion in group 1", "0.4 for 40%")
    p2 = fraction(spec.p2, "the proportion in group 2", "0.25 for 25%")
    if p1 == p2:
        raise AnalysisError(
            f"The two proportions are equal ({p1:g}): there is no difference to "
            "detect. Enter the proportion expected in each group."
        )
    positive(spec.ratio, "the allocation ratio (group 2 / group 1)")


def _means(spec: SampleSizeSpec) -> None:
    diff = value(spec.difference, "the difference in means to detect")
    positive(spec.sd, "the standard deviation")
    if diff == 0:
        raise AnalysisError(
            "A difference of 0 cannot be detected: enter the smallest difference "
            "that matters clinically."
        )
    if spec.method == "independent":
        positive(spec.ratio, "the allocation ratio (group 2 / group 1)")


def _correlation(spec: SampleSizeSpec) -> None:
    r = value(spec.r, "the correlation to detect")
    if not -1 < r < 1 or r == 0:
        raise AnalysisError(f"The correlation must be between -1 and 1 and not 0, not {r:g}.")


def _chisq(spec: SampleSizeSpec) -> None:
    positive(spec.w, "the effect size w")
    df = value(spec.df, "the degrees of freedom")
    if df < 1 or df != int(df):
        raise AnalysisError(
            f"The degrees of freedom must be a whole number of at least 1, not "
            f"{df:g} ((rows - 1) × (columns - 1))."
        )


def _logrank(spec: SampleSizeSpec) -> None:
    hr = positive(spec.hr, "the hazard ratio")
    if hr == 1:
        raise AnalysisError(
            "A hazard ratio of 1 means no difference: enter the hazard ratio to "
            "detect (such as 0.7)."
        )
    positive(spec.ratio, "the allocation ratio (group 2 / group 1)")
    positive(spec.median, "the median survival in group 1")
    accrual = value(spec.accrual, "the accrual period (0 if all start together)")
    follow = value(spec.follow_up, "the follow-up after accrual ends")
    if accrual < 0 or follow < 0:
        raise AnalysisError("Accrual and follow-up periods cannot be negative.")
    if accrual + follow == 0:
        raise AnalysisError(
            "With no accrual and no follow-up no patient can have an event: enter "
            "how long patients are followed."
        )


def _logistic(spec: SampleSizeSpec) -> None:
    what = (
        "the event rate at the covariate's mean"
        if spec.method == "continuous"
        else ("the event rate without the exposure")
    )
    fraction(spec.p1, what, "0.2 for 20%")
    odds = positive(spec.odds_ratio, "the odds ratio")
    if odds == 1:
        raise AnalysisError("An odds ratio of 1 means no effect: enter the odds ratio to detect.")
    r2 = value(spec.r2, "the R² of this covariate with the others (0 if alone)")
    if not 0 <= r2 < 1:
        raise AnalysisError(
            f"The R² with the other covariates must be at least 0 and below 1, not {r2:g}."
        )
    if spec.method == "binary":
        fraction(spec.exposed, "the share of patients exposed", "0.3 for 30%")


def _diagnostic(spec: SampleSizeSpec) -> None:
    fraction(spec.sensitivity, "the expected sensitivity", "0.9 for 90%")
    fraction(spec.specificity, "the expected specificity", "0.85 for 85%")
    fraction(spec.prevalence, "the prevalence", "0.2 for 20%")
    fraction(spec.width, "the half-width of the confidence interval", "0.05 for ±5%")


def _margin(spec: SampleSizeSpec) -> float:
    margin = value(spec.margin, "the margin")
    if margin <= 0:
        raise AnalysisError(
            f"The margin must be a positive number: how much worse the new treatment may be "
            f"(non-inferiority) or how far apart the two may be (equivalence), not {margin:g}."
        )
    return margin


def _ni_difference(spec: SampleSizeSpec, diff: float, margin: float) -> None:
    if spec.method == "noninferiority" and diff <= -margin:
        raise AnalysisError(
            f"The expected difference ({diff:g}) is already at or beyond the "
            f"margin (-{margin:g}): non-inferiority could not be shown."
        )
    if spec.method == "equivalence" and abs(diff) >= margin:
        raise AnalysisError(
            f"The expected difference ({diff:g}) is not inside the margin "
            f"(±{margin:g}): equivalence could not be shown."
        )


def _ni_proportions(spec: SampleSizeSpec) -> None:
    pt = fraction(spec.p1, "the proportion with the new treatment", "0.85 for 85%")
    pr = fraction(spec.p2, "the proportion with the standard treatment", "0.8 for 80%")
    margin = _margin(spec)
    if margin >= 1:
        raise AnalysisError(
            f"A margin for proportions is below 1 (0.1 for 10 percentage points), not {margin:g}."
        )
    _ni_difference(spec, pt - pr, margin)


def _ni_means(spec: SampleSizeSpec) -> None:
    diff = value(spec.difference, "the expected difference (new - standard)")
    positive(spec.sd, "the standard deviation")
    _ni_difference(spec, diff, _margin(spec))


_FAMILY_CHECKS = {
    "proportions": _proportions,
    "means": _means,
    "correlation": _correlation,
    "chisq": _chisq,
    "logrank": _logrank,
    "logistic": _logistic,
    "diagnostic": _diagnostic,
    "ni_proportions": _ni_proportions,
    "ni_means": _ni_means,
}
