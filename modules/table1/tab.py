"""The Table 1 tab: controls, the analysis off the event loop, the table, plot and downloads."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from shiny import module, reactive, render, ui

import logic
from modules.shared.background import run_in_worker
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import status_message, status_running
from modules.shared.task_watch import tab_result, task_panel, watch_task
from modules.shiny_patches.refresh import invalidate_later
from modules.table1 import controls as tc
from modules.table1 import export as table1_export
from modules.table1 import plot as table1_plot
from modules.table1 import view as table1_view
from modules.table1.view import Table1View
from utils.dataset import Dataset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    """A successful run: what to show, which data it came from, how long it took."""

    view: Table1View
    fingerprint: str
    seconds: float


@module.ui
def table1_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("group_control"),
            ui.output_ui("variable_control"),
            ui.input_radio_buttons("summary", "Numbers shown as", tc.SUMMARIES, selected="auto"),
            ui.output_ui("median_control"),
            ui.input_checkbox_group("show", "Show", tc.SHOW, selected=list(tc.SHOW)),
            width=360,
            title="Table 1 settings",
        ),
        task_panel("Make Table 1"),
    )


def _results_layout():
    return ui.TagList(
        ui.output_ui("warnings"),
        ui.card(ui.card_header("Table 1"), ui.output_ui("table"), full_screen=True),
        ui.card(
            ui.card_header("Standardised mean differences"),
            ui.output_ui("plot"),
            full_screen=True,
        ),
        ui.card(
            ui.card_header("Downloads"),
            ui.div(
                ui.download_button("download_csv", "Table (CSV)", class_="btn-outline-primary"),
                ui.download_button("download_html", "Report (HTML)", class_="btn-outline-primary"),
                ui.download_button(
                    "download_word", "Word-friendly table (HTML)", class_="btn-outline-primary"
                ),
                class_="d-flex gap-2 flex-wrap",
            ),
            ui.p(
                "The CSV holds the table as shown, with the test of each row. The report opens "
                "offline with the plot. The Word-friendly file is one plain table: open it in "
                "Word, or open it in a browser, select all and paste into Word.",
                class_="small text-muted mb-0",
            ),
        ),
    )


@module.server
def table1_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, has_result = tab_result(
        tab, "table1", "Choose the variables (and a group), then press Make Table 1."
    )
    started = reactive.value(0.0)
    variables_for: list = [None]  # the data + group the current variable selection belongs to

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    def current_group(ds) -> str:
        chosen = value_of("group")
        return chosen if chosen in tc.group_choices(ds) else tc.NO_GROUP

    @render.ui
    def group_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        with reactive.isolate():
            selected = current_group(ds)
        return ui.input_select(
            "group", "Group by", tc.group_choices(ds), selected=selected, width="100%"
        )

    @render.ui
    def variable_control():
        ds = dataset()
        if ds is None:
            return None
        group = current_group(ds)
        choices = tc.variable_choices(ds, group)
        with reactive.isolate():
            kept = tc.keep_valid(value_of("variables"), choices)
        key = (ds.name, tuple(ds.columns))
        # The first draw keeps a selection only a reconnected page can have sent.
        same_data = variables_for[0] in (key, None)
        variables_for[0] = key
        return ui.input_selectize(
            "variables",
            "Variables (ids, free text and dates are left out)",
            choices,
            selected=kept if same_data and kept else tc.default_variables(ds, group),
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"]},
        )

    @render.ui
    def median_control():
        ds = dataset()
        if ds is None:
            return None
        choices = tc.numeric_variables(ds, value_of("variables") or ())
        with reactive.isolate():
            kept = tc.keep_valid(value_of("median"), choices)
        return ui.input_selectize(
            "median",
            "Always median [IQR]",
            choices,
            selected=kept,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"], "placeholder": "none"},
        )

    # --- running --------------------------------------------------------------------------
    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds, spec) -> Finished:
        begin = time.perf_counter()
        result = await run_in_worker(logic.run, "table1", ds, spec)
        view = Table1View(result, ds.labels(), ds.name)
        return Finished(view, ds.fingerprint, time.perf_counter() - begin)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            spec = tc.table1_spec(
                ds,
                value_of("variables") or (),
                current_group(ds),
                input.summary(),
                value_of("median") or (),
            )
        except ValueError as exc:  # logic.AnalysisError is a ValueError
            note.set(("error", str(exc)))
            return
        started.set(time.monotonic())
        log.info("table 1 requested: %d variables", len(spec.variables))
        analysis.invoke(ds, spec)

    watch_task(
        analysis,
        cancel=input.cancel,
        last=last,
        note=note,
        error_message=table1_view.error_message,
        again="Make Table 1",
        has_result=has_result,
        keep=lambda result: tab.keep("table1", result),
    )

    # --- showing --------------------------------------------------------------------------
    @reactive.calc
    def view() -> Table1View | None:
        finished = last()
        if finished is None:
            return None
        ds = dataset()
        labels = dict(finished.view.labels)
        if ds is not None:
            labels.update({k: v for k, v in ds.labels().items() if k in labels})
        shown = set(input.show() or ())
        return finished.view.relabel(labels).with_options(
            show_overall="overall" in shown,
            show_p="p" in shown,
            show_smd="smd" in shown,
            show_missing="missing" in shown,
        )

    @render.ui
    def status():
        if analysis.status() == "running":
            invalidate_later(1)
            return status_running(time.monotonic() - started())
        kind, text = note()
        finished, ds = last(), dataset()
        kept = "The last successful table is still shown below." if finished else ""
        if kind == "done" and finished is not None:
            stale = ds is not None and ds.fingerprint != finished.fingerprint
            extra = "The data changed since: press Make Table 1 to update." if stale else ""
            text = table1_view.done_text(view(), finished.seconds)
            return status_message("done", text, extra)
        return status_message(kind, text, kept if kind != "idle" else "")

    @render.ui
    def results():
        return _results_layout() if has_result() else None

    @render.ui
    def warnings():
        v = view()
        return table1_view.warnings_block(v.result.warnings) if v else None

    @render.ui
    def table():
        v = view()
        return table1_view.table_tag(v) if v else None

    @render.ui
    def plot():
        v = view()
        if v is None:
            return None
        fig = table1_plot.love_plot(v)
        if fig is None:
            return table1_view.plot_note(v)
        html = figure_html(fig, div_id="table1-plot")
        return ui.div(
            ui.HTML(html),
            plotly_dependency(),
            id="table1-plot-container",
            style=f"height: {fig.layout.height}px;",  # the figure's own height, not the card's
        )

    def file_name(suffix: str) -> str:
        return f"{table1_export.file_stem(view(), dt.datetime.now())}_{suffix}"

    @render.download_button(filename=lambda: file_name("table1.csv"))
    def download_csv():
        yield table1_export.csv_text(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(table1_export.html_report, view())

    @render.download_button(filename=lambda: file_name("word.html"))
    def download_word():
        yield table1_export.word_document(view())
