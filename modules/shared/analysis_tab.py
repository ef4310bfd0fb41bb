"""The one analysis-tab server: a tab declares what is its own, this file does the rest.

A tab (modules/<tab>/tab.py) declares an AnalysisTab: its controls, how they make its spec
(through logic, the one home of validation), how a result becomes its view, the outputs that
draw the view and its downloads. The framework owns everything a user relies on in every tab:

- controls drawn from the settings they stand at, redrawn only when what they offer changes,
  remembered for a reload, and restored with the tab;
- Run off the event loop, at most `settings.session_analyses` runs per browser tab at once,
  progress while it runs, Cancel that stops the computation itself (not just the wait);
- the last success kept when a later run fails or is cancelled, and restored after a reconnect;
- a result never outlives its settings silently: when the data or any setting differs from what
  produced it, the result is marked out of date and its downloads are off until Run;
- status lines, error wording and file names.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from htmltools import TagChild
from shiny import module, reactive, render, req, ui

import logic
from modules.shared import status
from modules.shared.background import run_in_worker
from modules.shared.controls import MISSING, Control, PerColumn, Raw, Settings, resolve
from modules.shared.figures import plot_div
from modules.shared.session_state import TabState
from modules.shared.status import warnings_block
from modules.shiny_patches.refresh import invalidate_later
from utils.dataset import Dataset

log = logging.getLogger(__name__)

NO_DATA = "There is no data yet: load a file on the Data tab."
NO_DATA_YET = "Load data on the Data tab first."


@dataclass(frozen=True)
class Download:
    """One download of a tab: `build(view)` gives the file's text or bytes.

    `slow` builds it in the worker pool (reports that carry plotly.js inline)."""

    id: str
    label: str
    suffix: str
    build: Callable[[Any], str | bytes]
    slow: bool = False


def csv_and_report(
    csv: Callable[[Any], str],
    report: Callable[[Any], str],
    *,
    csv_label: str = "Tables (CSV)",
    csv_suffix: str = "tables.csv",
) -> tuple[Download, Download]:
    """The two downloads most tabs offer: the tables as CSV and a self-contained HTML report."""
    return (
        Download("download_csv", csv_label, csv_suffix, csv),
        Download("download_html", "Report (HTML)", "report.html", report, slow=True),
    )


@dataclass(frozen=True)
class Card:
    """One output of the results: `build(view)` draws it inside a card with `title`
    (no card when title is None: value boxes, warnings)."""

    output: str
    title: str | None
    build: Callable[[Any], TagChild]
    full_screen: bool = False


def plot_card(
    output: str, title: str, figure: Callable[[Any], Any], div_id: str, container: str | None = None
) -> Card:
    """A card that shows one plotly figure of the view (drawn offline, as every figure)."""
    return Card(output, title, lambda view: plot_div(figure(view), div_id, container), True)


def warnings_card(element_id: str = "warnings-list", empty: str | None = "No warnings.") -> Card:
    """The analysis's plain-language warnings, above the results (serious ones first)."""
    return Card(
        "warnings",
        None,
        lambda view: warnings_block(view.result.warnings, element_id=element_id, empty=empty),
    )


@dataclass(frozen=True)
class AnalysisTab:
    """What makes one analysis tab itself; everything else is the framework's.

    `build_spec(settings)` raises ValueError (logic.AnalysisError) with a sentence for the user.
    `make_view(result, dataset, spec)` gives the view the cards draw; a view has `labels`
    and `relabel(labels)`. `view_options(settings)` are the settings that change only how a
    result is shown (never its spec); `with_options(view, options)` applies them, without
    running again, to what the cards and downloads show. `file_stem(view)` names the
    downloads (the date and suffix are added).
    """

    name: str
    run_label: str
    idle: str
    controls: Sequence[Control | TagChild]
    build_spec: Callable[[Settings], Any]
    make_view: Callable[[Any, Dataset, Any], Any]
    done_text: Callable[[Any, float], str]
    cards: Sequence[Card]
    downloads: Sequence[Download]
    file_stem: Callable[[Any], str]
    title: str = "Analysis settings"
    what: str = "The analysis"  # names the analysis in a failed run's message
    fewer: str = "covariates"  # what to choose fewer of when memory runs short
    view_options: Callable[[Settings], Any] = lambda s: None
    with_options: Callable[[Any, Any], Any] = lambda view, options: view
    downloads_note: str | None = None
    sidebar_width: int = 360
    kind: str = ""

    def ui(self, id: str) -> TagChild:
        """The tab's page under module id `id` (app.py)."""
        return tab_ui(self)(id)

    def server(self, id: str, *, dataset: Callable[[], Dataset | None], tab: TabState) -> None:
        """The tab's server under module id `id`, fed the current dataset (app.py)."""
        tab_server(self)(id, dataset=dataset, tab=tab)

    @property
    def analysis_kind(self) -> str:
        return self.kind or self.name

    @property
    def declared(self) -> list[Control]:
        return [c for c in self.controls if hasattr(c, "resolve")]


