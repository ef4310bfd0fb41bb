"""The sentence for the protocol and the method named with its source: plain text, no HTML."""

from __future__ import annotations

from analyses.sample_size_result import SampleSizeResult
from analyses.specs import SampleSizeSpec

METHODS = {
    ("proportions", "normal"): "normal approximation for two proportions, without continuity "
    "correction (as R's power.prop.test)",
    ("proportions", "normal_cc"): "normal approximation for two proportions with the continuity "
    "correction of Fleiss, Tytun & Ury (1980)",
    ("proportions", "arcsine"): "arcsine transformation (Cohen's h; as R pwr's pwr.2p.test)",
    ("means", "independent"): "two-sample t test, non-central t (as R pwr's pwr.t.test and "
    "pwr.t2n.test)",
    ("means", "paired"): "paired t test, non-central t (as R pwr's pwr.t.test, type paired)",
    ("correlation", ""): "Fisher's z transformation (as R pwr's pwr.r.test)",
    ("chisq", ""): "non-central chi-square (as R pwr's pwr.chisq.test)",
    ("logrank", "schoenfeld"): "Schoenfeld (1983) for the events of the log-rank test; patients "
    "from the events under exponential survival with uniform accrual",
    ("logrank", "freedman"): "Freedman (1982) for the events of the log-rank test; patients from "
    "the events under exponential survival with uniform accrual",
    ("logistic", "continuous"): "Hsieh, Bloch & Larsen (1998) for a normally distributed "
    "covariate, inflated by 1 / (1 - R²) for the other covariates",
    ("logistic", "binary"): "Hsieh, Bloch & Larsen (1998) for a binary covariate, inflated by "
    "1 / (1 - R²) for the other covariates",
    ("diagnostic", ""): "Buderer (1996), normal-approximation confidence intervals",
    ("ni_proportions", "noninferiority"): "Chow, Shao & Wang (2008), non-inferiority of two "
    "proportions",
    ("ni_proportions", "equivalence"): "Chow, Shao & Wang (2008), equivalence of two proportions "
    "(two one-sided tests)",
    ("ni_means", "noninferiority"): "Chow, Shao & Wang (2008), non-inferiority of two means",
    ("ni_means", "equivalence"): "Chow, Shao & Wang (2008), equivalence of two means "
    "(two one-sided tests)",
}


def pct(x: float | None) -> str:
    """0.4 -> '40%', 0.125 -> '12.5%'."""
    return f"{round(float(x or 0) * 100, 1):g}%"


def num(x: float | None) -> str:
    return f"{float(x or 0):g}"


def points(x: float | None) -> str:
    """A difference of proportions in percentage points."""
    return f"{round(float(x or 0) * 100, 1):g} percentage points"


def method_text(spec: SampleSizeSpec) -> str:
    return METHODS.get((spec.family, spec.method), spec.family)


def sizes(result: SampleSizeResult, recruited: bool = False) -> str:
    """'152 patients per group (304 in all)', '34 pairs', '85 patients'."""
    n1, n2, total = (
        (result.recruit1, result.recruit2, result.recruit_total)
        if recruited
        else (result.n1, result.n2, result.total)
    )
    if result.unit == "pairs":
        return f"{n1:,} pairs"
    if not n2:
        return f"{n1:,} patients"
    if n1 == n2:
        return f"{n1:,} patients per group ({total:,} in all)"
    return f"{n1:,} patients in group 1 and {n2:,} in group 2 ({total:,} in all)"


