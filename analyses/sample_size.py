"""Sample size and power for the usual designs of a clinical study (no data needed).

Each family becomes a `Problem`: power as a function of the size it varies (per group, pairs or
in all). Solving for n inverts it with Brent's method on a continuous n, as R's pwr does with
uniroot, and rounds up; solving for power evaluates it. The formulas and their sources are in
sample_size_formulas.py; the checks that turn impossible inputs into sentences in
sample_size_checks.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from scipy import optimize

from analyses import sample_size_formulas as f
from analyses.cancellation import checkpoint
from analyses.errors import AnalysisError
from analyses.sample_size_checks import check, minimum_n
from analyses.sample_size_result import SampleSizeResult
from analyses.specs import SampleSizeSpec

VERSION = 1
LARGEST_N = 1e7  # pwr's upper bound for uniroot on the t test


@dataclass(frozen=True)
class Problem:
    """Power as a function of the varied size; `quantities` found on the way."""

    power: Callable[[float], float]
    unit: str  # "per group", "pairs" or "in all"
    ratio: float  # group 2 / group 1 (0 with one group)
    quantities: dict[str, float]


def problem(spec: SampleSizeSpec, ratio: float | None = None) -> Problem:
    """The power function of a checked spec; `ratio` overrides the allocation (rounded sizes)."""
    a, s = float(spec.alpha), spec.sides  # type: ignore[arg-type]
    k = float(ratio if ratio is not None else (spec.ratio or 1.0))
    fam, m = spec.family, spec.method
    if fam == "proportions":
        p1, p2 = float(spec.p1), float(spec.p2)  # type: ignore[arg-type]
        fn = {
            "normal": f.power_two_proportions,
            "normal_cc": f.power_two_proportions_cc,
            "arcsine": f.power_arcsine,
        }[m]
        q = {"effect_size": f.cohen_h(p1, p2)} if m == "arcsine" else {"difference": p1 - p2}
        return Problem(lambda n: fn(n, p1, p2, a, s, k), "per group", k, q)
    if fam == "means":
        d = float(spec.difference) / float(spec.sd)  # type: ignore[arg-type]
        if m == "paired":
            return Problem(lambda n: f.power_paired(n, d, a, s), "pairs", 0.0, {"effect_size": d})
        return Problem(
            lambda n: f.power_two_means(n, d, a, s, k), "per group", k, {"effect_size": d}
        )
    if fam == "correlation":
        r = float(spec.r)  # type: ignore[arg-type]
        return Problem(lambda n: f.power_correlation(n, r, a, s), "in all", 0.0, {})
    if fam == "chisq":
        w, df = float(spec.w), float(spec.df)  # type: ignore[arg-type]
        return Problem(lambda n: f.power_chisq(n, w, df, a), "in all", 0.0, {})
    if fam == "logrank":
        return _logrank(spec, a, s, k)
    if fam == "logistic":
        return _logistic(spec, a, s)
    if fam in ("ni_proportions", "ni_means"):
        return _noninferiority(spec, a)
    raise AnalysisError("Choose what the study compares.")


def _logrank(spec: SampleSizeSpec, a: float, s: int, k: float) -> Problem:
    hr = float(spec.hr)  # type: ignore[arg-type]
    hazard1 = math.log(2) / float(spec.median)  # type: ignore[arg-type]
    accrual, follow = float(spec.accrual), float(spec.follow_up)  # type: ignore[arg-type]
    p1 = f.event_probability(hazard1, accrual, follow)
    p2 = f.event_probability(hazard1 * hr, accrual, follow)
    p_event = (p1 + k * p2) / (1 + k)
    by_events = f.power_schoenfeld if spec.method == "schoenfeld" else f.power_freedman
    q = {"p_event_group1": p1, "p_event_group2": p2, "p_event": p_event}
    return Problem(lambda n: by_events(n * (1 + k) * p_event, hr, a, s, k), "per group", k, q)


def _logistic(spec: SampleSizeSpec, a: float, s: int) -> Problem:
    p1, odds = float(spec.p1), float(spec.odds_ratio)  # type: ignore[arg-type]
    r2 = float(spec.r2 or 0.0)
    if spec.method == "continuous":
        return Problem(
            lambda n: f.power_logistic_continuous(n, p1, odds, a, s, r2),
            "in all",
            0.0,
            {"vif": 1 / (1 - r2)},
        )
    b = float(spec.exposed)  # type: ignore[arg-type]
    q = {"p_exposed": f.exposed_rate(p1, odds), "vif": 1 / (1 - r2)}
    return Problem(lambda n: f.power_logistic_binary(n, p1, odds, b, a, s, r2), "in all", 0.0, q)


def _noninferiority(spec: SampleSizeSpec, a: float) -> Problem:
    margin = float(spec.margin)  # type: ignore[arg-type]
    if spec.family == "ni_means":
        diff, variance = float(spec.difference), 2 * float(spec.sd) ** 2  # type: ignore[arg-type]
    else:
        pt, pr = float(spec.p1), float(spec.p2)  # type: ignore[arg-type]
        diff, variance = pt - pr, pt * (1 - pt) + pr * (1 - pr)
    fn = f.power_noninferiority if spec.method == "noninferiority" else f.power_equivalence
    return Problem(
        lambda n: fn(n, diff, variance, margin, a), "per group", 1.0, {"difference": diff}
    )


def solve_n(power: Callable[[float], float], target: float, low: float) -> float:
    """The smallest continuous n whose power reaches target (low when it already does)."""
    if power(low) >= target:
        return low
    high = max(2 * low, 8.0)
    while power(high) < target:  # a bracket from below: the tails of far sizes lose precision
        if high >= LARGEST_N:
            raise AnalysisError(
                "More than 10 million patients would be needed: the effect is "
                "too small to detect with this power. Check the inputs."
            )
        low, high = high, min(4 * high, LARGEST_N)
    return float(optimize.brentq(lambda n: power(n) - target, low, high, xtol=1e-9, rtol=1e-12))


def _up(x: float) -> int:
    """Round a size up, forgiving float noise (151.0000000001 is 151)."""
    return int(math.ceil(x - 1e-7))


def analyze(df: pd.DataFrame | None, spec: SampleSizeSpec) -> SampleSizeResult:
    """The sample size for a power, or the power of a sample size; `df` is not used."""
    check(spec)
    if spec.family == "diagnostic":
        return _diagnostic(spec)
    prob = problem(spec)
    low = float(minimum_n(spec)) + (1e-10 if spec.family in ("means", "correlation") else 0.0)
    if spec.solve == "n":
        target = float(spec.power)  # type: ignore[arg-type]
        exact = solve_n(prob.power, target, low)
        n1 = max(_up(exact), minimum_n(spec))
        n2 = _up(exact * prob.ratio) if prob.ratio else 0
    else:
        exact = float("nan")
        given = float(spec.n)  # type: ignore[arg-type]
        n1 = _up(given)
        n2 = _up(given * prob.ratio) if prob.ratio else 0
        target = prob.power(given)
    achieved = problem(spec, n2 / n1 if n2 else None).power(n1)
    quantities = dict(prob.quantities)
    if spec.family == "logrank":
        quantities["events"] = _logrank_events(spec, prob, exact, n1, n2)
    reference = n1 if spec.solve == "power" else max(exact, low)
    curve = _curve(prob.power, reference, low, "power")
    return _result(spec, prob.unit, exact, n1, n2, target, achieved, quantities, curve)


def _logrank_events(spec: SampleSizeSpec, prob: Problem, exact: float, n1: int, n2: int) -> float:
    """Events needed (solve n), or expected with the given patients (solve power)."""
    p_event = prob.quantities["p_event"]
    if spec.solve == "n":
        return float(_up(exact * (1 + prob.ratio) * p_event))
    return (n1 + n2) * p_event


def _curve(power: Callable[[float], float], reference: float, low: float, series: str):
    sizes = f.grid(max(math.ceil(low), math.floor(reference / 4)), max(2 * reference, low + 20))
    values = []
    for n in sizes:
        checkpoint()
        values.append(power(float(n)))
    return pd.DataFrame({"n": sizes.astype(float), "value": values, "series": series})


def _recruited(n: int, dropout: float) -> int:
    return _up(n / (1 - dropout)) if n else 0


def _result(spec, unit, exact, n1, n2, power, achieved, quantities, curve) -> SampleSizeResult:
    dropout = float(spec.dropout or 0.0)
    r1, r2 = _recruited(n1, dropout), _recruited(n2, dropout)
    table = pd.DataFrame(
        {"quantity": list(quantities), "value": [float(v) for v in quantities.values()]}
    )
    return SampleSizeResult(
        family=spec.family,
        method=spec.method,
        solve=spec.solve,
        unit=unit,
        n_exact=float(exact),
        n1=n1,
        n2=n2,
        total=n1 + n2,
        recruit1=r1,
        recruit2=r2,
        recruit_total=r1 + r2,
        power=float(power),
        achieved_power=float(achieved),
        quantities=table,
        curve=curve,
        warnings=cautions(spec, n1, quantities),
    )


def cautions(spec: SampleSizeSpec, n1: int, quantities: dict[str, float]) -> tuple[str, ...]:
    """Where the formula's approximation is rough for these inputs, in words."""
    out = []
    if spec.family == "proportions" and spec.method != "normal_cc":
        p = (float(spec.p1), float(spec.p2))  # type: ignore[arg-type]
        if min(n1 * min(x, 1 - x) for x in p) < 5:
            out.append(
                "Fewer than 5 patients per group are expected with (or without) the "
                "outcome: the normal approximation is rough here; the continuity "
                "correction gives a safer, larger size."
            )
    if spec.family == "logrank" and quantities["p_event"] < 0.1:
        out.append(
            "Fewer than 1 patient in 10 is expected to have an event: the number of "
            "patients depends heavily on the median survival and follow-up assumed."
        )
    if spec.family == "diagnostic":
        width = float(spec.width)  # type: ignore[arg-type]
        for name, value in (("sensitivity", spec.sensitivity), ("specificity", spec.specificity)):
            if width >= min(float(value), 1 - float(value)):  # type: ignore[arg-type]
                out.append(
                    f"The interval of ±{width:g} around the {name} ({value:g}) would reach "
                    "past 0 or 1: Buderer's normal approximation is rough there; choose a "
                    "narrower interval."
                )
    return tuple(out)


