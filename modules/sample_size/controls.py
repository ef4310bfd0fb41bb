"""The Sample size tab's choices and its spec builder (no data: every control has a default)."""

from __future__ import annotations

from analyses.sample_size_checks import check
from analyses.specs import SampleSizeSpec
from modules.shared.controls import Settings

FAMILIES = {
    "proportions": "Two proportions",
    "means": "Two means",
    "correlation": "A correlation",
    "chisq": "A chi-square test (contingency table)",
    "logrank": "Survival in two groups (log-rank)",
    "logistic": "One covariate in logistic regression",
    "diagnostic": "Diagnostic accuracy (sensitivity and specificity)",
    "ni_proportions": "Non-inferiority or equivalence: proportions",
    "ni_means": "Non-inferiority or equivalence: means",
}
PROPORTION_METHODS = {
    "normal": "Normal approximation",
    "normal_cc": "Normal approximation with continuity correction",
    "arcsine": "Arcsine (Cohen's h, as R pwr)",
}
MEAN_DESIGNS = {"independent": "Independent groups", "paired": "Paired (before/after)"}
LOGRANK_METHODS = {"schoenfeld": "Schoenfeld", "freedman": "Freedman"}
COVARIATES = {"continuous": "Continuous (odds ratio per SD)", "binary": "Binary (exposed or not)"}
HYPOTHESES = {"noninferiority": "Non-inferiority", "equivalence": "Equivalence"}
SOLVE = {"n": "Sample size (for a power)", "power": "Power (of a sample size)"}
SIDES = {"2": "Two-sided", "1": "One-sided"}
TIME_UNITS = {"months": "months", "years": "years", "weeks": "weeks", "days": "days"}

# Which method control each family reads.
METHOD_CONTROL = {
    "proportions": "method_proportions",
    "means": "method_means",
    "logrank": "method_logrank",
    "logistic": "method_logistic",
    "ni_proportions": "method_ni",
    "ni_means": "method_ni",
}
ONE_SIDED = ("ni_proportions", "ni_means")  # one-sided α by design (Chow, Shao & Wang)


def family_is(*families: str):
    """A `visible` rule: the control shows for these families."""
    return lambda s: s["family"] in families


def method_of(s: Settings) -> str:
    control = METHOD_CONTROL.get(s["family"] or "")
    return (s[control] or "") if control else ""


def solves_n(s: Settings) -> bool:
    return s["family"] == "diagnostic" or s["solve"] != "power"


def size_kind(s: Settings) -> str:
    """What the size typed to get a power counts: "group", "pairs" or "total" ("" when the
    tab solves for n)."""
    if solves_n(s):
        return ""
    family = s["family"]
    if family == "means" and s["method_means"] == "paired":
        return "pairs"
    return "total" if family in ("correlation", "chisq", "logistic") else "group"


SIZE_CONTROL = {"group": "n_group", "pairs": "n_pairs", "total": "n_total"}


def build_spec(s: Settings) -> SampleSizeSpec:
    """The spec the settings describe, checked (AnalysisError with a sentence otherwise)."""
    family = s["family"] or "proportions"
    method = method_of(s)
    ni = family in ONE_SIDED
    values = {
        "proportions": dict(p1=s["p1"], p2=s["p2"], ratio=s["ratio"]),
        "means": dict(
            difference=s["difference"],
            sd=s["sd"],
            ratio=s["ratio"] if method == "independent" else 1.0,
        ),
        "correlation": dict(r=s["r"]),
        "chisq": dict(w=s["w"], df=s["df"]),
        "logrank": dict(
            hr=s["hr"],
            ratio=s["ratio"],
            median=s["median"],
            accrual=s["accrual"],
            follow_up=s["follow_up"],
            time_unit=s["time_unit"] or "months",
        ),
        "logistic": dict(
            p1=s["event_rate"],
            odds_ratio=s["odds_ratio"],
            r2=s["r2"],
            exposed=s["exposed"] if method == "binary" else None,
        ),
        "diagnostic": dict(
            sensitivity=s["sensitivity"],
            specificity=s["specificity"],
            prevalence=s["prevalence"],
            width=s["width"],
        ),
        "ni_proportions": dict(p1=s["p_new"], p2=s["p_standard"], margin=s["margin_p"]),
        "ni_means": dict(difference=s["ni_difference"], sd=s["sd"], margin=s["margin_m"]),
    }[family]
    solve = "n" if solves_n(s) else "power"
    spec = SampleSizeSpec(
        family=family,
        method=method,
        solve=solve,
        alpha=s["alpha"],
        power=s["power"] if solve == "n" and family != "diagnostic" else None,
        n=s[SIZE_CONTROL[size_kind(s)]] if solve == "power" else None,
        sides=1 if ni else int(s["sides"] or 2),
        dropout=s["dropout"],
        **values,
    )
    check(spec)
    return spec
