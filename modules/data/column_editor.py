"""The Data tab's column editor on the server: one page of columns drawn, every edit kept.

The editor used to draw an input per column and read them all on every change, all on the event
loop every user shares: 3.7 ms a column, a minute for 16,000. Now it draws a page of
column_pages.PAGE_SIZE columns (a file that fits on one page looks as before), a search box
finds a column by name or label, and the user's kinds and labels are kept by column name as
they are made, so leaving a page loses nothing. Applying the edits costs one pass over the
edited columns, not over the file.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from htmltools import TagChild, tags
from shiny import reactive, render, ui

from modules.data import column_pages as cp
from modules.data import view as data_view
from modules.shared.formatting import fmt_count
from modules.shared.inputs import NUMBER, TEXT, read
from utils.dataset import KINDS, Dataset
from utils.dataset_edits import with_edits

Edits = dict[str, tuple[str | None, str | None]]  # column name -> (kind, label) the user chose


def editor_card_body() -> TagChild:
    """The search and pager (drawn only for a wide file), the line saying what is shown, the
    table."""
    return ui.TagList(
        ui.output_ui("column_tools"),
        ui.output_ui("column_showing"),
        ui.output_ui("columns"),
    )


def tools(total: int) -> TagChild:
    """Search box, previous/next and the page number, for a file wider than a page."""
    if not cp.is_paged(total):
        return None
    pages = -(-total // cp.PAGE_SIZE)
    return tags.div(
        ui.input_text(
            "column_search",
            None,
            placeholder="Search columns by name or label",
            width="320px",
        ),
        ui.input_action_button("column_prev", "‹ Previous", class_="btn-sm btn-outline-secondary"),
        ui.input_numeric("column_page", None, 1, min=1, max=pages, step=1, width="110px"),
        ui.input_action_button("column_next", "Next ›", class_="btn-sm btn-outline-secondary"),
        class_="d-flex align-items-center gap-2 flex-wrap mb-2",
        id="column-tools",
    )


@dataclass(frozen=True)
class ColumnEditor:
    """What the editor gives the Data tab: the edited dataset (and the kinds it refused, as
    (column, kept kind, why)), and the names of the columns on the page shown."""

    edited: Callable[[], tuple[Dataset | None, list[tuple[str, str, str]]]]
    page_columns: Callable[[], list[str]]


def collect_edits(
    dataset: Dataset,
    generation: int,
    positions: Sequence[int],
    sent: Callable[[str], Any],
    edits: Edits,
) -> Edits:
    """The edits with those of the page shown (`positions`) updated from its inputs (`sent`
    reads one; None: not sent yet). Other pages' edits are kept as they are; a column set back
    to its detected kind and label has no edit."""
    names = list(dataset.columns)
    current = dict(edits)
    for i in positions:
        name, meta = names[i], dataset.meta(names[i])
        kind = sent(data_view.kind_input_id(generation, i))
        label = sent(data_view.label_input_id(generation, i))
        kept_kind, kept_label = current.get(name, (None, None))
        if kind in KINDS:
            kept_kind = kind if kind != meta.kind else None
        if label is not None:
            text = " ".join(str(label).split())
            kept_label = text if text and text != meta.label else None
        if (kept_kind, kept_label) == (None, None):
            current.pop(name, None)
        else:
            current[name] = (kept_kind, kept_label)
    return current


def _editor_html(dataset: Dataset, generation: int, positions: Sequence[int], edits: Edits) -> str:
    """The editor's rows as HTML (plain inputs: no dependencies beyond the page's own)."""
    return str(data_view.column_editor(dataset, generation, positions, edits))


def serve_column_editor(
    input: Any,
    base: Callable[[], Dataset | None],
    generation: Callable[[], int],
) -> ColumnEditor:
    """Register the editor's outputs in the current module session (ids as before, so a narrow
    file's page is unchanged). A page of the editor is built in a thread of asyncio's own pool,
    not the analyses' (paging never waits behind a fit, the tab's own included): 50 rows of
    inputs are ~1,000 tags, 80-120 ms of the event loop's time on this host when built there."""
    edits: reactive.Value[Edits] = reactive.value({})
    page = reactive.value(1)
    drawn: set[int] = set()  # positions of the columns drawn since the data came

    @reactive.effect
    def _new_data():
        base(), generation()
        with reactive.isolate():
            edits.set({})
            page.set(1)
            drawn.clear()

    @reactive.calc
    def keys() -> tuple[str, ...]:
        dataset = base()
        if dataset is None:
            return ()
        names = list(dataset.columns)
        return cp.search_keys(names, [dataset.label(n) for n in names])

    @reactive.calc
    def query() -> str:
        return str(read(input, "column_search", TEXT) or "") if cp.is_paged(len(keys())) else ""

    @reactive.calc
    def shown() -> cp.ColumnPage:
        return cp.page_of(keys(), query(), page())

    @reactive.effect
    @reactive.event(query, ignore_init=True)
    def _search():
        _go(1)

    @reactive.effect
    @reactive.event(input.column_prev, ignore_init=True)
    def _prev():
        _go(shown().page - 1)

    @reactive.effect
    @reactive.event(input.column_next, ignore_init=True)
    def _next():
        _go(shown().page + 1)

    @reactive.effect
    @reactive.event(input.column_page, ignore_init=True)
    def _typed_page():
        _go(read(input, "column_page", NUMBER), echo=False)

    def _go(number: object, echo: bool = True) -> None:
        with reactive.isolate():
            wanted = cp.page_of(keys(), query(), number).page  # clamped
            page.set(wanted)
            if echo or wanted != number:
                ui.update_numeric("column_page", value=wanted)

    @reactive.effect
    def _collect():
        # Only the inputs of pages drawn are read: a change costs the pages the user opened,
        # not the file. A page left is still read: a label typed just before Next arrives late.
        dataset, gen, view = base(), generation(), shown()
        if dataset is None:
            return
        with reactive.isolate():
            before = edits()
        positions = sorted(drawn.union(view.positions))
        current = collect_edits(dataset, gen, positions, lambda i: read(input, i, TEXT), before)
        with reactive.isolate():
            if current != before:
                edits.set(current)

    @reactive.calc
    def edited() -> tuple[Dataset | None, list[tuple[str, str, str]]]:
        dataset = base()
        if dataset is None:
            return None, []
        chosen = edits()
        kinds = {name: kind for name, (kind, _) in chosen.items() if kind}
        labels = {name: label for name, (_, label) in chosen.items() if label}
        return with_edits(dataset, kinds, labels)

    @reactive.effect
    def _refuse_kinds():
        # The select snaps back to the kind in use, the edit is dropped, the reason shown once.
        refused = edited()[1]
        if not refused:
            return
        dataset, gen = base(), generation()
        positions = {name: i for i, name in enumerate(dataset.columns)} if dataset else {}
        with reactive.isolate():
            current = dict(edits())
            for name, kind, reason in refused:
                kept_label = current.pop(name, (None, None))[1]
                if kept_label:
                    current[name] = (None, kept_label)
                ui.update_select(data_view.kind_input_id(gen, positions[name]), selected=kind)
                ui.notification_show(f"Kind not changed: {reason}", type="warning", duration=10)
            edits.set(current)

    @render.ui
    def column_tools():
        dataset = base()
        generation()
        return tools(len(dataset.columns)) if dataset is not None else None

    @render.ui
    def column_showing():
        view = shown()
        if not cp.is_paged(view.total):
            return None
        edited = len(edits())
        kept = (
            f" · {fmt_count(edited)} edited column{'s' if edited != 1 else ''} kept"
            if edited
            else ""
        )
        return tags.p(
            cp.showing_text(view),
            tags.span(
                f" · page {fmt_count(view.page)} of {fmt_count(view.pages)}{kept}",
                class_="text-muted",
            ),
            class_="small mb-2",
            id="column-showing",
            role="status",
        )

    @render.ui
    async def columns():
        dataset, gen, view = base(), generation(), shown()
        if dataset is None:
            return None
        with reactive.isolate():  # drawn with the edits, but an edit never redraws the inputs
            chosen = edits()
        drawn.update(view.positions)
        page = await asyncio.to_thread(_editor_html, dataset, gen, view.positions, chosen)
        return ui.HTML(page)

    @reactive.calc
    def page_columns() -> list[str]:
        dataset = base()
        if dataset is None:
            return []
        names = list(dataset.columns)
        return [names[i] for i in shown().positions]

    return ColumnEditor(edited, page_columns)
