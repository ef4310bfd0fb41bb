"""Propensity-score matching at scale: the matcher (sorted controls, binary search and "next
available" pointers, analyses/propensity_match.py) against the direct way (for each treated
patient, the distance to every available control, vectorised with numpy), and the whole
analysis (model, matching, balance, effect) with its longest stretch without a Cancel check.

Run: .venv/bin/python -m bench.propensity   (writes bench/results/propensity.json)
Data: a simulated cohort, 5 covariates (one a factor), treatment by a logistic model.
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from analyses.cancellation import CancelToken, cancellable
from analyses.propensity import analyze
from analyses.propensity_match import match, treated_order
from analyses.specs import PropensitySpec
from bench import harness

REPEATS = 3


def cohort(n_treated: int, n_control: int, seed: int = 0) -> pd.DataFrame:
    """About n_treated treated among n_treated + n_control patients."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_control
    x = rng.normal(size=(n, 4))
    site = rng.choice(["a", "b", "c"], n)
    lin = x @ np.array([0.5, -0.4, 0.3, 0.2]) + (site == "b") * 0.3
    shift = np.log(n_treated / n_control)
    lin = lin - np.median(lin) + shift  # close to the wanted share of treated
    treated = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    y = x[:, 0] + 0.5 * treated + rng.normal(size=n)
    return pd.DataFrame({"t": treated, "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2],
                         "x4": x[:, 3], "site": site, "y": y})  # fmt: skip


def direct(logit, treated, order, caliper):
    """Greedy 1:1 matching by looking at every available control for each treated patient."""
    available = treated == 0
    pairs = {}
    for t in order.tolist():
        dist = np.where(available, np.abs(logit - logit[t]), np.inf)
        best = int(np.argmin(dist))
        if dist[best] <= caliper:
            available[best] = False
            pairs[t] = best
    return pairs


class Token(CancelToken):
    __slots__ = ("marks",)

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[float] = []

    def check(self) -> None:
        self.marks.append(time.perf_counter())
        super().check()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--treated", type=int, default=5_000)
    parser.add_argument("--controls", type=int, default=50_000)
    args = parser.parse_args(argv)
    rows, found = [], []
    sizes = [(500, 5_000), (args.treated, args.controls)]
    for n1, n0 in sizes:
        df = cohort(n1, n0)
        covariates = ("x1", "x2", "x3", "x4", "site")
        spec = PropensitySpec("t", covariates, ("site",), outcome="y")
        # the scores once, to time the matchers alone on the same logits
        result = analyze(df, spec)
        scores = result.scores
        logit, t = scores["logit"].to_numpy(), scores["treated"].to_numpy().astype(float)
        order = treated_order(scores["score"].to_numpy(), np.flatnonzero(t == 1), "largest", 0)
        width = 0.2 * float(np.std(logit, ddof=1))
        strata = np.zeros(len(t), dtype=np.int64)
        ours = harness.timed(partial(match, logit, t, strata, order, 1, False, width), REPEATS)
        theirs = harness.timed(partial(direct, logit, t.copy(), order, width), 1)
        got = match(logit, t, strata, order, 1, False, width)
        same = {a: c[0] for a, c in zip(got.treated.tolist(), got.controls) if c} == direct(
            logit, t.copy(), order, width
        )
        three = harness.timed(partial(match, logit, t, strata, order, 3, False, width), REPEATS)
        gaps, whole = [], []
        for _ in range(REPEATS):
            token = Token()
            start = time.perf_counter()
            with cancellable(token):
                analyze(df, spec)
            end = time.perf_counter()
            whole.append((end - start) * 1000)
            points = [start, *token.marks, end]
            gaps.append(max(b - a for a, b in zip(points, points[1:])) * 1000)
        n_treated = int(t.sum())
        ratio = theirs["median"] / ours["median"]
        rows.append([f"{n_treated:,} / {len(t) - n_treated:,}", ours["median"], theirs["median"],
                     ratio, three["median"], harness.summary(whole)["median"], max(gaps),
                     "yes" if same else "NO"])  # fmt: skip
        found.append({"treated": n_treated, "controls": len(t) - n_treated, "matcher_ms": ours,
                      "direct_ms": theirs, "speed_up": ratio, "matcher_1to3_ms": three,
                      "analysis_ms": harness.summary(whole), "longest_no_cancel_ms": max(gaps),
                      "same_pairs": same})  # fmt: skip
    harness.table(
        "Propensity matching 1:1, caliper 0.2 SD of the logit, ms",
        ["treated / controls", "matcher", "direct (numpy per treated)", "speed-up",
         "matcher 1:3", "whole analysis", "longest no-cancel", "same pairs"],
        rows,
    )  # fmt: skip
    payload = {"repeats": REPEATS, "cases": found}
    path = harness.write_result("propensity", "python -m bench.propensity", payload)
    harness.out(f"\nwritten {path.relative_to(harness.ROOT)}")
    return payload


if __name__ == "__main__":
    main()
