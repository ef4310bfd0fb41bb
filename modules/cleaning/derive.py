"""The new-variables card of the Data cleaning tab: rescale or transform a number, cut it into
groups, combine levels of a factor, or compute a formula from columns.

What the user types is checked and previewed on the data as they type (logic.propose_step:
the groups with their boundaries and counts, or the new number's range, and every note); a
problem is shown in words and nothing changes. "Add the new column" makes it a step of the
cleaning history (`on_apply`): undone, saved for a reload and listed in the recode map like
the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shiny import module, reactive, render, ui

import logic
from modules.cleaning import derive_view as dv
from modules.shared.inputs import NUMBER, TEXT, read
from modules.shared.settled import settled
from modules.shared.wide_select import column_select
from prep.steps import Proposal
from utils.data_error import DataError
from utils.dataset import Dataset


@module.ui
def derive_ui():
    return ui.card(
        ui.card_header("New variables: rescale, transform, cut into groups, combine, formulas"),
        ui.input_radio_buttons("what", None, dv.KINDS, selected="cut", inline=True),
        ui.output_ui("source"),
        ui.output_ui("options"),
        ui.output_ui("naming"),
        ui.input_text("label", "Label (shown in tables; optional)", placeholder="BMI (kg/m²)"),
        ui.output_ui("preview"),
        ui.div(
            ui.input_action_button("add", "Add the new column", class_="btn-success"),
            class_="mt-1",
        ),
        ui.output_ui("status"),
    )


@module.server
def derive_server(
    input,
    output,
    session,
    dataset: Callable[[], Dataset | None],
    on_apply: Callable[[Any, str], None],
):
    shape: reactive.Value[tuple | None] = reactive.value(None)  # what the options are drawn for
    # Every name this card offered: a name in the box that is one of them was not typed by the
    # user (the box may still report an older offer), so a new column gets its own default.
    offered_names: set[str] = set()
    done = reactive.value(("", ""))  # (what was added, the fingerprint of the data it made)
    counter = [0]  # a new generation of level-editor ids at each drawing
    # (what the columns are for, the columns): numbers for a cut and a transform alike, so
    # moving between those two keeps the select and its pick.
    offered = settled(
        lambda: (
            (dv.SOURCES.get(chosen_kind(), ""), dv.column_choices(dataset(), chosen_kind()))
            if dataset() is not None
            else None
        )
    )

    def chosen_kind() -> str | None:
        """The kind of new variable chosen; None for a value that is not one (nothing drawn)."""
        what = read(input, "what", TEXT)
        return what if what in dv.KINDS else None

    def column() -> str | None:
        ds, what = dataset(), chosen_kind()
        chosen = read(input, "column", TEXT)
        return chosen if ds is not None and chosen in dv.column_choices(ds, what) else None

    @render.ui
    def source():
        if offered() is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        wanted, choices = offered()
        if not wanted:  # a formula names its columns itself
            return None
        if not choices:
            return ui.p(f"The data has no {wanted}.", class_="text-muted", id="derive-none")
        with reactive.isolate():
            previous = read(input, "column", TEXT)
        selected = previous if previous in choices else next(iter(choices))
        return column_select("column", "From the column", choices, selected)  # wide: a search

    @reactive.effect
    def _shape():
        ds, what, col = dataset(), chosen_kind(), column()
        if ds is None:
            new = None
        elif what == "combine" and col:
            new = (what, col, tuple(ds.meta(col).levels))
        elif what == "cut" and col:
            new = (what, col, len(ds.df))
        elif what == "transform":  # the same menu for every column: a pick is never redrawn
            new = (what, "" if col else None, ())
        else:
            new = (what, None, tuple(ds.columns))
        with reactive.isolate():
            if new != shape():
                shape.set(new)

    @render.ui
    def options():
        current = shape()
        if current is None:
            return None
        what, col, levels = current
        with reactive.isolate():
            ds = dataset()
        if ds is None or (what != "formula" and col is None):
            return None
        if what == "transform":
            return dv.transform_options()
        if what == "cut":
            return dv.cut_options(ds, col)
        if what == "combine":
            counter[0] += 1
            return dv.combine_options(levels, logic.column_counts(ds, col), counter[0])
        return dv.formula_options(ds)

    @render.ui
    def units_box():
        return dv.units_box() if read(input, "how", TEXT) == "per_units" else None

    @render.ui
    def naming():
        ds, what, col = dataset(), chosen_kind(), column()
        if ds is None:
            return None
        default = dv.default_new_name(
            ds, what, col, read(input, "how", TEXT) or "", read(input, "units", NUMBER)
        )
        with reactive.isolate():
            typed = read(input, "name", TEXT)
        keep = typed if typed and typed not in offered_names and typed not in ds.columns else ""
        offered_names.add(default)
        return dv.name_field(keep or default)

    def params(what: str | None, ds: Dataset) -> dict[str, Any] | None:
        common = {
            "name": read(input, "name", TEXT) or "",
            "label": read(input, "label", TEXT) or "",
        }
        if what == "formula":
            text = read(input, "formula", TEXT) or ""
            return {**common, "formula": text} if text.strip() else None  # nothing typed yet
        col = column()
        if col is None:
            return None
        if what == "transform":
            return {
                **common,
                "column": col,
                "how": read(input, "how", TEXT) or "",
                "units": read(input, "units", NUMBER),
            }
        if what == "cut":
            if read(input, "cut_by", TEXT) == "quantiles":
                groups = read(input, "groups", TEXT)
                quantiles = int(groups) if groups in dv.QUANTILES else 4
                return {**common, "column": col, "quantiles": quantiles}
            text = read(input, "cutoffs", TEXT) or ""
            return {**common, "column": col, "cutoffs": text} if text.strip() else None
        current = shape()
        if current is None or current[1] != col:
            return None
        levels = current[2]
        typed = {
            lev: read(input, dv.level_id(counter[0], i), TEXT) or "" for i, lev in enumerate(levels)
        }
        return {**common, "column": col, "groups": typed}

    @reactive.calc
    def proposal() -> Proposal | str | None:
        ds, what = dataset(), chosen_kind()
        if ds is None:
            return None
        wanted = params(what, ds)
        if wanted is None:
            return None
        try:
            return logic.propose_step(what, ds, **wanted)
        except DataError as exc:
            return str(exc)

    @render.ui
    def preview():
        return dv.preview(proposal())

    @reactive.effect
    @reactive.event(input.add, ignore_init=True)
    def _add():
        made = proposal()
        if not isinstance(made, Proposal):
            ui.notification_show(made or "Choose a column first.", type="warning", duration=8)
            return
        text = f"Added: {made.step.describe()}."
        on_apply(made.step, text)
        done.set((text, made.dataset.fingerprint))
        ui.update_text("label", value="")

    @render.ui
    def status():
        text, fingerprint = done()
        ds = dataset()
        if not text or ds is None or ds.fingerprint != fingerprint:  # undone, or more since
            return None
        return ui.div(text, class_="alert alert-success py-2 mt-2 mb-0", id="derive-done")
