"""The Agreement analysis at scale: how its time grows with subjects and raters, what the long
layout's pivot adds, and the longest wait for a Cancel (the analysis checks between its parts).

Run: .venv/bin/python -m bench.agreement   (writes bench/results/agreement.json)
Data: simulated true values plus rater noise (measurements) and grades 0-4 (categories).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from analyses.agreement import analyze
from analyses.cancellation import CancelToken, cancellable
from analyses.specs import AgreementSpec
from bench import harness

REPEATS = 5


def frame(subjects: int, raters: int, categories: bool, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    truth = rng.normal(100, 15, subjects)
    out = {}
    for r in range(raters):
        value = truth + rng.normal(0, 5, subjects)
        out[f"r{r + 1}"] = np.clip((value - 70) // 15, 0, 4).astype(int) if categories else value
    return pd.DataFrame(out)


class Token(CancelToken):
    """A cancel token that records when each checkpoint is reached."""

    __slots__ = ("marks",)

    def __init__(self) -> None:
        super().__init__()
        self.marks: list[float] = []

    def check(self) -> None:
        self.marks.append(time.perf_counter())
        super().check()


def timed(df: pd.DataFrame, spec: AgreementSpec) -> tuple[dict[str, float], dict[str, Any]]:
    """ms per analysis, and the longest stretch between two checkpoints of the last run."""
    spent = []
    gaps: list[float] = []
    for _ in range(REPEATS):
        token = Token()
        marks = token.marks
        start = time.perf_counter()
        with cancellable(token):
            analyze(df, spec)
        end = time.perf_counter()
        spent.append((end - start) * 1000)
        points = [start, *marks, end]
        gaps.append(max(b - a for a, b in zip(points, points[1:])) * 1000)
    return harness.summary(spent), {"checkpoints": len(marks), "longest_gap_ms": max(gaps)}


def cases(big: int) -> list[tuple[str, int, int, str, str]]:
    """(name, subjects, raters, scale, layout)"""
    return [
        ("ICC + Bland-Altman", 1_000, 2, "continuous", "wide"),
        ("ICC + Bland-Altman", big, 2, "continuous", "wide"),
        ("ICC, 6 raters", big, 6, "continuous", "wide"),
        ("ICC, long layout", big, 2, "continuous", "long"),
        ("weighted kappa", 1_000, 2, "ordinal", "wide"),
        ("weighted kappa", big, 2, "ordinal", "wide"),
        ("Fleiss' kappa, 6 raters", big, 6, "nominal", "wide"),
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subjects", type=int, default=100_000)
    args = parser.parse_args(argv)
    rows, found = [], []
    for name, n, k, scale, layout in cases(args.subjects):
        df = frame(n, k, scale != "continuous")
        spec = AgreementSpec(raters=tuple(df.columns), scale=scale)  # type: ignore[arg-type]
        if layout == "long":
            df = df.reset_index(names="subject").melt("subject", var_name="rater")
            spec = AgreementSpec("long", (), "subject", "rater", "value", scale)  # type: ignore[arg-type]
        ms, cancel = timed(df, spec)
        per_1000 = ms["median"] / n * 1000
        rows.append([name, f"{n:,}", k, layout, ms["median"], ms["p95"], per_1000,
                     cancel["longest_gap_ms"]])  # fmt: skip
        found.append({"case": name, "subjects": n, "raters": k, "scale": scale, "layout": layout,
                      "ms": ms, "ms_per_1000_subjects": per_1000, **cancel})  # fmt: skip
    harness.table(
        "Agreement analysis (analyses/agreement.py), ms per run",
        ["case", "subjects", "raters", "layout", "median", "p95", "ms/1,000 subj.",
         "longest no-cancel"],
        rows,
    )  # fmt: skip
    payload = {"repeats": REPEATS, "cases": found}
    path = harness.write_result("agreement", "python -m bench.agreement", payload)
    harness.out(f"\nwritten {path.relative_to(harness.ROOT)}")
    return payload


if __name__ == "__main__":
    main()