@dataclass(frozen=True)
class Finished:
    """A successful run: its view, the spec and data it came from, its settings, its time."""

    view: Any
    spec: Any
    fingerprint: str
    seconds: float
    settings: Mapping[str, Any] = field(default_factory=dict)


def control_output_id(control_id: str) -> str:
    return f"{control_id}_control"


def tab_ui(tab: AnalysisTab) -> Callable[[str], TagChild]:
    """The tab's page: its controls in the sidebar; Run, Cancel, status and results beside."""

    @module.ui
    def page():
        controls = [
            ui.output_ui(control_output_id(c.id)) if hasattr(c, "resolve") else c
            for c in tab.controls
        ]
        return ui.layout_sidebar(
            ui.sidebar(
                ui.output_ui("no_data"), *controls, width=tab.sidebar_width, title=tab.title
            ),
            ui.div(
                ui.input_task_button(
                    "run", tab.run_label, label_busy="Running…", class_="btn-primary"
                ),
                ui.input_action_button(
                    "cancel", "Cancel", class_="btn-outline-secondary", disabled=True
                ),
                class_="d-flex gap-2 mb-2",
            ),
            ui.output_ui("status"),
            ui.output_ui("stale", class_="medstat-stale-slot"),
            ui.div(ui.output_ui("results"), class_="medstat-results"),
        )

    return page


def results_layout(tab: AnalysisTab) -> TagChild:
    """The result cards in order, then the downloads (drawn by the framework)."""
    cards = [
        ui.card(ui.card_header(c.title), ui.output_ui(c.output), full_screen=c.full_screen)
        if c.title
        else ui.output_ui(c.output)
        for c in tab.cards
    ]
    note = ui.p(tab.downloads_note, class_="small text-muted mb-0") if tab.downloads_note else None
    return ui.TagList(*cards, ui.card(ui.card_header("Downloads"), ui.output_ui("downloads"), note))


def file_name(stem: str, suffix: str, when: dt.datetime) -> str:
    """medstat_<what>_<date>_<suffix>, safe on every system."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_")[:80] or "medstat"
    return f"{safe}_{when:%Y-%m-%d}_{suffix}"


def tab_server(tab: AnalysisTab) -> Callable[..., None]:
    """The tab's module server: call it as `server(id, dataset=..., tab=...)`."""

    @module.server
    def server(input, output, session, dataset: Callable[[], Dataset | None], tab_state: TabState):
        _serve(tab, input, session, dataset, tab_state)

    def call(id: str, *, dataset: Callable[[], Dataset | None], tab: TabState) -> None:
        server(id, dataset=dataset, tab_state=tab)

    return call