def aim(spec: SampleSizeSpec, result: SampleSizeResult) -> str:
    """What the study is to show, in words."""
    s, m = spec, spec.method
    if s.family == "proportions":
        return f"detect a difference between {pct(s.p1)} and {pct(s.p2)}"
    if s.family == "means" and m == "paired":
        return (
            f"detect a mean difference of {num(s.difference)} within pairs (standard "
            f"deviation of the differences {num(s.sd)})"
        )
    if s.family == "means":
        return (
            f"detect a difference in means of {num(s.difference)} (standard deviation {num(s.sd)})"
        )
    if s.family == "correlation":
        return f"detect a correlation of {num(s.r)}"
    if s.family == "chisq":
        free = "degree" if s.df == 1 else "degrees"
        return f"detect an effect size w of {num(s.w)} with {num(s.df)} {free} of freedom"
    if s.family == "logrank":
        return f"detect a hazard ratio of {num(s.hr)}"
    if s.family == "logistic":
        others = f", R² {num(s.r2)} with the other covariates" if s.r2 else ""
        if m == "binary":
            return (
                f"detect an odds ratio of {num(s.odds_ratio)} for an exposure of "
                f"{pct(s.exposed)} of patients (event rate {pct(s.p1)} without it{others})"
            )
        return (
            f"detect an odds ratio of {num(s.odds_ratio)} per standard deviation of a "
            f"covariate (event rate {pct(s.p1)} at its mean{others})"
        )
    if s.family == "ni_proportions":
        expected = f"expecting {pct(s.p1)} with the new treatment and {pct(s.p2)} with the standard"
        if m == "equivalence":
            return f"show equivalence within ±{points(s.margin)} ({expected})"
        return f"show non-inferiority with a margin of {points(s.margin)} ({expected})"
    expected = f"expected difference {num(s.difference)}, standard deviation {num(s.sd)}"
    if m == "equivalence":
        return f"show equivalence within ±{num(s.margin)} ({expected})"
    return f"show non-inferiority with a margin of {num(s.margin)} ({expected})"


def _level(spec: SampleSizeSpec) -> str:
    if spec.family == "chisq":
        return f"an α of {num(spec.alpha)}"
    sided = "two-sided" if spec.sides == 2 else "one-sided"
    return f"a {sided} α of {num(spec.alpha)}"


def _dropout(spec: SampleSizeSpec, result: SampleSizeResult, verb: str) -> str:
    if not spec.dropout:
        return "."
    return f"; allowing for {pct(spec.dropout)} dropout, {result.recruit_total:,} {verb}."


def protocol_sentence(spec: SampleSizeSpec, result: SampleSizeResult) -> str:
    """The sentence a protocol's sample size section can take as it is."""
    if spec.family == "diagnostic":
        cases = result.quantity("cases")
        level = f"{round(100 * (1 - float(spec.alpha or 0)), 1):g}%"
        return (
            f"To estimate a sensitivity of {pct(spec.sensitivity)} and a specificity of "
            f"{pct(spec.specificity)}, each within ±{points(spec.width)} ({level} confidence "
            f"interval), at a prevalence of {pct(spec.prevalence)}, {result.total:,} patients are "
            f"needed ({cases:,.0f} with the condition)"
            + _dropout(spec, result, "will be recruited")
        )
    if spec.family == "logrank":
        return _logrank(spec, result)
    if spec.solve == "power":
        return (
            f"With {sizes(result)}, the power to {aim(spec, result)} at {_level(spec)} is "
            f"{pct(result.power)}" + _dropout(spec, result, "would be recruited")
        )
    return (
        f"To {aim(spec, result)} with {pct(spec.power)} power at {_level(spec)}, "
        f"{sizes(result)} are needed" + _dropout(spec, result, "will be recruited")
    )


def _logrank(spec: SampleSizeSpec, result: SampleSizeResult) -> str:
    """Events first, then the patients that give them under the survival assumed."""
    u = spec.time_unit
    events = f"{result.quantity('events'):,.0f} events"
    study = (
        f"with a median survival of {num(spec.median)} {u} in group 1, {num(spec.accrual)} "
        f"{u} of accrual and {num(spec.follow_up)} {u} of further follow-up"
    )
    if spec.solve == "power":
        return (
            f"With {sizes(result)}, {study}, about {events} are expected; the power to "
            f"{aim(spec, result)} at {_level(spec)} is {pct(result.power)}"
            + _dropout(spec, result, "would be recruited")
        )
    return (
        f"To {aim(spec, result)} with {pct(spec.power)} power at {_level(spec)}, {events} are "
        f"needed; {study}, {sizes(result)} are needed" + _dropout(spec, result, "will be recruited")
    )
