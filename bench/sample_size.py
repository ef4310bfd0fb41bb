"""Sample size: how long each calculation takes (with its 60-point power curve), computed and
then as an instant repeat from the cache, so the tab can answer on every Calculate.

Run: .venv/bin/python -m bench.sample_size   (writes bench/results/sample_size.json)
"""

from __future__ import annotations

import time
from typing import Any

import logic
from analyses.specs import SampleSizeSpec
from bench import harness
from utils.dataset import NO_DATASET

REPEATS = 7
CASES = {
    "two proportions (normal)": SampleSizeSpec("proportions", "normal", p1=0.4, p2=0.25),
    "two proportions (arcsine)": SampleSizeSpec("proportions", "arcsine", p1=0.4, p2=0.25),
    "two means (t, 1:2)": SampleSizeSpec("means", "independent", difference=5, sd=10, ratio=2),
    "paired means (t)": SampleSizeSpec("means", "paired", difference=2, sd=10),
    "correlation": SampleSizeSpec("correlation", r=0.3),
    "chi-square": SampleSizeSpec("chisq", w=0.3, df=3),
    "log-rank (Schoenfeld)": SampleSizeSpec(
        "logrank", "schoenfeld", hr=0.7, median=12, accrual=24, follow_up=12
    ),
    "logistic (binary, Hsieh)": SampleSizeSpec(
        "logistic", "binary", p1=0.2, odds_ratio=2, exposed=0.3
    ),
    "diagnostic (Buderer)": SampleSizeSpec(
        "diagnostic", sensitivity=0.9, specificity=0.85, prevalence=0.2, width=0.05
    ),
    "equivalence of means": SampleSizeSpec(
        "ni_means", "equivalence", difference=0.01, sd=0.1, margin=0.05, sides=1
    ),
}


def _ms(work) -> float:
    start = time.perf_counter()
    work()
    return (time.perf_counter() - start) * 1000


def measure() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in CASES.items():
        computed = []
        for i in range(REPEATS):  # a new alpha each time: a computation, never a cache hit
            fresh = SampleSizeSpec(**{**spec.__dict__, "alpha": 0.05 - 1e-6 * (i + 1)})
            computed.append(_ms(lambda s=fresh: logic.run("sample_size", NO_DATASET, s)))
        logic.run("sample_size", NO_DATASET, spec)
        repeat = [
            _ms(lambda s=spec: logic.cached("sample_size", NO_DATASET, s)) for _ in range(REPEATS)
        ]
        out[name] = {"computed_ms": harness.summary(computed), "repeat_ms": harness.summary(repeat)}
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    result = measure()
    rows = [
        (name, r["computed_ms"]["median"], r["repeat_ms"]["median"]) for name, r in result.items()
    ]
    harness.table("sample size (ms, median of 7)", ["calculation", "computed", "repeat"], rows)
    harness.write_result("sample_size", "python -m bench.sample_size", result)
    return result


if __name__ == "__main__":
    main()
