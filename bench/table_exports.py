"""Building the tables' Word and CSV downloads: how long, how big, beside drawing the page.

A Table 1 of 10, 50 and 200 variables (each with three levels and a missing row: about 5 rows
per variable) is analysed once; then its TableDoc, the page's HTML, the .docx and the CSV
(comma, and semicolon with decimal commas) are each built `--repeats` times. The Word file is
built in the worker pool (python-docx is pure Python over lxml), the CSV on the event loop:
the CSV's time is what a click costs every other user of the worker.

Goals, as ratios to drawing the same table on the page (measured side by side, so a busy
shared host moves both): the Word file at most 3x the page's HTML, the CSV at most 0.1x.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

import numpy as np
import pandas as pd

from bench import harness

NAME = "table_exports"
COMMAND = ".venv/bin/python -m bench.table_exports"
GOAL_DOCX_VS_PAGE = 3.0
GOAL_CSV_VS_PAGE = 0.1


def _frame(variables: int, rows: int = 600, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {"arm": rng.choice(["Drug", "Placebo"], rows)}
    for i in range(variables):
        if i % 2:
            data[f"cat_{i}"] = rng.choice(["low", "mid", "high", None], rows)
        else:
            data[f"num_{i}"] = rng.normal(50, 10, rows).round(1)
    return pd.DataFrame(data)


def _time(build, repeats: int) -> tuple[float, Any]:
    took, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = build()
        took.append(time.perf_counter() - start)
    return statistics.median(took), value


def measure(variables: int, repeats: int) -> dict[str, Any]:
    from analyses.specs import Table1Spec
    from analyses.table1 import analyze
    from modules.shared.docx_tables import tables_docx
    from modules.shared.table_csv import COMMA, SEMICOLON, tables_csv
    from modules.table1 import document
    from modules.table1.view import Table1View, display_rows

    df = _frame(variables)
    names = [c for c in df.columns if c != "arm"]
    spec = Table1Spec(
        variables=tuple(names), group="arm", categorical=tuple(c for c in names if "cat" in c)
    )
    view = Table1View(analyze(df, spec))
    rows_s, _ = _time(lambda: display_rows(view), repeats)  # what the page built before, too
    doc_s, docs = _time(lambda: document.tables(view), repeats)
    page_s, _ = _time(lambda: str(document.table_tag(view)), repeats)
    docx_s, docx = _time(lambda: tables_docx(docs), repeats)
    comma_s, csv = _time(lambda: tables_csv(docs, COMMA), repeats)
    semi_s, _ = _time(lambda: tables_csv(docs, SEMICOLON), repeats)
    return {
        "variables": variables,
        "rows": len(docs[0].rows),
        "display_rows_ms": rows_s * 1000,
        "table_doc_ms": doc_s * 1000,
        "page_html_ms": page_s * 1000,
        "docx_ms": docx_s * 1000,
        "docx_kb": len(docx) / 1024,
        "csv_comma_ms": comma_s * 1000,
        "csv_semicolon_ms": semi_s * 1000,
        "csv_kb": len(csv) / 1024,
        "docx_vs_page": docx_s / page_s,
        "csv_vs_page": max(comma_s, semi_s) / page_s,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 50, 200])
    args = parser.parse_args(argv)
    found = [measure(n, args.repeats) for n in args.sizes]
    columns = [
        ("variables", "variables"), ("rows", "rows"), ("rows only", "display_rows_ms"),
        ("TableDoc", "table_doc_ms"), ("page HTML", "page_html_ms"), ("Word", "docx_ms"),
        ("Word/page", "docx_vs_page"), ("CSV ,", "csv_comma_ms"), ("CSV ;", "csv_semicolon_ms"),
        ("CSV/page", "csv_vs_page"),
        ("Word KB", "docx_kb"), ("CSV KB", "csv_kb"),
    ]  # fmt: skip
    harness.table(
        "Table 1 downloads (median of repeats, ms)",
        [head for head, _ in columns],
        [[r[key] for _, key in columns] for r in found],
    )
    goals = {
        "docx_vs_page": {
            "goal": GOAL_DOCX_VS_PAGE,
            "measured": max(r["docx_vs_page"] for r in found),
        },
        "csv_vs_page": {"goal": GOAL_CSV_VS_PAGE, "measured": max(r["csv_vs_page"] for r in found)},
    }
    met = all(g["measured"] <= g["goal"] for g in goals.values())
    harness.out(
        f"\nWord / page at most {goals['docx_vs_page']['measured']:.2f} (goal <= "
        f"{GOAL_DOCX_VS_PAGE:g}), CSV / page at most {goals['csv_vs_page']['measured']:.3f} "
        f"(goal <= {GOAL_CSV_VS_PAGE:g}): {'met' if met else 'NOT met'}; load average "
        f"{harness.machine()['load_avg_1m']} on {harness.machine()['cores']} cores"
    )
    payload = {"sizes": found, "goals": goals, "met": met, "repeats": args.repeats}
    harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    main()
