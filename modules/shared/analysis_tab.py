"""The analysis-tab framework: a tab declares what is its own, the framework does the rest.

A tab (modules/<tab>/tab.py) declares an AnalysisTab: its controls, how they make its spec
(through logic, the one home of validation), how a result becomes its view, the cards that
draw the view and its downloads. This file holds the declaration and the page; the server is
tab_server.py (running, showing) with tab_settings.py (the controls). The framework owns
everything a user relies on in every tab:

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

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from htmltools import TagChild
from shiny import module, ui

from modules.shared.controls import Control, Settings, warm
from modules.shared.csv_safety import BOM
from modules.shared.figure_download import FigureOut
from modules.shared.figures import plot_div
from modules.shared.session_state import TabState
from modules.shared.status import warnings_block
from modules.shared.tab_settings import control_output_id
from modules.shared.table_doc import TableDoc
from utils.dataset import Dataset


@dataclass(frozen=True)
class Download:
    """One download of a tab: `build(view)` gives the file's text or bytes.

    `slow` builds it in the worker pool (reports that carry plotly.js inline)."""

    id: str
    label: str
    suffix: str
    build: Callable[[Any], str | bytes]
    slow: bool = False


def report_download(report: Callable[[Any], str]) -> Download:
    """The self-contained HTML report of a tab (its tables' Word and CSV are the framework's)."""
    return Download("download_html", "Report (HTML)", "report.html", report, slow=True)


def all_numbers_download(csv: Callable[[Any], str]) -> Download:
    """Every table of a result in long form, unrounded (for re-plotting or checking elsewhere);
    the tables as shown are the framework's Word and CSV downloads."""
    return Download(
        "download_long_csv",
        "All numbers, unrounded (CSV)",
        "all_numbers.csv",
        lambda view: BOM + csv(view),  # a byte-order mark, as every CSV download
    )


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
    (no card when title is None: value boxes, warnings).

    A card with a `figure` is drawn by `build(view, fig)`, fig being the figure with the user's
    words (None when the view has none), and gets the framework's "Download figure" panel."""

    output: str
    title: str | None
    build: Callable[..., TagChild]
    full_screen: bool = False
    figure: FigureOut | None = None


def plot_card(
    output: str,
    title: str,
    figure: Callable[[Any], Any],
    div_id: str,
    container: str | None = None,
    stem: Callable[[Any], Sequence[str]] | None = None,
    width: str = "single",
) -> Card:
    """A card that shows one plotly figure of the view (drawn offline, as every figure) with
    its download panel; `stem(view)` gives the words of the file name (else the card's title),
    `width` the journal width offered first ("double" for two panels side by side)."""
    return Card(
        output,
        title,
        lambda view, fig: plot_div(fig, div_id, container) if fig is not None else None,
        True,
        figure=FigureOut(output, figure, stem or (lambda view: (title,)), width),
    )


def figure_card(
    output: str,
    title: str,
    figure: Callable[[Any], Any],
    stem: Callable[[Any], Sequence[str]],
    draw: Callable[[Any, Any], TagChild],
    full_screen: bool = True,
) -> Card:
    """A card around a figure drawn with more than the plot (`draw(view, fig)`: a risk table
    under the curves, a note when there is no figure), with the download panel."""
    return Card(output, title, draw, full_screen, figure=FigureOut(output, figure, stem))


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
    downloads (the date and suffix are added). `tables(view)` gives the tab's publishable
    tables (table_doc.py), drawn from the same formatted values as the screen: the framework
    then offers them as one Word file and as wide CSV (table_downloads.py). `needs_data=False`
    makes a tab that works without an upload (Sample size): it sees `utils.dataset.NO_DATASET`,
    an empty Dataset with a constant fingerprint, so its settings, runs, cache keys and stale
    marking work as usual.
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
    tables: Callable[[Any], Sequence[TableDoc]] | None = None
    needs_data: bool = True

    def ui(self, id: str) -> TagChild:
        """The tab's page under module id `id` (app.py)."""
        return tab_ui(self)(id)

    def server(
        self,
        id: str,
        *,
        dataset: Callable[[], Dataset | None],
        tab: TabState,
        record: Any = None,
    ) -> None:
        """The tab's server under module id `id`, fed the current dataset (app.py); `record`
        (a SessionRecord) lists its last success for the session's methods, paper, project."""
        from modules.shared.tab_server import tab_server  # the server needs these declarations

        tab_server(self)(id, dataset=dataset, tab=tab, record=record)

    def warm(self, ds: Dataset) -> None:
        """Work out, off the event loop, what the controls offer for new data (controls.warm)."""
        if self.needs_data:
            warm(self.declared, ds)

    @property
    def analysis_kind(self) -> str:
        return self.kind or self.name

    @property
    def declared(self) -> list[Control]:
        return [c for c in self.controls if hasattr(c, "resolve")]


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
        ui.card(
            ui.card_header(c.title),
            ui.output_ui(c.output),
            ui.output_ui(f"{c.output}_panel") if c.figure is not None else None,
            full_screen=c.full_screen,
        )
        if c.title
        else ui.div(ui.output_ui(c.output), ui.output_ui(f"{c.output}_panel"), class_="mb-3")
        if c.figure is not None  # an untitled figure card draws its own card; the panel under it
        else ui.output_ui(c.output)
        for c in tab.cards
    ]
    note = ui.p(tab.downloads_note, class_="small text-muted mb-0") if tab.downloads_note else None
    return ui.TagList(*cards, ui.card(ui.card_header("Downloads"), ui.output_ui("downloads"), note))


def file_name(stem: str, suffix: str, when: dt.datetime) -> str:
    """medstat_<what>_<date>_<suffix>, safe on every system."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", stem).strip("_")[:80] or "medstat"
    return f"{safe}_{when:%Y-%m-%d}_{suffix}"
