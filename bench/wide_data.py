"""Issue 17 case 1: what the page builds on the event loop for a wide file, per builder.

A 16,000-column CSV (and 8,000, the issue's own) is read as an upload is, then every builder
that makes per-column UI runs as the server runs it: the Data tab's column editor and preview,
each analysis tab's controls (resolve, shape, draw), the cleaning tab's column select and the
codebook table. Each line is the milliseconds of one build and the bytes of HTML (or JSON) it
sends. `--label before|after` files the figures under that name in bench/results/wide_data.json
so the two runs sit side by side.

    .venv/bin/python -m bench.wide_data --label after
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bench import harness

NAME = "wide_data"
COMMAND = ".venv/bin/python -m bench.wide_data --label after"
WIDTHS = (8_000, 16_000)
ROWS = 20
REPEATS = 3


def write_wide_csv(path: Path, columns: int, rows: int = ROWS, seed: int = 17) -> Path:
    """A wide file: an outcome 'died', then columns of every kind the reader detects, in turn
    (yes/no, a 3-level factor, a measurement, a count); about 64 bytes per column at 20 rows."""
    rng = np.random.default_rng(seed)
    names = ["died"] + [f"v{i:05d}" for i in range(1, columns)]
    died = rng.choice(["yes", "no"], size=rows)
    cells: list[list[Any]] = [list(died)]
    for i in range(1, columns):
        kind = i % 4
        if kind == 0:
            cells.append(list(rng.choice(["yes", "no"], size=rows)))
        elif kind == 1:
            cells.append(list(rng.choice(["a", "b", "c"], size=rows)))
        elif kind == 2:
            cells.append([f"{v:.1f}" for v in rng.normal(50, 10, size=rows)])
        else:
            cells.append([int(v) for v in rng.poisson(3, size=rows)])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        for r in range(rows):
            writer.writerow([column[r] for column in cells])
    return path


def _html_bytes(tag: Any) -> int:
    if tag is None:
        return 0
    if isinstance(tag, dict | list):
        return len(json.dumps(tag, default=str))
    return len(str(tag).encode())


def _timed(build: Callable[[], Any]) -> dict[str, float]:
    """Best of REPEATS (one run when it takes over a second): ms of a build, bytes it sends;
    `first_ms` is the first build on the new data (before anything is remembered)."""
    best, size, first = float("inf"), 0, None
    for _ in range(REPEATS):
        started = time.perf_counter()
        value = build()
        elapsed = (time.perf_counter() - started) * 1000
        first = elapsed if first is None else first
        best = min(best, elapsed)
        size = _html_bytes(value)
        if best > 1000:
            break
    return {"ms": round(best, 1), "first_ms": round(first, 1), "bytes": size}


def _tab_controls(tab: Any, dataset: Any) -> Callable[[], Any]:
    """Resolve a tab's controls on new data, then take each one's shape and draw it."""
    from htmltools import TagList

    from modules.shared.controls import MISSING, Raw, resolve

    def build() -> Any:
        raw = Raw(lambda _id, _kind=None: MISSING, {})
        s = resolve(tab.controls, dataset, raw)
        for control in tab.controls:
            control.shape(s)
        return TagList(*(control.render(s) for control in tab.controls))

    return build


def _page_columns(dataset: Any) -> list[str] | None:
    """The columns of the editor's first page as the Data tab shows them; None: all of them
    (the code before the paged editor)."""
    try:
        from modules.data import column_pages as cp
    except ImportError:
        return None
    names = list(dataset.columns)
    keys = cp.search_keys(names, [dataset.label(n) for n in names])
    return [names[i] for i in cp.page_of(keys, "", 1).positions]


def _preview(dataset: Any) -> Callable[[], Any]:
    from shiny import render

    from modules.data import view as data_view

    def build() -> Any:
        columns = _page_columns(dataset)
        df = dataset.df if columns is None else dataset.df[columns]
        return render.DataGrid(data_view.preview_frame(df)).to_payload()

    return build


def _editor(dataset: Any) -> Callable[[], Any]:
    """The editor as drawn for new data: the first page (search keys and paging included)."""
    from modules.data import view as data_view

    def build() -> Any:
        columns = _page_columns(dataset)
        if columns is None:
            return data_view.column_editor(dataset, 1)
        positions = {name: i for i, name in enumerate(dataset.columns)}
        return data_view.column_editor(dataset, 1, [positions[c] for c in columns])

    return build


def _cleaning_select(dataset: Any) -> Callable[[], Any]:
    from shiny import ui

    from modules.cleaning import view as cv

    try:
        from modules.shared.wide_select import column_select
    except ImportError:  # before the wide select
        column_select = None

    def build() -> Any:
        choices = cv.cleanable_columns(dataset)
        if column_select is None:
            return ui.input_select("column", "Column", choices, width="100%")
        return column_select("column", "Column", choices, next(iter(choices)), width="100%")

    return build


def _codebook_table(dataset: Any) -> Callable[[], Any]:
    """A 40-variable codebook matched to the data: the match table the card draws."""
    from matching.codebook_match import CodebookMatch, VariableMatch
    from modules.cleaning import codebook_view

    columns = list(dataset.columns)
    variables = tuple(
        VariableMatch(f"var{i}", f"Variable {i}", "", columns[i + 1], 0.95, False, "exact")
        for i in range(40)
    )
    result = CodebookMatch(
        fingerprint="bench",
        variables=variables,
        unmatched_variables=(),
        unmatched_columns=tuple(columns[41:]),
        values={},
        stats={"matched": 40, "unsure": 0, "seconds": 0.1},
    )

    def build() -> Any:
        return (
            codebook_view.match_table(result, columns, 1),
            codebook_view.summary_line(result, "book.csv"),
        )

    return build


def builders(dataset: Any) -> dict[str, Callable[[], Any]]:
    """Every per-column builder the event loop runs for this data, by name."""
    from modules.correlation import tab as correlation
    from modules.diagnostic import tab as diagnostic
    from modules.outcome import tab as outcome
    from modules.regression import tab as regression
    from modules.survival import tab as survival
    from modules.table1 import tab as table1

    out = {
        "data: column editor": _editor(dataset),
        "data: preview table": _preview(dataset),
        "cleaning: column select": _cleaning_select(dataset),
        "cleaning: codebook table": _codebook_table(dataset),
    }
    for tab in (outcome, table1, diagnostic, survival, correlation, regression):
        out[f"{tab.TAB.name}: controls"] = _tab_controls(tab.TAB, dataset)
    return out


def measure(columns: int) -> dict[str, Any]:
    """Read a wide CSV as an upload is read; time every builder on it."""
    from utils import data_io

    path = harness.DATA_DIR / f"wide_{columns}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        write_wide_csv(path, columns)
    started = time.perf_counter()
    dataset = data_io.read_table(path, name=path.name)
    read_ms = (time.perf_counter() - started) * 1000
    timings = {"read (worker thread)": {"ms": round(read_ms, 1), "bytes": path.stat().st_size}}
    for name, build in builders(dataset).items():
        try:
            timings[name] = _timed(build)
            harness.out(f"{columns:,} columns, {name}: {timings[name]}")
        except Exception as exc:  # a builder that fails is a finding, not a crash of the bench
            timings[name] = {"error": f"{type(exc).__name__}: {exc}"[:200]}
    return timings


def serve_and_upload(columns: int, tmp: Path) -> dict[str, Any]:
    """The app in its own process; a browser uploads the wide file while /healthz is polled
    every 100 ms and a victim runs an outcome analysis; the latencies and the victim's time."""
    from playwright.sync_api import expect, sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS
    from tests.e2e.helpers import open_tab, run_outcome
    from tests.hostile.trust_helpers import app, open_page
    from tests.hostile.wide_helpers import HealthPoller, timed_run, upload_wide

    wide = write_wide_csv(tmp / f"wide_{columns}.csv", columns)
    with sync_playwright() as p, app(tmp, embeddings="false") as server:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        victim = open_page(browser, server.url)
        run_outcome(victim)
        open_tab(victim, "Outcome analysis")
        victim.locator("input[name='outcome-summary'][value='median']").check()
        uploader = open_page(browser, server.url)
        with HealthPoller(server.url) as idle:
            time.sleep(5)
        started = time.perf_counter()
        with HealthPoller(server.url) as health:
            upload_wide(uploader, wide)
            shown_s = time.perf_counter() - started
            victim_s = timed_run(victim, "outcome")
            uploader.click("#data-column_next")
            expect(uploader.locator("#column-showing")).to_contain_text("Showing 51–100")
            time.sleep(2)
    return {
        "healthz_idle_5s": idle.summary(),
        "healthz_during_upload": health.summary(),
        "editor_shown_s": round(shown_s, 2),
        "victim_analysis_s": round(victim_s, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="after", help="file the figures under this name")
    parser.add_argument("--widths", type=int, nargs="*", default=list(WIDTHS))
    parser.add_argument(
        "--server", action="store_true", help="also upload 16,000 columns to a real app"
    )
    args = parser.parse_args(argv)
    asyncio.set_event_loop(asyncio.new_event_loop())
    figures: dict[str, Any] = {str(width): measure(width) for width in args.widths}
    if args.server:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            figures["server_16000"] = serve_and_upload(16_000, Path(tmp))
        harness.out(f"server, 16,000 columns: {json.dumps(figures['server_16000'])}")
    path = harness.RESULTS / f"{NAME}.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    runs = {**previous.get("runs", {}), args.label: {"machine": harness.machine(), **figures}}
    payload = {"runs": runs, **{k: v for k, v in previous.items() if k not in ("runs",)}}
    _print(runs)
    payload.pop("benchmark", None), payload.pop("command", None), payload.pop("machine", None)
    harness.write_result(NAME, COMMAND, payload)
    return payload


def _print(runs: dict[str, Any]) -> None:
    labels = list(runs)
    for width in sorted({w for run in runs.values() for w in run if w.isdigit()}, key=int):
        rows = []
        names = dict.fromkeys(n for lab in labels for n in runs[lab].get(width, {}))
        for name in names:
            row: list[Any] = [name]
            for label in labels:
                cell = runs[label].get(width, {}).get(name, {})
                row += [cell.get("ms", cell.get("error", "")), cell.get("bytes", "")]
            rows.append(row)
        header = ["builder"] + [f"{lab} {unit}" for lab in labels for unit in ("ms", "bytes")]
        harness.table(f"{int(width):,} columns x {ROWS} rows", header, rows)


if __name__ == "__main__":
    main()
