"""The Regression tab: linear, Poisson and negative binomial models, run off the event loop."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable

from htmltools import HTML, TagList
from shiny import module, reactive, render, ui

import logic
from modules.outcome import controls as outcome_controls
from modules.regression import controls as rc
from modules.regression import figures as regression_figures
from modules.regression import tables as rt
from modules.regression.view import MODEL_CHOICES, RegressionView, family_name, fit_boxes
from modules.shared.background import run_in_worker
from modules.shared.effect_scale import effect_scale_input
from modules.shared.figures import plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import error_message, status_message, status_running, warnings_block
from modules.shared.task_watch import tab_result, task_panel, watch_task
from modules.shiny_patches.refresh import invalidate_later
from utils.dataset import Dataset

log = logging.getLogger(__name__)
oc = outcome_controls


@module.ui
def regression_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("outcome_control"),
            ui.input_radio_buttons("model", "Model", MODEL_CHOICES, selected="auto"),
            ui.output_ui("exposure_control"),
            ui.output_ui("covariate_control"),
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
            effect_scale_input(),
            width=360,
            title="Regression settings",
        ),
        task_panel("Run regression"),
    )


def _results_layout() -> TagList:
    return TagList(
        ui.card(ui.card_header("Model fit"), ui.output_ui("fit")),
        ui.output_ui("warnings"),
        ui.card(ui.card_header("Univariable and multivariable analysis"),
                ui.output_ui("combined_table"), full_screen=True),
        ui.card(ui.card_header("Multivariable model"), ui.output_ui("multi_table"),
                full_screen=True),
        ui.card(ui.card_header("Forest plot"), ui.output_ui("forest_plot"), full_screen=True),
        ui.card(ui.card_header("Residual diagnostics"), ui.output_ui("diagnostics_plot"),
                full_screen=True),
        ui.card(
            ui.card_header("Downloads"),
            ui.div(
                ui.download_button("download_csv", "Tables (CSV)", class_="btn-outline-primary"),
                ui.download_button("download_html", "Report (HTML)", class_="btn-outline-primary"),
                class_="d-flex gap-2 flex-wrap",
            ),
        ),
    )  # fmt: skip


@module.server
def regression_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, _ = tab_result(
        tab, "regression", "Choose the outcome and covariates, then press Run regression."
    )
    started = reactive.value(0.0)

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    def current_outcome(ds) -> str | None:
        chosen = value_of("outcome")
        return chosen if chosen in rc.outcome_choices(ds) else rc.default_outcome(ds)

    @render.ui
    def outcome_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = rc.outcome_choices(ds)
        if not choices:
            return ui.div("No continuous or count column to model.", class_="alert alert-warning")
        with reactive.isolate():
            selected = current_outcome(ds)
        return ui.input_select("outcome", "Outcome", choices, selected=selected, width="100%")

    @render.ui
    def exposure_control():
        ds = dataset()
        outcome = current_outcome(ds) if ds is not None else None
        if outcome is None or input.model() == "linear":
            return None
        if input.model() == "auto" and ds.meta(outcome).kind != "count":
            return None
        with reactive.isolate():
            previous = value_of("exposure")
        choices = rc.exposure_choices(ds, outcome)
        return ui.input_select(
            "exposure",
            "Exposure for rates (offset: log of person-time or population)",
            choices,
            selected=previous if previous in choices else rc.NO_EXPOSURE,
            width="100%",
        )

    @render.ui
    def covariate_control():
        ds = dataset()
        outcome = current_outcome(ds) if ds is not None else None
        if outcome is None:
            return None
        choices = oc.covariate_choices(ds, outcome)
        with reactive.isolate():
            kept = oc.keep_valid(value_of("covariates"), choices)
        return ui.input_selectize(
            "covariates",
            "Candidate covariates (ids, free text and dates are left out)",
            choices,
            selected=kept,
            multiple=True,
            width="100%",
            options={"plugins": ["remove_button"], "placeholder": "choose covariates"},
        )

    @render.ui
    def force_control():
        ds = dataset()
        if ds is None:
            return None
        choices = {c: ds.label(c) for c in value_of("covariates") or () if c in ds.columns}
        with reactive.isolate():
            kept = oc.keep_valid(value_of("force"), choices)
        return ui.input_selectize(
            "force", "Always include in the multivariable model", choices, selected=kept,
            multiple=True, width="100%", options={"plugins": ["remove_button"]},
        )  # fmt: skip

    @render.ui
    def reference_control():
        ds = dataset()
        if ds is None:
            return None
        factors = oc.factor_covariates(ds, value_of("covariates") or ())
        with reactive.isolate():
            previous = {f: value_of(oc.reference_input_id(f)) for f in factors}
        return oc.reference_controls(ds, factors, previous)

    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds, spec):
        begin = time.perf_counter()
        result = await run_in_worker(logic.run, "regression", ds, spec)
        view = RegressionView(result, ds.labels(), ds.name)
        return view, ds.fingerprint, time.perf_counter() - begin

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            covariates = tuple(value_of("covariates") or ())
            factors = oc.factor_covariates(ds, covariates)
            spec = rc.regression_spec(
                ds,
                current_outcome(ds) or "",
                covariates,
                model=input.model(),
                exposure=value_of("exposure") if input.model() != "linear" else None,
                screen_p=oc.screen_threshold(input.screen_mode(), input.screen_p()),
                force=oc.keep_valid(value_of("force"), list(covariates)),
                reference={f: value_of(oc.reference_input_id(f)) for f in factors
                           if value_of(oc.reference_input_id(f))},
                effect_scale=input.effect_scale(),
            )  # fmt: skip
        except ValueError as exc:  # AnalysisError is a ValueError
            note.set(("error", str(exc)))
            return
        started.set(time.monotonic())
        log.info("regression requested: %s, %d covariates", spec.model, len(spec.covariates))
        analysis.invoke(ds, spec)

    watch_task(
        analysis,
        cancel=input.cancel,
        last=last,
        note=note,
        error_message=error_message,
        again="Run",
        keep=lambda result: tab.keep("regression", result),
    )

    @reactive.calc
    def view() -> RegressionView | None:
        finished = last()
        if finished is None:
            return None
        ds = dataset()
        return finished[0].relabel(ds.labels()) if ds is not None else finished[0]

    @render.ui
    def status():
        if analysis.status() == "running":
            invalidate_later(1)
            return status_running(time.monotonic() - started())
        kind, text = note()
        finished, ds = last(), dataset()
        if kind == "done" and finished is not None:
            v, fingerprint, seconds = finished
            m = v.model
            done = (
                f"Done in {seconds:.1f} s: {m.get('n_used')} patients analysed. {family_name(v)}."
            )
            stale = ds is not None and ds.fingerprint != fingerprint
            extra = "The data changed since: press Run regression to update." if stale else ""
            return status_message("done", done, extra)
        kept = "The last successful result is still shown below." if finished else ""
        return status_message(kind, text, kept if kind != "idle" else "")

    @render.ui
    def results():
        return _results_layout() if last() is not None else None

    @render.ui
    def fit():
        v = view()
        return fit_boxes(v) if v else None

    @render.ui
    def warnings():
        v = view()
        return warnings_block(v.result.warnings) if v else None

    @render.ui
    def combined_table():
        v = view()
        return rt.combined_table(v) if v else None

    @render.ui
    def multi_table():
        v = view()
        return rt.multivariable_table(v) if v else None

    def _plot(fig, div_id: str, container: str):
        html = regression_figures.figure_html(fig, div_id)
        return ui.div(HTML(html), plotly_dependency(), id=container)

    @render.ui
    def forest_plot():
        v = view()
        if v is None:
            return None
        return _plot(regression_figures.forest_plot(v), "regression-plot", "regression-forest")

    @render.ui
    def diagnostics_plot():
        v = view()
        if v is None:
            return None
        fig = regression_figures.diagnostics_plot(v)
        return _plot(fig, "regression-diagnostics-plot", "regression-diagnostics")

    def file_name(suffix: str) -> str:
        return f"{rt.file_stem(view(), dt.datetime.now())}_{suffix}"

    @render.download_button(filename=lambda: file_name("tables.csv"))
    def download_csv():
        yield rt.tables_csv(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(rt.html_report, view())
