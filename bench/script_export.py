"""Script export: how long writing a script takes (on the event loop, in the download), and how
long the exported script takes to redo the tables beside the app's own computation.

Run: .venv/bin/python -m bench.script_export   (writes bench/results/script_export.json)
One script of every scriptable analysis on the example data (500 patients): Outcome (Firth),
Table 1, Correlation (Spearman), Regression, Survival and Diagnostic accuracy.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from analyses import correlation, diagnostic, outcome, regression, survival, table1
from analyses.specs import (
    CorrelationSpec,
    DiagnosticSpec,
    OutcomeSpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from bench import harness
from modules.shared.script_export import script_for
from utils.data_io import read_table

EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "example_clinical.csv"
FACTORS = ("sex", "smoking", "diabetes", "asa_class")
RUNS = [
    ("outcome", outcome, OutcomeSpec("complication", ("age", *FACTORS, "crp"), "Yes", "firth",
                                     categorical=FACTORS)),
    ("table1", table1, Table1Spec(("age", "bmi", *FACTORS, "crp"), "complication", FACTORS)),
    ("correlation", correlation, CorrelationSpec(("age", "bmi", "albumin", "crp"), "spearman")),
    ("regression", regression, RegressionSpec("bmi", ("age", *FACTORS), "linear",
                                              categorical=FACTORS)),
    ("survival", survival, SurvivalSpec("complication", "age", group="sex",
                                        covariates=("bmi", "smoking"), categorical=("smoking",))),
    ("diagnostic", diagnostic, DiagnosticSpec("complication", markers=("crp", "albumin"))),
]  # fmt: skip
REPEATS = 5


def timed_ms(work, repeats: int = REPEATS) -> dict[str, float]:
    spent = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        spent.append((time.perf_counter() - start) * 1000)
    return harness.summary(spent)


def beside_the_app(text: str, app_work: Callable[[], object]) -> dict[str, dict[str, float]]:
    """The script run in a new Python on the example data, its start and imports alone, and
    the app's same work in process: three times each, interleaved, so that a busy spell of the
    shared machine falls on all three alike."""
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "analysis.py"
        script.write_text(text, encoding="utf-8")
        header = Path(folder) / "imports.py"  # the docstring and the imports, nothing else
        header.write_text(text[: text.index("# ----")], encoding="utf-8")
        out = str(Path(folder) / "out")
        work = {
            "run_script_ms": [sys.executable, str(script), str(EXAMPLE), out],
            "start_and_import_ms": [sys.executable, str(header)],
        }
        spent: dict[str, list[float]] = {name: [] for name in (*work, "app_analyses_ms")}
        for _ in range(3):
            for name, command in work.items():
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, cwd=folder)
                spent[name].append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            app_work()
            spent["app_analyses_ms"].append((time.perf_counter() - start) * 1000)
    return {name: harness.summary(values) for name, values in spent.items()}


def report(result: dict[str, Any], title: str, run: str, app: str) -> None:
    """The table of medians and the fastest-of-3 sentence, script against app."""
    rows = [
        ("write the script (script_for)", result["write_script_ms"]["median"]),
        (run, result["run_script_ms"]["median"]),
        ("  of which: start Python and import", result["start_and_import_ms"]["median"]),
        (app, result["app_analyses_ms"]["median"]),
    ]
    harness.table(f"{title}, {result['script_lines']} lines (ms, median)", ["what", "ms"], rows)
    fastest = {k: result[k]["min"] for k in ("run_script_ms", "start_and_import_ms")}
    own = fastest["run_script_ms"] - fastest["start_and_import_ms"]
    app_ms = result["app_analyses_ms"]["min"]
    print(f"fastest of 3: script {fastest['run_script_ms']:,.0f} ms = start and imports "
          f"{fastest['start_and_import_ms']:,.0f} + reading and analyses {own:,.0f} ms; "
          f"the app's {app_ms:,.0f} ms ({own / app_ms:.2f}x)")  # fmt: skip


def measure() -> dict[str, Any]:
    dataset = read_table(EXAMPLE)
    results = [(kind, spec, module.analyze(dataset.df, spec)) for kind, module, spec in RUNS]
    text = script_for(dataset.read_options, (), results)

    def app_work() -> None:
        for _, module, spec in RUNS:
            module.analyze(dataset.df, spec)

    return {
        "rows": len(dataset.df),
        "analyses": [kind for kind, _, _ in RUNS],
        "script_lines": text.count("\n"),
        "script_kb": round(len(text.encode()) / 1024, 1),
        "write_script_ms": timed_ms(lambda: script_for(dataset.read_options, (), results)),
        **beside_the_app(text, app_work),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    result = measure()
    report(result, "script export", "run it: new Python, read, 6 analyses",
           "the app's 6 analyses, in process")  # fmt: skip
    harness.write_result("script_export", "python -m bench.script_export", result)
    return result


if __name__ == "__main__":
    main()
