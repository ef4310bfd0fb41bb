"""The analysis-tab server: run, progress, cancel, the last success, stale marking, outputs.

One server for every analysis tab, driven by the tab's declaration (analysis_tab.py); its
controls are served by tab_settings.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from shiny import module, reactive, render, req, ui

import logic
from modules.shared import status
from modules.shared.analysis_tab import AnalysisTab, Download, file_name, results_layout
from modules.shared.background import run_in_worker, shares
from modules.shared.figure_download import serve_figure
from modules.shared.figure_labels import apply_labels
from modules.shared.inputs import SHOWN, read
from modules.shared.outputs import named_output
from modules.shared.script_download import script_downloads
from modules.shared.session_record import RERUN, SessionRecord
from modules.shared.session_state import TabState
from modules.shared.tab_settings import restorable, serve_settings, shown_differences
from modules.shared.table_downloads import StyleChoice, serve_table_downloads, table_downloads
from modules.shiny_patches.refresh import invalidate_later
from utils.dataset import NO_DATASET, Dataset
from utils.tab_codec import StoredRun

log = logging.getLogger(__name__)

NO_DATA = "There is no data yet: load a file on the Data tab."
WAITING = "Waiting for the settings on the page to reach the server…"
SHOWN_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class Finished:
    """A successful run: its view, and the spec, data and seconds it came from."""

    view: Any
    spec: Any
    fingerprint: str
    seconds: float


def _stored(finished: Finished) -> StoredRun:
    """What Redis keeps of a run: the result and spec its page is made from."""
    return StoredRun(finished.view.result, finished.spec, finished.fingerprint, finished.seconds)


def tab_server(tab: AnalysisTab) -> Callable[..., None]:
    """The tab's module server: call it as `server(id, dataset=..., tab=...)`."""

    @module.server
    def server(input, output, session, dataset, tab_state: TabState, record):
        _serve(tab, input, session, dataset, tab_state, record)

    def call(
        id: str,
        *,
        dataset: Callable[[], Dataset | None],
        tab: TabState,
        record: SessionRecord | None = None,
    ) -> None:
        server(id, dataset=dataset, tab_state=tab, record=record)

    return call


