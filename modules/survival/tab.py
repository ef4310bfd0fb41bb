"""The Survival tab: Kaplan–Meier, log-rank, Cox models and the PH check, run off the event loop."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from htmltools import HTML
from shiny import module, reactive, render, ui

import logic
from modules.shared.background import run_in_worker
from modules.shared.effect_scale import effect_scale_input
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.session_state import TabState
from modules.shared.status import status_message, status_running
from modules.shared.task_watch import tab_result, task_panel, watch_task
from modules.shiny_patches.refresh import invalidate_later
from modules.survival import controls as sc
from modules.survival import figures as survival_figures
from modules.survival import report as survival_report
from modules.survival import tables as survival_tables
from modules.survival import view as sv
from utils.dataset import Dataset

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finished:
    """A successful run: what to show, which data it came from, how long it took."""

    view: sv.SurvivalView
    fingerprint: str
    seconds: float


@module.ui
def survival_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.input_radio_buttons("time_mode", "Follow-up from", sc.TIME_MODES, selected="column"),
            ui.output_ui("time_control"),
            ui.output_ui("event_control"),
            ui.output_ui("level_control"),
            ui.output_ui("group_control"),
            ui.output_ui("covariate_control"),
            effect_scale_input(),
            ui.input_radio_buttons("band", "95% confidence band", sc.BANDS, selected="log"),
            ui.input_checkbox("show_band", "Shade the bands on the plot", value=True),
            width=360,
            title="Survival settings",
        ),
        task_panel("Run analysis"),
    )


@module.server
def survival_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # The last success (kept when a later run fails), restored after a reconnect.
    last, note, has_result = tab_result(
        tab, "survival", "Choose the follow-up time and the event, then press Run."
    )
    started = reactive.value(0.0)

    def value_of(input_id: str):
        return input[input_id]() if input_id in input else None

    # --- controls that depend on the data -------------------------------------------------
    @render.ui
    def time_control():
        ds = dataset()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        with reactive.isolate():
            before = {k: value_of(k) for k in ("time", "start", "end")}
        if input.time_mode() == "dates":
            dates = sc.date_choices(ds)
            if len(dates) < 2:
                return ui.div(
                    "Two date columns are needed (mark them as dates on the Data tab).",
                    class_="alert alert-warning py-2",
                )
            start = sc.by_name(dates, sc.START_WORDS, before["start"])
            end = before["end"] if before["end"] in dates else [d for d in dates if d != start][-1]
            return ui.TagList(
                ui.input_select("start", "Start date", dates, selected=start, width="100%"),
                ui.input_select("end", "End date (event or last follow-up)", dates, selected=end),
            )
        times = sc.time_choices(ds)
        if not times:
            return ui.div("No numeric column can be the time.", class_="alert alert-warning py-2")
        selected = sc.by_name(times, sc.TIME_WORDS, before["time"])
        return ui.input_select("time", "Follow-up time", times, selected=selected, width="100%")

    @render.ui
    def event_control():
        ds = dataset()
        if ds is None:
            return None
        choices = sc.event_choices(ds)
        if not choices:
            return ui.div(
                "No column can be the event: mark a status column as binary on the Data tab.",
                class_="alert alert-warning py-2",
            )
        with reactive.isolate():
            selected = sc.by_name(choices, sc.EVENT_WORDS, value_of("event"))
        return ui.input_select("event", "Event column", choices, selected=selected, width="100%")

    @render.ui
    def level_control():
        ds, event = dataset(), value_of("event")
        if ds is None or event not in (ds.columns if ds else {}):
            return None
        levels = list(ds.meta(event).levels)
        with reactive.isolate():
            previous = value_of("event_level")
        selected = previous if previous in levels else sc.default_event_level(levels)
        return ui.input_select(
            "event_level", "Value that means the event happened", levels, selected=selected
        )

    @render.ui
    def group_control():
        ds = dataset()
        if ds is None:
            return None
        choices = sc.group_choices(ds, exclude=[value_of("event")])
        with reactive.isolate():
            previous = value_of("group")
        selected = previous if previous in choices else sc.NO_GROUP
        return ui.input_select("group", "Compare groups", choices, selected=selected, width="100%")

    @render.ui
    def covariate_control():
        ds = dataset()
        if ds is None:
            return None
        used = [value_of(k) for k in ("time", "start", "end", "event", "group")]
        choices = sc.covariate_choices(ds, used)
        with reactive.isolate():
            kept = [c for c in (value_of("covariates") or ()) if c in choices]
        return ui.input_selectize(
            "covariates",
            "Cox model covariates (the group, if any, enters first)",
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
        result = await run_in_worker(logic.run, "survival", ds, spec)
        view = sv.make_view(result, ds, spec)
        return Finished(view, ds.fingerprint, time.perf_counter() - begin)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        ds = dataset()
        try:
            if ds is None:
                raise ValueError("There is no data yet: load a file on the Data tab.")
            spec = sc.build_spec(
                ds,
                mode=input.time_mode(),
                time=value_of("time"),
                start=value_of("start"),
                end=value_of("end"),
                event=value_of("event"),
                event_level=value_of("event_level"),
                group=value_of("group"),
                covariates=value_of("covariates") or (),
                conf_type=input.band(),
                effect_scale=input.effect_scale(),
            )
        except ValueError as exc:  # logic.AnalysisError is a ValueError
            note.set(("error", str(exc)))
            return
        started.set(time.monotonic())
        log.info("survival analysis requested: %d covariates", len(spec.covariates))
        analysis.invoke(ds, spec)

    watch_task(
        analysis,
        cancel=input.cancel,
        last=last,
        note=note,
        error_message=sv.error_message,
        again="Run analysis",
        has_result=has_result,
        keep=lambda result: tab.keep("survival", result),
    )

    # --- showing --------------------------------------------------------------------------
    @reactive.calc
    def view() -> sv.SurvivalView | None:
        finished = last()
        if finished is None:
            return None
        ds = dataset()
        return finished.view.relabel(ds.labels()) if ds is not None else finished.view

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
            return status_message("done", sv.done_text(view(), finished.seconds), extra)
        kept = "The last successful result is still shown below." if finished else ""
        return status_message(kind, text, kept if kind != "idle" else "")

    @render.ui
    def results():
        return sv.results_layout() if has_result() else None

    @render.ui
    def summary():
        v = view()
        return sv.summary_boxes(v) if v else None

    @render.ui
    def warnings():
        v = view()
        return sv.warnings_block(v.result.warnings) if v else None

    def plot_html(figure, div_id: str):
        return ui.div(HTML(figure_html(figure, div_id=div_id)), plotly_dependency())

    @render.ui
    def plot_out():
        v = view()
        if v is None:
            return None
        return plot_html(survival_figures.km_figure(v, input.show_band()), "survival-plot")

    @render.ui
    def risk_out():
        v = view()
        return survival_tables.risk_table(v) if v else None

    @render.ui
    def medians_out():
        v = view()
        return survival_tables.medians_table(v) if v else None

    @render.ui
    def hazards_out():
        v = view()
        if v is None:
            return None
        if not len(v.result.univariable):
            return ui.p("Choose a group or covariates to fit Cox models.", class_="text-muted mb-0")
        return survival_tables.hazard_table(v)

    @render.ui
    def ph_out():
        v = view()
        return survival_tables.ph_table(v) if v and len(v.result.ph_test) else None

    @render.ui
    def forest_out():
        v = view()
        if v is None or not survival_figures.has_forest(v):
            return ui.p("No hazard ratios to plot.", class_="text-muted mb-0")
        return plot_html(survival_figures.forest_figure(v), "survival-forest")

    def file_name(suffix: str) -> str:
        return f"{survival_report.file_stem(view(), dt.datetime.now())}_{suffix}"

    @render.download_button(filename=lambda: file_name("tables.csv"))
    def download_csv():
        yield survival_report.tables_csv(view())

    @render.download_button(filename=lambda: file_name("report.html"))
    async def download_html():
        yield await run_in_worker(survival_report.html_report, view())
