"""The Paper & project tab's work: what the methods card costs on the event loop, and what
saving and opening a project and building the paper document cost.

Run: .venv/bin/python -m bench.session_paper [--rows 100000]
(writes bench/results/session_paper.json). The methods text and the paper use the six analyses
run on the example data; the project with the data uses bench/data_gen.py's clinical frame
of --rows patients (the size a project "with the data" reaches).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

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
from bench.data_gen import clinical_frame
from modules.outcome.tab import TAB as OUTCOME
from modules.paper.paper_docx import paper_docx
from modules.paper.sections import sections
from modules.shared.methods_text import RunFacts, methods_text
from modules.shared.project_json import project_json, read_project
from modules.shared.session_record import Run
from modules.shared.software import versions
from modules.table1.tab import TAB as TABLE1
from utils.data_io import dataset_from_frame, read_table

ROOT = Path(__file__).resolve().parents[1]


def six_runs() -> list[RunFacts]:
    df = pd.read_csv(ROOT / "data/example_clinical.csv")
    lung = pd.read_csv(ROOT / "tests/data/lung.csv", na_values=".").astype({"status": str})
    asah = pd.read_csv(ROOT / "tests/data/asah.csv")
    cat = ("sex", "asa_class")
    plan = [
        ("table1", table1, df, Table1Spec(("age", "sex", "bmi", "asa_class"), "complication", cat)),
        (
            "outcome",
            outcome,
            df,
            OutcomeSpec("complication", ("age", "sex", "asa_class"), categorical=cat),
        ),
        ("regression", regression, df, RegressionSpec("crp", ("age", "sex"), categorical=("sex",))),
        (
            "survival",
            survival,
            lung,
            SurvivalSpec("status", time="time", event_level="2", covariates=("age",)),
        ),
        ("diagnostic", diagnostic, asah, DiagnosticSpec("outcome", "Poor", ("s100b", "ndka"))),
        (
            "correlation",
            correlation,
            df,
            CorrelationSpec(("age", "bmi", "crp"), "spearman", "holm"),
        ),
    ]
    return [RunFacts(kind, spec, module.analyze(data, spec)) for kind, module, data, spec in plan]


def paper_runs() -> list[Run]:
    ds = read_table(ROOT / "data/example_clinical.csv")
    out = []
    for name, tab, module, spec in (
        (
            "table1",
            TABLE1,
            table1,
            Table1Spec(("age", "sex", "asa_class"), "complication", ("sex", "asa_class")),
        ),
        (
            "outcome",
            OUTCOME,
            outcome,
            OutcomeSpec("complication", ("age", "sex"), categorical=("sex",)),
        ),
    ):
        view = tab.make_view(module.analyze(ds.df, spec), ds, spec)
        out.append(Run(name, name, spec, ds.fingerprint, view, "", tab))
    return out


def measure(rows: int) -> dict[str, Any]:
    runs = six_runs()
    software = versions()
    facts = [(r.kind, r.kind, r.spec) for r in runs]
    settings = {r.kind: {"x": "y"} for r in runs}
    big = dataset_from_frame(clinical_frame(rows, 20), "bench.csv")
    small = read_table(ROOT / "data/example_clinical.csv")
    plain = project_json(small, (), settings, facts, software)
    csv = big.df.to_csv(index=False)
    with_data = project_json(big, (), settings, facts, software, data_csv=csv)
    limit = 2**31
    paper = paper_runs()
    built = methods_text([RunFacts(r.kind, r.spec, r.result) for r in paper], software)
    return {
        "rows": rows,
        "methods_six_analyses_ms": harness.timed(lambda: methods_text(runs, software)),
        "project_save_ms": harness.timed(
            lambda: project_json(small, (), settings, facts, software)
        ),
        "project_open_ms": harness.timed(lambda: read_project(plain, max_bytes=limit)),
        "project_bytes": len(plain.encode()),
        "project_with_data_save_ms": harness.timed(
            lambda: project_json(
                big, (), settings, facts, software, data_csv=big.df.to_csv(index=False)
            ),
            3,
        ),
        "project_with_data_open_ms": harness.timed(
            lambda: read_project(with_data, max_bytes=limit), 3
        ),
        "project_with_data_mb": len(with_data.encode()) / 2**20,
        "paper_docx_two_tabs_ms": harness.timed(lambda: paper_docx(built, sections(paper)), 3),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    r = measure(args.rows)
    harness.table(
        "Paper & project (ms, median)",
        ["what", "ms"],
        [
            ("methods text, six analyses (event loop)", r["methods_six_analyses_ms"]["median"]),
            (f"save project, no data ({r['project_bytes']:,} B)", r["project_save_ms"]["median"]),
            ("open project, no data", r["project_open_ms"]["median"]),
            (
                f"save project with {args.rows:,} rows "
                f"({r['project_with_data_mb']:.1f} MB, worker)",
                r["project_with_data_save_ms"]["median"],
            ),
            ("open that project (worker)", r["project_with_data_open_ms"]["median"]),
            (
                "paper .docx, Table 1 + Outcome, no figure (worker)",
                r["paper_docx_two_tabs_ms"]["median"],
            ),
        ],
    )
    harness.write_result("session_paper", "python -m bench.session_paper", r)
    return r


if __name__ == "__main__":
    main()