def _serve(
    tab: AnalysisTab, input, session, dataset, state: TabState, record: SessionRecord | None
) -> None:
    if not tab.needs_data:  # the tab computes from its settings alone, whatever is uploaded
        dataset = _no_data
    # Every tab's own downloads, then the script that redoes its tables (when one can be written).
    script = script_downloads(tab.analysis_kind, dataset, lambda: last().spec)
    tab = replace(tab, downloads=(*tab.downloads, *script))
    saved_key = f"{tab.name}.settings"
    csv_style = StyleChoice(input, state.saved(saved_key)) if tab.tables is not None else None
    kept = csv_style.kept if csv_style is not None else dict
    controls = serve_settings(
        tab.declared, input, dataset, state, saved_key, tab.view_options, extra=kept
    )
    settings, options, labels = controls.settings, controls.options, controls.labels

    # --- running ----------------------------------------------------------------------------
    saved = state.saved(tab.name)
    # From another worker (Redis) a run comes back as its result and spec: its page is made
    # again once the data it ran on is here (restored, or the same file uploaded again).
    pending = saved if isinstance(saved, StoredRun) else None
    saved = None if pending is not None else saved
    last: reactive.Value[Finished | None] = reactive.value(saved)
    note = reactive.value(("done", "") if saved is not None else ("idle", tab.idle))
    has_result = reactive.value(saved is not None)
    progress: dict[str, Any] = {"started": 0.0, "token": None, "ticket": None}

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
    async def analysis(ds: Dataset, spec: Any) -> Finished:
        token = logic.CancelToken()
        progress.update(started=time.monotonic(), token=token, ticket=None)
        begin = time.perf_counter()
        # A result in the cache is taken here, on the event loop (a dictionary look-up): it never
        # waits for a worker thread behind anyone's long work.
        result = logic.cached(tab.analysis_kind, ds, spec, owner=state.owner)
        if result is None:
            try:  # in this tab's and address's fair share of the pool; the rest wait in line
                result = await run_in_worker(
                    logic.run,
                    tab.analysis_kind,
                    ds,
                    spec,
                    cancel=token,
                    owner=state.owner,
                    fewer=tab.fewer,
                    share=state.share,
                    on_place=lambda ticket: progress.update(ticket=ticket),
                    short=logic.is_short(tab.analysis_kind, ds, spec),
                )
            except logic.Cancelled:  # stopped by Cancel or by the tab closing: a cancelled task
                raise asyncio.CancelledError from None
        view = tab.make_view(result, ds, spec)
        return Finished(view, spec, ds.fingerprint, time.perf_counter() - begin)

    @reactive.effect
    def _restore_pending():
        nonlocal pending
        if pending is None:
            return
        ds = dataset()
        if ds is None or ds.fingerprint != pending.fingerprint:
            return
        run, pending = pending, None
        with reactive.isolate():
            if last() is not None:  # a run made since: it wins
                return
            try:
                view = tab.make_view(run.result, ds, run.spec)
            except Exception:  # a result this version cannot show: as if there were none
                log.exception("%s: a restored result could not be shown", tab.name)
                return
            finished = Finished(view, run.spec, run.fingerprint, run.seconds)
            last.set(finished)
            state.keep(tab.name, finished, _stored(finished))
            has_result.set(True)
            note.set(("done", ""))

    def cancel_running() -> None:
        token = progress["token"]
        if token is not None:
            token.cancel()

    session.on_ended(cancel_running)  # a closed tab's work stops with it

    # A Run runs with exactly what the page shows. The page sends, with each click, what its
    # controls stand at (www/run_shown.js). While the server's settings differ (a value still
    # on its way: a box's typing is sent after a pause) the run waits for them; if they still
    # differ after SHOWN_WAIT_SECONDS (the server could not take a value) nothing is run and
    # the user is told which control to check.
    requested: reactive.Value[Requested | None] = reactive.value(None)

    @reactive.effect
    @reactive.event(input.run, ignore_init=True)  # a reconnected page resends its clicks
    def _run():
        shown = read(input, "run_shown", SHOWN)
        values = shown.get("values") if shown is not None else None
        requested.set(Requested(values, time.monotonic() + SHOWN_WAIT_SECONDS))

    @reactive.effect
    def _start():
        request = requested()
        if request is None:
            return
        s = settings()
        differ = shown_differences(tab.declared, s, request.shown)
        if differ:
            left = request.until - time.monotonic()
            if left > 0:
                invalidate_later(left)
                note.set(("waiting", WAITING))
                return
            requested.set(None)
            note.set(("error", not_shown(differ, tab.run_label)))
            return
        requested.set(None)
        spec, problem = current_spec()
        if spec is None:
            note.set(("error", problem))
            return
        log.info("%s analysis requested", tab.name)
        with reactive.isolate():
            analysis.invoke(s.ds, spec)

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel():
        requested.set(None)
        cancel_running()
        analysis.cancel()

    @reactive.effect
    def _collect():
        state_now = analysis.status()
        ui.update_action_button("cancel", disabled=state_now != "running")
        if state_now == "success":
            finished = analysis.result()
            last.set(finished)
            state.keep(tab.name, finished, _stored(finished))
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

    @named_output("status")
    def _status():
        if analysis.status() == "running":
            invalidate_later(1)
            waited = time.monotonic() - progress["started"]
            token, ticket = progress["token"], progress.get("ticket")
            doing = token.progress if token is not None else ""
            waiting = ticket is not None and not ticket.running
            ahead = shares().ahead(ticket) if waiting else 0
            return status.status_running(waited, waiting=waiting, ahead=ahead, doing=doing)
        kind, text = note()
        finished = last()
        if kind == "done" and finished is not None:
            return status.status_message("done", tab.done_text(view(), finished.seconds))
        kept = "The last successful result is still shown below." if finished else ""
        return status.status_message(kind, text, kept if kind != "idle" else "")

    @named_output("stale")
    def _stale():
        why = stale()
        return status.stale_banner(why, tab.run_label) if why else None

    @named_output("results")
    def _results():
        return results_layout(tab) if has_result() else None

    for card in tab.cards:
        if card.figure is not None:
            _render_figure(tab, card, input, state, view, lambda: not stale(), record)
        else:
            _render_output(card.output, card.build, view)

    # --- the session's record and a project's restore ----------------------------------------
    if record is not None:
        record.register(
            tab.name,
            kind=tab.analysis_kind,
            declaration=tab,
            last=last,
            view=view,
            stale=stale,
            settings=lambda: {**restorable(tab.declared, settings()), **kept()},
        )
    if state.saved(f"{tab.name}.{RERUN}"):
        _rerun_once(tab, state, current_spec, settings, analysis)

    downloads = (*table_downloads(tab), *tab.downloads)

    @named_output("downloads")
    def _downloads():
        if stale():
            return status.downloads_off(downloads, tab.run_label)
        buttons = ui.div(
            *[ui.download_button(d.id, d.label, class_="btn-outline-primary") for d in downloads],
            class_="d-flex gap-2 flex-wrap",
        )
        if csv_style is None:
            return buttons
        return ui.TagList(buttons, ui.div(csv_style.draw(dataset()), class_="mt-2"))

    for d in tab.downloads:
        _download(tab, d, view)
    serve_table_downloads(tab, input, view, dataset)