def _diagnostic(spec: SampleSizeSpec) -> SampleSizeResult:
    """Buderer 1996: enough patients for both the sensitivity's and the specificity's CI."""
    se, sp = float(spec.sensitivity), float(spec.specificity)  # type: ignore[arg-type]
    prev, width, a = float(spec.prevalence), float(spec.width), float(spec.alpha)  # type: ignore[arg-type]
    n_se = f.buderer_n(se, width, prev, a)
    n_sp = f.buderer_n(sp, width, 1 - prev, a)
    exact = max(n_se, n_sp)
    n = _up(exact)
    quantities = {
        "n_sensitivity": n_se,
        "n_specificity": n_sp,
        "cases": _up(n * prev - 1e-9) if n * prev > 0 else 0.0,
        "width_sensitivity": f.buderer_width(n, se, prev, a),
        "width_specificity": f.buderer_width(n, sp, 1 - prev, a),
    }
    parts = [
        _curve(lambda m, acc=acc, share=share: f.buderer_width(m, acc, share, a), exact, 1.0, name)
        for acc, share, name in ((se, prev, "sensitivity"), (sp, 1 - prev, "specificity"))
    ]
    curve = pd.concat(parts, ignore_index=True)
    return _result(spec, "in all", exact, n, 0, float("nan"), float("nan"), quantities, curve)
