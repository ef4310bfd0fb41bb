"""The Diagnostic accuracy tab: controls, a cancellable analysis off the event loop, results."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from shiny import module, reactive, render, ui

import logic
from modules.diagnostic import controls as dc
from modules.diagnostic import report as diagnostic_report
from modules.diagnostic import view as diagnostic_view
from modules.diagnostic.view import DiagnosticView
from modules.shared.background import run_in_worker
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import status_message, status_running
from modules.shared.task_watch import tab_result, task_panel, watch_task
from modules.shiny_patches.refresh import invalidate_later
from utils.dataset import Dataset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    """A successful run: what to show, which data it came from, how long it took."""

    view: DiagnosticView
    fingerprint: str
    seconds: float


@module.ui
def diagnostic_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("reference_control"),
            ui.output_ui("positive_control"),
            ui.output_ui("marker_control"),
            ui.output_ui("test_control"),
            ui.output_ui("level_control"),
            ui.input_radio_buttons("direction", "Direction", dc.DIRECTIONS, selected="auto"),
            ui.input_radio_buttons("cut_mode", "Cut-off", dc.CUTOFF_MODES, selected="youden"),
            ui.panel_conditional(
                "input.cut_mode === 'chosen'",
                ui.output_ui("cutoff_control"),
            ),
            ui.input_radio_buttons(
                "ci_method", "Confidence intervals of proportions", dc.CI_METHODS, selected="exact"
            ),
            width=360,
            title="Analysis settings",
        ),
        task_panel("Run analysis"),
    )


@module.server
def diagnostic_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, has_result = tab_result(
        tab, "diagnostic", "Choose the reference standard and the tests, then Run."
    )
    started = reactive.value(0.0)

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    def current_reference(ds) -> str | None:
        chosen = value_of("reference")
        return chosen if chosen in dc.reference_choices(ds) else dc.default_outcome(ds)

    # --- controls that depend on the data -------------------------------------------------
    @render.ui
    def reference_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = dc.reference_choices(ds)
        if not choices:
            return ui.div(
                "No column can be the reference standard: mark a yes/no column as binary on "
                "the Data tab.",
                class_="alert alert-warning py-2",
            )
        with reactive.isolate():
            selected = current_reference(ds)
        return ui.input_select(
            "reference", "Reference standard (true condition)", choices, selected=selected
        )

    @render.ui
    def positive_control():
        ds = dataset()
        reference = current_reference(ds) if ds is not None else None
        if reference is None:
            return None
        levels = list(ds.meta(reference).levels)
        with reactive.isolate():
            previous = value_of("positive")
        selected = previous if previous in levels else dc.default_event(levels)
        return ui.input_select("positive", "Condition present when", levels, selected=selected)

    @render.ui
    def marker_control():
        ds = dataset()
        reference = current_reference(ds) if ds is not None else None
        if reference is None:
            return None
        choices = dc.marker_choices(ds, reference)
        with reactive.isolate():
            kept = dc.keep_valid(value_of("markers"), choices)
        return ui.input_selectize(
            "markers",
            "Continuous markers",
            choices,
            selected=kept,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"], "placeholder": "choose one or more"},
        )

    @render.ui
    def test_control():
        ds = dataset()
        reference = current_reference(ds) if ds is not None else None
        if reference is None:
            return None
        choices = dc.binary_test_choices(ds, reference)
        with reactive.isolate():
            kept = dc.keep_valid(value_of("tests"), choices)
        return ui.input_selectize(
            "tests",
            "Binary tests (optional)",
            choices,
            selected=kept,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"], "placeholder": "none"},
        )

    def chosen(ds, input_id: str, allowed: dict[str, str]) -> list[str]:
        return dc.keep_valid(value_of(input_id), allowed)

    @render.ui
    def level_control():
        ds = dataset()
        reference = current_reference(ds) if ds is not None else None
        if reference is None:
            return None
        tests = chosen(ds, "tests", dc.binary_test_choices(ds, reference))
        with reactive.isolate():
            previous = {t: value_of(dc.input_id("level", t)) for t in tests}
        return dc.level_controls(ds, tests, previous)

    @render.ui
    def cutoff_control():
        ds = dataset()
        reference = current_reference(ds) if ds is not None else None
        if reference is None:
            return None
        markers = chosen(ds, "markers", dc.marker_choices(ds, reference))
        with reactive.isolate():
            previous = {m: value_of(dc.input_id("cut", m)) for m in markers}
        return dc.cutoff_controls(ds, markers, previous)

    # --- running --------------------------------------------------------------------------
    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds, spec) -> Finished:
        begin = time.perf_counter()
        result = await run_in_worker(logic.run, "diagnostic", ds, spec)
        view = diagnostic_view.make_view(result, ds)
        return Finished(view, ds.fingerprint, time.perf_counter() - begin)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            reference = current_reference(ds)
            markers = chosen(ds, "markers", dc.marker_choices(ds, reference))
            tests = chosen(ds, "tests", dc.binary_test_choices(ds, reference))
            levels = {t: value_of(dc.input_id("level", t)) for t in tests}
            cutoffs = (
                {m: value_of(dc.input_id("cut", m)) for m in markers}
                if input.cut_mode() == "chosen"
                else {}
            )
            spec = dc.diagnostic_spec(
                ds,
                reference,
                value_of("positive"),
                markers,
                {t: lvl for t, lvl in levels.items() if lvl},
                direction=input.direction(),
                cutoffs=cutoffs,
                ci_method=input.ci_method(),
            )
        except ValueError as exc:  # logic.AnalysisError is a ValueError
            note.set(("error", str(exc)))
            return
        started.set(time.monotonic())
        log.info(
            "diagnostic analysis requested: %d tests", len(spec.markers) + len(spec.binary_tests)
        )
        analysis.invoke(ds, spec)

    watch_task(
        analysis,
        cancel=input.cancel,
        last=last,
        note=note,
        error_message=diagnostic_view.error_message,
        again="Run analysis",
        has_result=has_result,
        keep=lambda result: tab.keep("diagnostic", result),
    )

    # --- showing --------------------------------------------------------------------------
    @reactive.calc
    def view() -> DiagnosticView | None:
        finished = last()
        if finished is None:
            return None
        ds = dataset()
        labels = dict(finished.view.labels)
        if ds is not None:
            labels.update({k: v for k, v in ds.labels().items() if k in labels})
        return finished.view.relabel(labels)

    @render.ui
    def status():
        if analysis.status() == "running":
            invalidate_later(1)
            return status_running(time.monotonic() - started())
        kind, text = note()
        finished, ds = last(), dataset()
        if kind == "done" and finished is not None:
            stale = ds is not None and ds.fingerprint != finished.fingerprint
            extra = "The data changed since: press Run analysis to update." if stale else ""
            return status_message(
                "done", diagnostic_view.done_text(view(), finished.seconds), extra
            )
        kept = "The last successful result is still shown below." if finished else ""
        return status_message(kind, text, kept if kind != "idle" else "")

    @render.ui
    def results():
        return diagnostic_view.results_layout() if has_result() else None

    @render.ui
    def plot():
        v = view()
        if v is None:
            return None
        html = figure_html(diagnostic_report.roc_figure(v), div_id="diagnostic-roc")
        return ui.div(ui.HTML(html), plotly_dependency())

    @render.ui
    def warnings():
        v = view()
        return diagnostic_view.warnings_block(v.result.warnings) if v else None

    @render.ui
    def table():
        v = view()
        return diagnostic_view.auc_table(v) if v else None

    @render.ui
    def compare():
        v = view()
        return diagnostic_view.comparison_table(v) if v else None

    @render.ui
    def accuracy():
        v = view()
        return diagnostic_view.accuracy_table(v) if v else None

    @render.ui
    def two_by_two():
        v = view()
        return diagnostic_view.two_by_two_tables(v) if v else None

    def file_name(suffix: str) -> str:
        return f"{diagnostic_report.file_stem(view(), dt.datetime.now())}_{suffix}"

    @render.download_button(filename=lambda: file_name("tables.csv"))
    def download_csv():
        yield diagnostic_report.tables_csv(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(diagnostic_report.html_report, view())