@dataclass(frozen=True, eq=False)  # each click is its own request, equal or not
class Requested:
    """A Run pressed: what the page's controls showed (None from an older page), and until
    when the server's settings may still catch up with them."""

    shown: Any
    until: float


def not_shown(controls: list[str], run_label: str) -> str:
    """Why a Run was not made: the server could not take what the page shows."""
    names = ", ".join(f"'{c}'" for c in controls)
    return (
        f"Nothing was run: the server's settings differ from the page's ({names}); the page "
        f"may have been redrawing them. Check the settings and press {run_label} again."
    )


def _no_data() -> Dataset:
    return NO_DATASET


def _rerun_once(tab: AnalysisTab, state: TabState, current_spec, settings, analysis) -> None:
    """A project was opened: run once with its settings (a cached result comes back at once)."""
    pending = [True]

    @reactive.effect
    def _rerun():
        if not pending[0]:
            return
        spec, _ = current_spec()
        if spec is None:  # not buildable (yet): the user sees why and can press Run
            return
        pending[0] = False
        state.keep(f"{tab.name}.{RERUN}", False)
        log.info("%s run again for an opened project", tab.name)
        with reactive.isolate():
            analysis.invoke(settings().ds, spec)


def _render_output(output_id: str, build: Callable, view: Callable) -> None:
    @named_output(output_id)
    def _draw():
        v = view()
        return build(v) if v is not None else None


def _render_figure(
    tab: AnalysisTab, card, input, state: TabState, view, current, record=None
) -> None:
    """A figure card: the figure with the user's words (registered with the session's record,
    for the project file), and its download panel."""
    declared = card.figure

    @reactive.calc
    def figure():
        v = view()
        return declared.build(v) if v is not None else None

    edits = serve_figure(
        declared.key,
        figure,
        lambda: declared.stem(view()),
        input,
        state,
        f"{tab.name}.figure.{declared.key}",
        enabled=current,
        width=declared.width,
    )
    if record is not None:
        record.register_figure(f"{tab.name}.figure.{declared.key}", edits)

    @named_output(card.output)
    def _draw():
        v = view()
        if v is None:
            return None
        fig = figure()
        return card.build(v, apply_labels(fig, edits()) if fig is not None else None)


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
