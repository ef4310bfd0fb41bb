"""The value-labels card of the Data tab: what each code of a column means (1 -> Male).

Its own module, apart from the column editor: the labels typed become one step of the
cleaning history (modules/shared/cleaning_steps.py), so every analysis tab shows them, the
Data cleaning tab lists them and can undo them, the recode map has them, and a reload keeps
them. The editor shows the column's values as they are after the steps so far.
"""

from __future__ import annotations

import pandas as pd
from htmltools import Tag, tags
from shiny import module, reactive, render, ui

import logic
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.inputs import TEXT, read
from modules.shared.settled import settled
from modules.shared.wide_select import column_select
from prep.steps import Proposal
from utils.data_error import DataError
from utils.dataset import FACTOR_KINDS, Dataset


def label_id(gen: int, i: int) -> str:
    return f"vl_{gen}_{i}"


def coded_columns(dataset: Dataset) -> dict[str, str]:
    """Columns of codes or groups (binary, categorical), name -> label."""
    return {n: m.label for n, m in dataset.columns.items() if m.kind in FACTOR_KINDS}


def editor_table(levels: tuple[str, ...], counts: pd.DataFrame, gen: int) -> Tag:
    """One row per value: rows with it, and a box for its label (blank keeps the value)."""
    rows_of = dict(zip(counts["group"], counts["n"]))
    rows = [
        tags.tr(
            tags.td(tags.code(value)),
            tags.td(f"{int(rows_of.get(value, 0)):,}", class_="text-end"),
            tags.td(ui.input_text(label_id(gen, i), None, placeholder=value, width="100%")),
        )
        for i, value in enumerate(levels)
    ]
    return tags.table(
        tags.thead(tags.tr(tags.th("Value"), tags.th("Rows"), tags.th("Means (label)"))),
        tags.tbody(*rows),
        class_="table table-sm align-middle w-auto",
        id="value-labels-table",
    )


@module.ui
def value_labels_ui():
    return ui.card(
        ui.card_header("Value labels: what the codes mean"),
        ui.p(
            "Type what each value stands for (1 → Male, 2 → Female); a blank keeps the value. "
            "Every table, plot and download then shows the labels. Undo them on the Data "
            "cleaning tab, where they are listed with the other changes. Columns of two values "
            "or of groups are listed; codes read as numbers need the kind 'categorical' above.",
            class_="small text-muted",
        ),
        ui.output_ui("column_control"),
        ui.output_ui("editor"),
        ui.div(ui.input_action_button("apply", "Apply the labels", class_="btn-success")),
        ui.output_ui("status"),
    )


@module.server
def value_labels_server(input, output, session, steps: CleaningSteps):
    dataset = steps.cleaned
    shape: reactive.Value[tuple[str, tuple[str, ...]] | None] = reactive.value(None)
    done = reactive.value(("", ""))  # (what happened, the fingerprint of the data it made)
    problem = reactive.value("")
    counter = [0]
    # The choices drawn: a new dataset with the same coded columns keeps the select as it is.
    choices = settled(lambda: coded_columns(dataset()) if dataset() is not None else None)

    @render.ui
    def column_control():
        offered = choices()
        if offered is None:
            return None
        if not offered:
            return ui.p("No columns of codes or groups.", class_="text-muted")
        with reactive.isolate():
            previous = read(input, "column", TEXT)
        selected = previous if previous in offered else next(iter(offered))
        return column_select("column", "Column", offered, selected)  # wide: a search

    @reactive.effect
    def _shape():
        ds, column = dataset(), read(input, "column", TEXT)
        new = None
        if ds is not None and column in coded_columns(ds):
            new = (column, ds.meta(column).levels)
        with reactive.isolate():
            if new != shape():
                shape.set(new)
                problem.set("")

    @render.ui
    def editor():
        current = shape()
        if current is None:
            return None
        with reactive.isolate():
            ds = dataset()
        counter[0] += 1
        column, levels = current
        return editor_table(levels, logic.column_counts(ds, column), counter[0])

    @reactive.effect
    @reactive.event(input.apply, ignore_init=True)
    def _apply():
        ds, current = dataset(), shape()
        if ds is None or current is None:
            ui.notification_show("Choose a column first.", type="warning")
            return
        column, levels = current
        typed = {
            lev: read(input, label_id(counter[0], i), TEXT) or "" for i, lev in enumerate(levels)
        }
        try:
            made: Proposal = logic.propose_step("value_labels", ds, column=column, labels=typed)
        except DataError as exc:
            problem.set(str(exc))
            return
        problem.set("")
        steps.add(made.step)
        done.set((f"Applied: {made.step.describe()}.", made.dataset.fingerprint))

    @render.ui
    def status():
        if problem():
            return ui.div(
                f"Labels not applied: {problem()}",
                class_="alert alert-warning py-2 mt-2 mb-0",
                id="value-labels-problem",
            )
        text, fingerprint = done()
        ds = dataset()
        if not text or ds is None or ds.fingerprint != fingerprint:
            return None
        return ui.div(text, class_="alert alert-success py-2 mt-2 mb-0", id="value-labels-done")
