"""Measurements for bench/cancel.py: where an analysis cannot be interrupted, what a checkpoint
costs, and what the rejected alternative (a killable worker process) would cost.

The longest step without a checkpoint is read from a watching token: it records the time and
the place of every checkpoint an analysis reaches, and the longest stretch between two of them
(or between the last one and the end of the analysis) is the worst wait after a Cancel.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import time
import timeit
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bench import harness
from bench.data_gen import FACTORS, OUTCOME, covariate_names

PROJECT = str(harness.ROOT)


class Watch:
    """A cancel token that records when and where each checkpoint is reached."""

    def __init__(self) -> None:
        from analyses.cancellation import CancelToken

        class _Token(CancelToken):
            __slots__ = ("marks",)

            def check(inner) -> None:  # noqa: N805 - the token's own self
                now = (time.perf_counter(), time.process_time())
                inner.marks.append((*now, _place(sys._getframe(2))))
                super().check()

        self.token = _Token()
        self.token.marks = []

    def started(self) -> bool:
        return len(self.token.marks) >= 2  # the first check is logic.run's, on entry

    def longest_gap(self, end: tuple[float, float]) -> dict[str, Any]:
        """Longest stretch between checkpoints (or the last one and `end`, a (perf_counter,
        process_time) pair), in wall time and in CPU time of the process (BLAS threads included),
        which other work on a shared host does not inflate; and where the CPU-longest lay.
        Only meaningful when the analysis is the only work in the process."""
        marks = [(w, c, _where(*p)) for w, c, p in self.token.marks]
        marks.append((*end, "end of the analysis"))
        pairs = list(zip(marks, marks[1:]))
        cpu, start, stop = max((b[1] - a[1], a[2], b[2]) for a, b in pairs)
        return {
            "checkpoints": len(marks) - 1,
            "longest_s": max(b[0] - a[0] for a, b in pairs),
            "longest_cpu_s": cpu,
            "from": start,
            "to": stop,
        }


def _place(frame) -> tuple:
    """Code objects (not frames, which would keep the fit's arrays alive) of the frame that
    checked, skipping firth.py's wrapper, and of the nearest frame in the project."""
    while frame.f_code.co_name == "checked":
        frame = frame.f_back
    first = frame.f_code
    while frame is not None and not frame.f_code.co_filename.startswith(PROJECT):
        frame = frame.f_back
    return (frame.f_code if frame is not None else first), first


def _where(project, first) -> str:
    """'analyses/x.py:function (via library.py:function)' of a checkpoint."""
    path = Path(project.co_filename)
    place = path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path.name
    name = f"{place}:{project.co_name}"
    if first is project:
        return name
    return f"{name} (via {Path(first.co_filename).name}:{first.co_name})"


def gap_runs(df: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Each analysis on the bench data under a watching token: its longest uninterruptible step."""
    from analyses import correlation, diagnostic, outcome, regression, survival, table1
    from analyses.cancellation import cancellable
    from analyses.specs import (
        CorrelationSpec,
        DiagnosticSpec,
        OutcomeSpec,
        RegressionSpec,
        SurvivalSpec,
        Table1Spec,
    )

    covs = covariate_names(20)
    factors = tuple(c for c in covs if c in FACTORS)
    numeric = tuple(c for c in covs if c not in FACTORS)
    runs = {
        "outcome auto (20 covariates)": (
            outcome.analyze,
            OutcomeSpec(OUTCOME, covs, "Yes", categorical=factors),
        ),
        "regression count (20)": (
            regression.analyze,
            RegressionSpec("visits", covs, model="count", categorical=factors),
        ),
        "survival, Cox on 6 (Efron fitter)": (
            survival.analyze,
            SurvivalSpec(
                OUTCOME,
                time="months",
                event_level="Yes",
                group="stage",
                covariates=("age", "sex", "creatinine", "asa", "albumin"),
                categorical=("sex", "asa"),
            ),
        ),
        "table1 by stage (20 variables)": (
            table1.analyze,
            Table1Spec(tuple(c for c in covs if c != "stage"), group="stage", categorical=factors),
        ),
        "diagnostic (6 markers)": (
            diagnostic.analyze,
            DiagnosticSpec(OUTCOME, positive="Yes", markers=numeric[:6]),
        ),
        "correlation spearman (13 columns)": (
            correlation.analyze,
            CorrelationSpec(numeric, method="spearman"),
        ),
    }
    out = {}
    for label, (analyze, spec) in runs.items():
        watch = Watch()
        started = time.perf_counter()
        with cancellable(watch.token):
            analyze(df, spec)
        end = (time.perf_counter(), time.process_time())
        out[label] = {"seconds": end[0] - started, **watch.longest_gap(end)}
    return out


def separation_check_s(df: pd.DataFrame) -> float:
    """The LP separation check on the 21-covariate design (auto mode runs it on a big model only
    when its standard fit looks separated): the longest single step that has no checkpoint."""
    from analyses.encoding import encode_factor, encode_numeric, encode_outcome
    from analyses.firth import separated_columns
    from analyses.multivariable import build_design

    y, _, _ = encode_outcome(df[OUTCOME], "Yes")
    covs = [
        encode_factor(df[c], None)[0] if c in FACTORS or c == "marker" else encode_numeric(df[c])
        for c in covariate_names(20) + ("marker",)
    ]
    rows = ~np.isnan(y)
    for cov in covs:
        rows &= cov.present()
    X, _, _ = build_design(covs, rows)
    started = time.perf_counter()
    separated_columns(X, y[rows])
    return time.perf_counter() - started


def checkpoint_ns() -> dict[str, float]:
    from analyses.cancellation import CancelToken, cancellable, checkpoint

    n = 1_000_000
    bare = timeit.timeit(checkpoint, number=n) / n * 1e9
    with cancellable(CancelToken()):
        under = timeit.timeit(checkpoint, number=n) / n * 1e9
    return {"no_token_ns": bare, "with_token_ns": under}


def copy_cost(df: pd.DataFrame) -> dict[str, float]:
    """What handing the data to a worker process would copy: pickled bytes and seconds."""
    started = time.perf_counter()
    blob = pickle.dumps(df, protocol=pickle.HIGHEST_PROTOCOL)
    dump_s = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(blob)
    return {
        "frame_mb": float(df.memory_usage(deep=True).sum()) / harness.MB,
        "pickle_mb": len(blob) / harness.MB,
        "pickle_s": dump_s,
        "unpickle_s": time.perf_counter() - started,
    }


# A fresh interpreter's RSS before and after importing what a fitting worker process would need.
_STACK_SCRIPT = """
import json
def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
bare = rss_mb()
import analyses.correlation, analyses.diagnostic, analyses.outcome, analyses.regression
import analyses.survival, analyses.table1
# imported by the fits on first use
import statsmodels.duration.hazard_regression, statsmodels.duration.survfunc
import statsmodels.genmod.generalized_linear_model, statsmodels.stats.multitest
print(json.dumps({"bare_python_mb": bare, "with_statistics_mb": rss_mb()}))
"""


def stack_rss() -> dict[str, float]:
    """What a second Python process holding the statistics stack costs before any data."""
    proc = subprocess.run(
        [sys.executable, "-c", _STACK_SCRIPT],
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])
