"""The Correlation tab: a Pearson or Spearman matrix, its heatmap, and a scatter for one pair."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from htmltools import HTML, TagList
from shiny import module, reactive, render, ui

import logic
from analyses.specs import CorrelationSpec
from modules.correlation import view as cv
from modules.correlation.controls import default_columns, numeric_columns
from modules.shared.background import run_in_worker
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import error_message, status_message, warnings_block
from modules.shared.task_watch import tab_result
from utils.dataset import Dataset

log = logging.getLogger(__name__)

METHODS = {"pearson": "Pearson (linear)", "spearman": "Spearman (rank, robust to outliers)"}
ADJUSTMENTS = {
    "none": "None",
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini–Hochberg (FDR)",
}


@module.ui
def correlation_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("columns_control"),
            ui.input_radio_buttons("method", "Coefficient", METHODS, selected="pearson"),
            ui.input_select("adjust", "Multiple-testing correction", ADJUSTMENTS, selected="none"),
            ui.output_ui("pair_control"),
            width=340,
            title="Correlation settings",
        ),
        ui.div(
            ui.input_task_button(
                "run", "Run correlation", label_busy="Running…", class_="btn-primary"
            ),
            class_="d-flex gap-2 mb-2",
        ),  # fmt: skip
        ui.output_ui("status"),
        ui.output_ui("results"),
    )


def _layout() -> TagList:
    return TagList(
        ui.output_ui("warnings"),
        ui.card(ui.card_header("Heatmap"), ui.output_ui("heatmap_plot"), full_screen=True),
        ui.card(ui.card_header("Scatter plot with fitted line"), ui.output_ui("scatter_plot"),
                full_screen=True),
        ui.card(ui.card_header("Correlations with p-values"), ui.output_ui("pairs_table"),
                full_screen=True),
        ui.card(
            ui.card_header("Downloads"),
            ui.div(
                ui.download_button("download_csv", "Table (CSV)", class_="btn-outline-primary"),
                ui.download_button("download_html", "Report (HTML)", class_="btn-outline-primary"),
                class_="d-flex gap-2 flex-wrap",
            ),
        ),
    )  # fmt: skip


@module.server
def correlation_server(
    input, output, session, dataset: Callable[[], Dataset | None], tab: TabState
):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, _ = tab_result(
        tab, "correlation", "Choose at least two numeric columns, then press Run."
    )

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    @render.ui
    def columns_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = numeric_columns(ds)
        with reactive.isolate():
            kept = [c for c in value_of("columns") or () if c in choices]
        return ui.input_selectize(
            "columns", "Numeric columns", choices,
            selected=kept or default_columns(ds), multiple=True, width="100%",
            options={"plugins": ["remove_button"]},
        )  # fmt: skip

    @render.ui
    def pair_control():
        ds = dataset()
        chosen = [c for c in value_of("columns") or () if ds is not None and c in ds.columns]
        if len(chosen) < 2:
            return None
        choices = {c: ds.label(c) for c in chosen}
        with reactive.isolate():
            x, y = value_of("pair_x"), value_of("pair_y")
        x = x if x in choices else chosen[0]
        y = y if y in choices and y != x else next(c for c in chosen if c != x)
        return ui.div(
            ui.input_select("pair_x", "Scatter plot: x axis", choices, selected=x, width="100%"),
            ui.input_select("pair_y", "Scatter plot: y axis", choices, selected=y, width="100%"),
        )

    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds, spec):
        begin = time.perf_counter()
        result = await run_in_worker(logic.run, "correlation", ds, spec)
        return (
            cv.CorrelationView(result, ds.labels(), ds.name),
            ds.fingerprint,
            (time.perf_counter() - begin),
        )

    def _spec(ds) -> CorrelationSpec:
        columns = tuple(c for c in value_of("columns") or () if c in ds.columns)
        if len(columns) < 2:
            raise ValueError("Choose at least two numeric columns.")
        x, y = value_of("pair_x"), value_of("pair_y")
        pair = (x, y) if x in columns and y in columns and x != y else None
        return CorrelationSpec(columns, input.method(), input.adjust(), pair)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            spec = _spec(ds)
        except ValueError as exc:
            note.set(("error", str(exc)))
            return
        log.info("correlation requested: %d columns, %s", len(spec.columns), spec.method)
        analysis.invoke(ds, spec)

    @reactive.effect
    @reactive.event(input.pair_x, input.pair_y, ignore_init=True)
    def _new_pair():
        # A new pair re-runs at once (the matrix comes back from the cache-fast path anyway).
        ds = dataset()
        if last() is None or ds is None or analysis.status() == "running":
            return
        try:
            analysis.invoke(ds, _spec(ds))
        except ValueError:
            return

    @reactive.effect
    def _collect():
        status = analysis.status()
        if status == "success":
            last.set(analysis.result())
            tab.keep("correlation", analysis.result())
            note.set(("done", ""))
        elif status == "error":
            try:
                analysis.result()
            except Exception as exc:  # every failure becomes a sentence
                note.set(("error", error_message(exc)))

    @reactive.calc
    def view() -> cv.CorrelationView | None:
        finished, ds = last(), dataset()
        if finished is None:
            return None
        return finished[0].relabel(ds.labels()) if ds is not None else finished[0]

    @render.ui
    def status():
        if analysis.status() == "running":
            return status_message("idle", "Computing the correlations…")
        kind, text = note()
        finished = last()
        if kind == "done" and finished is not None:
            v, _, seconds = finished
            n_pairs = len(v.result.pairs)
            text = f"Done in {seconds:.1f} s: {n_pairs} pairs. Scatter: {cv.pair_text(v)}."
            return status_message("done", text)
        return status_message(kind, text)

    @render.ui
    def results():
        return _layout() if last() is not None else None

    @render.ui
    def warnings():
        v = view()
        if v is None or not v.result.warnings:
            return None
        return warnings_block(v.result.warnings)

    def _plot(fig, div_id: str):
        html = figure_html(fig, div_id=div_id)
        return ui.div(HTML(html), plotly_dependency(), id=f"{div_id}-container")

    @render.ui
    def heatmap_plot():
        v = view()
        return _plot(cv.heatmap(v), "correlation-heatmap") if v else None

    @render.ui
    def scatter_plot():
        v = view()
        return _plot(cv.scatter_plot(v), "correlation-plot") if v else None

    @render.ui
    def pairs_table():
        v = view()
        return cv.pairs_table(v) if v else None

    def file_name(suffix: str) -> str:
        return f"medstat_correlation_{dt.datetime.now():%Y-%m-%d}_{suffix}"

    @render.download_button(filename=lambda: file_name("table.csv"))
    def download_csv():
        yield cv.tables_csv(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(cv.html_report, view())
