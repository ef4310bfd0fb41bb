"""The row-filter card of the Data cleaning tab and the flow of rows it makes.

A filter (age ≥ 18, outcome known, a level excluded) is checked and counted on the data as it
is typed (logic.propose_step): how many rows it excludes, how many of those only because the
value is missing, how many remain; one that would leave no rows, or exclude none, is refused in
words. Applied, it is a step of the cleaning history (`on_apply`). The flow card draws every
filter's counts as a CONSORT / STROBE diagram, downloadable for the paper.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shiny import module, reactive, render, ui

import logic
from modules.cleaning import flow_view
from modules.cleaning import view as cv
from modules.shared.background import run_in_worker
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.csv_safety import BOM, csv_text
from modules.shared.figure_download import serve_figure
from modules.shared.figure_labels import apply_labels
from modules.shared.figures import plot_div
from modules.shared.inputs import CHOICES, TEXT, read
from modules.shared.session_state import TabState
from modules.shared.settled import settled
from modules.shared.wide_select import column_select
from prep.filters import COMPARISONS, LEVEL_OPS, ops_for
from prep.flow import flow_frame
from prep.steps import Proposal
from utils.data_error import DataError

OP_NAMES = {
    ">=": "≥ (at least)",
    ">": "> (more than)",
    "<=": "≤ (at most)",
    "<": "< (less than)",
    "==": "= (equal to)",
    "!=": "≠ (not equal to)",
    "between": "between (both ends included)",
    "known": "is known (not missing)",
    "in": "is one of",
    "not_in": "is not (exclude these levels)",
}
NOT_FILTERED = ("id", "text")


@module.ui
def filters_ui():
    return ui.TagList(
        ui.card(
            ui.card_header("Row filters and exclusions"),
            ui.output_ui("column_control"),
            ui.output_ui("condition"),
            ui.output_ui("values"),
            ui.input_text(
                "reason",
                "Why these rows are excluded (shown in the flow diagram; optional)",
                placeholder="e.g. younger than 18",
                width="100%",
            ),
            ui.output_ui("preview"),
            ui.div(
                ui.input_action_button("apply", "Apply the filter", class_="btn-success"),
                class_="mt-1",
            ),
            ui.p(
                "Comparisons and 'is one of' exclude rows whose value is missing (an unknown "
                "age is not known to be 18 or more); ≠ and 'is not' keep them.",
                class_="small text-muted mt-2 mb-0",
            ),
        ),
        ui.card(
            ui.card_header("Flow of rows (CONSORT / STROBE)"),
            ui.output_ui("flow"),
            ui.output_ui("flow_figure_panel"),
            ui.div(
                ui.download_button("download_flow_html", "Flow diagram (HTML)", class_="btn-sm"),
                ui.download_button("download_flow_csv", "Flow counts (CSV)", class_="btn-sm ms-1"),
                class_="mt-2",
            ),
        ),
    )


@module.server
def filters_server(
    input,
    output,
    session,
    steps: CleaningSteps,
    on_apply: Callable[[Any, str], None],
    tab: TabState,
    record=None,  # the session's record: the flow diagram's words go into the project file
):
    dataset = steps.cleaned
    # (column, its conditions, its levels): what the value inputs are drawn for; the condition
    # select is drawn for the conditions alone, so moving between two numeric columns keeps it.
    shape: reactive.Value[tuple | None] = reactive.value(None)
    ops_shape: reactive.Value[tuple[str, ...]] = reactive.value(())
    choices = settled(
        lambda: (
            {n: m.label for n, m in dataset().columns.items() if m.kind not in NOT_FILTERED}
            if dataset() is not None
            else None
        )
    )

    @render.ui
    def column_control():
        offered = choices()
        if offered is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        with reactive.isolate():
            previous = read(input, "column", TEXT)
        selected = previous if previous in offered else next(iter(offered), None)
        return column_select("column", "Keep the rows where", offered, selected)  # wide: a search

    @reactive.effect
    def _shape():
        ds, column = dataset(), read(input, "column", TEXT)
        new = None
        if ds is not None and column in ds.columns:
            new = (column, ops_for(ds, column), ds.meta(column).levels)
        with reactive.isolate():
            if new != shape():
                shape.set(new)
            ops = new[1] if new else ()
            if ops != ops_shape():
                ops_shape.set(ops)

    @render.ui
    def condition():
        ops = ops_shape()
        if not ops:
            return None
        with reactive.isolate():
            previous = read(input, "op", TEXT)
        selected = previous if previous in ops else ops[0]
        return ui.input_select("op", None, {op: OP_NAMES[op] for op in ops}, selected=selected)

    @render.ui
    def values():
        current, op = shape(), read(input, "op", TEXT)
        if current is None or op not in current[1]:
            return None
        if op in LEVEL_OPS:
            levels = list(current[2])
            return ui.input_selectize("levels", None, levels, multiple=True, width="100%")
        if op in COMPARISONS:
            first = ui.input_text("value", None, placeholder="from" if op == "between" else "18")
            second = ui.input_text("value2", None, placeholder="to") if op == "between" else None
            return ui.div(first, second, class_="d-flex gap-2")
        return None

    @reactive.calc
    def proposal() -> Proposal | str | None:
        ds, current, op = dataset(), shape(), read(input, "op", TEXT)
        if ds is None or current is None or op not in current[1]:
            return None
        if op in LEVEL_OPS:
            typed = list(read(input, "levels", CHOICES) or ())
        elif op == "between":
            typed = [read(input, "value", TEXT) or "", read(input, "value2", TEXT) or ""]
        else:
            typed = [read(input, "value", TEXT) or ""]
        if op != "known" and not any(str(t).strip() for t in typed):
            return None  # nothing typed yet: no complaint
        try:
            return logic.propose_step(
                "filter",
                ds,
                column=current[0],
                op=op,
                values=typed,
                reason=read(input, "reason", TEXT) or "",
            )
        except DataError as exc:
            return str(exc)

    @render.ui
    def preview():
        made = proposal()
        if made is None:
            return None
        if isinstance(made, str):
            return ui.div(made, class_="alert alert-warning py-2 mb-2", id="filter-problem")
        if made.step in steps.steps():  # just applied: its counts are in the flow below
            return ui.div(
                f"Applied: rows kept where {made.step.condition()}. The flow below counts it.",
                class_="alert alert-success py-2 mb-2",
                id="filter-applied",
            )
        flow = made.flow
        missing = (
            f" ({flow.missing:,} of them because the value is missing)" if flow.missing else ""
        )
        return ui.div(
            f"Keeps the rows where {flow.condition}: excludes {flow.excluded:,} of "
            f"{flow.before:,} rows{missing}; {flow.after:,} remain.",
            class_="alert alert-info py-2 mb-2",
            id="filter-preview",
        )

    @reactive.effect
    @reactive.event(input.apply, ignore_init=True)
    def _apply():
        made = proposal()
        if not isinstance(made, Proposal):
            ui.notification_show(made or "Type the condition first.", type="warning", duration=8)
            return
        if made.step in steps.steps():
            ui.notification_show("This filter is already applied.", type="warning")
            return
        on_apply(made.step, f"Applied: {made.step.describe()} ({made.flow.excluded:,} excluded).")
        ui.update_text("reason", value="")

    @reactive.calc
    def flow_figure():
        prepared = steps.prepared()
        if prepared is None or not prepared.flow.steps:
            return None
        return flow_view.flow_figure(prepared.flow)

    # The framework's "Download figure" panel (SVG, PDF, PNG, TIFF), as under every figure.
    flow_words = serve_figure(
        "flow_figure",
        flow_figure,
        lambda: ("flow_diagram",),
        input,
        tab,
        "cleaning.figure.flow",
        width="double",  # its boxes of words need a page's width
    )
    if record is not None:
        record.register_figure("cleaning.figure.flow", flow_words)

    @render.ui
    def flow():
        figure = flow_figure()
        if figure is None:
            return ui.p(
                "No filters yet: the flow diagram appears with the first one.",
                class_="text-muted",
                id="flow-empty",
            )
        return ui.TagList(
            plot_div(apply_labels(figure, flow_words()), "flow-figure", "flow-figure-container"),
            flow_view.flow_table(steps.prepared().flow),
        )

    def current_flow():
        prepared = steps.prepared()
        return prepared.flow if prepared is not None else None

    @render.download_button(filename=lambda: f"{cv.file_stem(dataset(), 'flow')}.html")
    async def download_flow_html():
        flow = current_flow()
        if flow is not None:  # the diagram is drawn by the figure browser: off the event loop
            yield await run_in_worker(flow_view.flow_report, flow, dt.datetime.now())

    @render.download_button(filename=lambda: f"{cv.file_stem(dataset(), 'flow')}.csv")
    def download_flow_csv():
        flow = current_flow()
        if flow is not None:
            yield BOM + csv_text(flow_frame(flow))
