"""The Outcome analysis tab: controls, a cancellable analysis off the event loop, the results."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from shiny import module, reactive, render, ui

import logic
from modules.outcome import controls as outcome_controls
from modules.outcome import figures, report, tables
from modules.outcome import view as outcome_view
from modules.outcome.result_view import ResultView
from modules.shared.background import run_in_worker
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import error_message, status_message, status_running, warnings_block
from modules.shared.task_watch import tab_result, task_panel, watch_task
from modules.shiny_patches.refresh import invalidate_later
from utils.dataset import Dataset

log = logging.getLogger(__name__)
oc = outcome_controls


@dataclass(frozen=True)
class Finished:
    """A successful run: what to show, which data it came from, how long it took."""

    view: ResultView
    fingerprint: str
    seconds: float


@module.ui
def outcome_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("outcome_control"),
            ui.output_ui("event_control"),
            ui.output_ui("covariate_control"),
            ui.input_radio_buttons("method", "Method", oc.METHODS, selected="auto"),
            ui.input_radio_buttons(
                "screen_mode", "Multivariable model includes", oc.SCREEN_MODES, selected="p"
            ),
            ui.panel_conditional(
                "input.screen_mode === 'p'",
                ui.input_numeric("screen_p", None, 0.20, min=0.001, max=1, step=0.05),
            ),
            ui.output_ui("force_control"),
            ui.tags.label("Reference level of each categorical covariate", class_="form-label"),
            ui.output_ui("reference_control"),
            ui.input_radio_buttons(
                "summary", "Continuous variables shown as", oc.SUMMARIES, selected="mean"
            ),
            width=360,
            title="Analysis settings",
        ),
        task_panel("Run analysis"),
    )


@module.server
def outcome_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, has_result = tab_result(
        tab, "outcome", "Choose the outcome and covariates, then press Run analysis."
    )
    started = reactive.value(0.0)

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    def current_outcome(ds) -> str | None:
        chosen = value_of("outcome")
        return chosen if chosen in oc.outcome_choices(ds) else oc.default_outcome(ds)

    def data_key(ds) -> tuple:
        return (ds.name, tuple(ds.columns))

    # --- controls that depend on the data -------------------------------------------------
    @render.ui
    def outcome_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = oc.outcome_choices(ds)
        if not choices:
            return ui.div(
                "No column can be the outcome: mark a yes/no column as binary on the Data tab.",
                class_="alert alert-warning py-2",
            )
        with reactive.isolate():
            selected = current_outcome(ds)
        return ui.input_select("outcome", "Outcome", choices, selected=selected, width="100%")

    @render.ui
    def event_control():
        ds = dataset()
        outcome = current_outcome(ds) if ds is not None else None
        if outcome is None:
            return None
        levels = list(ds.meta(outcome).levels)
        with reactive.isolate():
            previous = value_of("event")
        selected = previous if previous in levels else oc.default_event(levels)
        return ui.input_select(
            "event", "Event (the level that counts as the outcome)", levels, selected=selected
        )

    covariate_key: list = [None]  # the data + outcome the current selection belongs to

    @render.ui
    def covariate_control():
        ds = dataset()
        outcome = current_outcome(ds) if ds is not None else None
        if outcome is None:
            return None
        choices = oc.covariate_choices(ds, outcome)
        with reactive.isolate():
            kept = oc.keep_valid(value_of("covariates"), choices)
        # The first draw keeps a selection only a reconnected page can have sent.
        same_data = covariate_key[0] == data_key(ds) or (covariate_key[0] is None and kept)
        covariate_key[0] = data_key(ds)
        selected = kept if same_data else list(choices)
        return ui.input_selectize(
            "covariates",
            "Candidate covariates (ids, free text and dates are left out)",
            choices,
            selected=selected,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"]},
        )

    @render.ui
    def force_control():
        ds = dataset()
        covariates = value_of("covariates") or ()
        if ds is None:
            return None
        choices = {c: ds.label(c) for c in covariates if c in ds.columns}
        with reactive.isolate():
            kept = oc.keep_valid(value_of("force"), choices)
        return ui.input_selectize(
            "force",
            "Always include in the multivariable model",
            choices,
            selected=kept,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"], "placeholder": "none"},
        )

    @render.ui
    def reference_control():
        ds = dataset()
        if ds is None:
            return None
        factors = oc.factor_covariates(ds, value_of("covariates") or ())
        with reactive.isolate():
            previous = {f: value_of(oc.reference_input_id(f)) for f in factors}
        return oc.reference_controls(ds, factors, previous)

    # --- running --------------------------------------------------------------------------
    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds, spec) -> Finished:
        begin = time.perf_counter()
        result = await run_in_worker(logic.run, "outcome", ds, spec, owner=tab.owner)
        view = outcome_view.make_view(result, ds, spec)
        return Finished(view, ds.fingerprint, time.perf_counter() - begin)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            covariates = tuple(value_of("covariates") or ())
            factors = oc.factor_covariates(ds, covariates)
            outcome = current_outcome(ds) or ""
            event = value_of("event")
            if outcome and event not in ds.meta(outcome).levels:
                event = None  # a stale choice: the analysis picks and reports the event
            spec = logic.outcome_spec(
                ds,
                outcome,
                covariates,
                event=event,
                method=input.method(),
                screen_p=oc.screen_threshold(input.screen_mode(), input.screen_p()),
                force=oc.keep_valid(value_of("force"), list(covariates)),
                reference={
                    f: value_of(oc.reference_input_id(f))
                    for f in factors
                    if value_of(oc.reference_input_id(f))
                },
                continuous_summary=input.summary(),
            )
        except ValueError as exc:  # logic.AnalysisError is a ValueError
            note.set(("error", str(exc)))
            return
        started.set(time.monotonic())
        log.info("outcome analysis requested: %d covariates", len(spec.covariates))
        analysis.invoke(ds, spec)

    watch_task(
        analysis,
        cancel=input.cancel,
        last=last,
        note=note,
        error_message=error_message,
        again="Run analysis",
        has_result=has_result,
        keep=lambda result: tab.keep("outcome", result),
    )

    # --- showing --------------------------------------------------------------------------
    @reactive.calc
    def view() -> ResultView | None:
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
        kept = "The last successful result is still shown below." if finished else ""
        if kind == "done" and finished is not None:
            v = view()
            stale = ds is not None and ds.fingerprint != finished.fingerprint
            extra = "The data changed since: press Run analysis to update." if stale else ""
            return status_message("done", outcome_view.done_text(v, finished.seconds), extra)
        return status_message(kind, text, kept if kind != "idle" else "")

    @render.ui
    def results():
        return outcome_view.results_layout() if has_result() else None

    @render.ui
    def fit():
        v = view()
        return outcome_view.fit_boxes(v) if v else None

    @render.ui
    def warnings():
        v = view()
        return warnings_block(v.result.warnings) if v else None

    @render.ui
    def univariable():
        v = view()
        return tables.combined_table(v) if v else None

    @render.ui
    def multivariable():
        v = view()
        return tables.multivariable_table(v) if v else None

    @render.ui
    def forest():
        v = view()
        if v is None:
            return None
        html = figure_html(figures.forest_plot(v), div_id="forest-plot")
        return ui.div(ui.HTML(html), plotly_dependency(), id="forest-container")

    def file_name(suffix: str) -> str:
        return f"{report.file_stem(view(), dt.datetime.now())}_{suffix}"

    @render.download_button(filename=lambda: file_name("tables.csv"))
    def download_csv():
        yield report.tables_csv(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(report.html_report, view())