def _serve(tab: AnalysisTab, input, session, dataset, state: TabState) -> None:
    controls = tab.declared
    saved_key = f"{tab.name}.settings"
    # What a restored tab's controls stood at: used until the page sends its own values.
    remembered: dict[str, Any] = dict(state.saved(saved_key) or {})

    def sent(input_id: str) -> Any:
        return input[input_id]() if input_id in input else MISSING

    raw = Raw(sent, remembered)

    @reactive.calc
    def settings() -> Settings:
        return resolve(controls, dataset(), raw)

    # What each control offers (and the view options, the labels) change far less often than
    # the settings: these values are set only when they really differ, so a control is drawn
    # again only when its choices change, and a plot only when its view does.
    shapes = {c.id: reactive.value(None) for c in controls}
    options = reactive.value(None)
    labels: reactive.Value[dict[str, str]] = reactive.value({})

    @reactive.effect
    def _track():
        s = settings()
        for c in controls:
            shape = c.shape(s)
            with reactive.isolate():
                if shapes[c.id]() != shape:
                    shapes[c.id].set(shape)
        new_options = tab.view_options(s)
        new_labels = s.ds.labels() if s.ds is not None else {}
        with reactive.isolate():
            if options() != new_options:
                options.set(new_options)
            if labels() != new_labels:
                labels.set(new_labels)
        state.keep(saved_key, _restorable(controls, s))

    for control in controls:
        _render_control(control, shapes[control.id], settings)

    @_output("no_data")
    def _no_data():
        return None if dataset() is not None else ui.p(NO_DATA_YET, class_="text-muted")

    # --- running ----------------------------------------------------------------------------
    saved = state.saved(tab.name)
    last: reactive.Value[Finished | None] = reactive.value(saved)
    note = reactive.value(("done", "") if saved is not None else ("idle", tab.idle))
    has_result = reactive.value(saved is not None)
    progress = {"started": 0.0, "phase": "", "token": None}

    @reactive.calc
    def current_spec() -> tuple[Any, str]:
        s = settings()
        if s.ds is None:
            return None, NO_DATA
        try:
            return tab.build_spec(s), ""
        except ValueError as exc:  # logic.AnalysisError is a ValueError
            return None, str(exc)

    @ui.bind_task_button(button_id="run")
    @reactive.extended_task
    async def analysis(ds: Dataset, spec: Any, values: dict) -> Finished:
        token = logic.CancelToken()
        progress.update(started=time.monotonic(), phase="waiting", token=token)
        async with state.work_slots:  # a few at once per browser tab; the rest wait here
            token.check()
            progress["phase"] = "running"
            begin = time.perf_counter()
            try:
                result = await run_in_worker(
                    logic.run, tab.analysis_kind, ds, spec, cancel=token, owner=state.owner
                )
            except logic.Cancelled:  # stopped by Cancel or by the tab closing: a cancelled task
                raise asyncio.CancelledError from None
        view = tab.make_view(result, ds, spec)
        return Finished(view, spec, ds.fingerprint, time.perf_counter() - begin, values)

    def cancel_running() -> None:
        token = progress["token"]
        if token is not None:
            token.cancel()

    session.on_ended(cancel_running)  # a closed tab's work stops with it

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        spec, problem = current_spec()
        if spec is None:
            note.set(("error", problem))
            return
        s = settings()
        log.info("%s analysis requested", tab.name)
        analysis.invoke(s.ds, spec, dict(s.values))

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel():
        cancel_running()
        analysis.cancel()

    @reactive.effect
    def _collect():
        state_now = analysis.status()
        ui.update_action_button("cancel", disabled=state_now != "running")
        if state_now == "success":
            finished = analysis.result()
            last.set(finished)
            state.keep(tab.name, finished)
            with reactive.isolate():
                if not has_result():
                    has_result.set(True)
            note.set(("done", ""))
        elif state_now == "cancelled":
            note.set(
                ("cancelled", f"Cancelled. The settings are kept; press {tab.run_label} again.")
            )
        elif state_now == "error":
            try:
                analysis.result()
            except Exception as exc:  # every failure becomes a sentence; the server carries on
                note.set(("error", status.error_message(exc, what=tab.what, fewer=tab.fewer)))

    # --- showing ----------------------------------------------------------------------------
    @reactive.calc
    def view() -> Any:
        finished = last()
        if finished is None:
            return None
        current = labels()
        kept = dict(finished.view.labels)
        kept.update({k: v for k, v in current.items() if k in kept})
        return tab.with_options(finished.view.relabel(kept), options())

    @reactive.calc
    def stale() -> str:
        """Why the result on screen no longer matches the controls ('' when it does)."""
        finished = last()
        if finished is None:
            return ""
        ds = dataset()
        if ds is None or ds.fingerprint != finished.fingerprint:
            return "The data changed since this result was made."
        spec, _ = current_spec()
        if spec != finished.spec:
            return "Settings changed since this result was made."
        return ""

    @_output("status")
    def _status():
        if analysis.status() == "running":
            invalidate_later(1)
            waited = time.monotonic() - progress["started"]
            return status.status_running(waited, waiting=progress["phase"] == "waiting")
        kind, text = note()
        finished = last()
        if kind == "done" and finished is not None:
            return status.status_message("done", tab.done_text(view(), finished.seconds))
        kept = "The last successful result is still shown below." if finished else ""
        return status.status_message(kind, text, kept if kind != "idle" else "")

    @_output("stale")
    def _stale():
        why = stale()
        return status.stale_banner(why, tab.run_label) if why else None

    @_output("results")
    def _results():
        return results_layout(tab) if has_result() else None

    for card in tab.cards:
        _render_output(card.output, card.build, view)

    @_output("downloads")
    def _downloads():
        if stale():
            return status.downloads_off(tab.downloads, tab.run_label)
        return ui.div(
            *[
                ui.download_button(d.id, d.label, class_="btn-outline-primary")
                for d in tab.downloads
            ],
            class_="d-flex gap-2 flex-wrap",
        )

    for d in tab.downloads:
        _download(tab, d, view)


def _restorable(controls: Sequence[Control], s: Settings) -> dict[str, Any]:
    """The settings by input id, as a reloaded page's controls should stand."""
    out: dict[str, Any] = {}
    for c in controls:
        value = s[c.id]
        if isinstance(c, PerColumn):
            out.update({c.input_id(column): v for column, v in (value or {}).items()})
        out[c.id] = value
    return out


def _output(output_id: str) -> Callable[[Callable], Any]:
    """render.ui under an explicit output id (Shiny takes the id from the function's name)."""

    def register(fn: Callable) -> Any:
        fn.__name__ = output_id
        return render.ui(fn)

    return register


def _render_control(control: Control, shape: reactive.Value, settings: Callable) -> None:
    @_output(control_output_id(control.id))
    def _draw():
        shape()  # drawn again only when what the control offers changes
        with reactive.isolate():
            return control.render(settings())


def _render_output(output_id: str, build: Callable, view: Callable) -> None:
    @_output(output_id)
    def _draw():
        v = view()
        return build(v) if v is not None else None


def _download(tab: AnalysisTab, d: Download, view: Callable) -> None:
    def name() -> str:
        return file_name(tab.file_stem(view()), d.suffix, dt.datetime.now())

    if d.slow:

        async def handler():
            req(view())
            yield await run_in_worker(d.build, view())
    else:

        def handler():
            req(view())
            yield d.build(view())

    handler.__name__ = d.id
    render.download_button(filename=name)(handler)
