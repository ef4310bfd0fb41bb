"""The Data cleaning tab: find labels that mean the same, let the user decide, apply, undo;
the codebook card (modules/cleaning/codebook.py), the new-variables card (derive.py) and the
row-filter card with its flow diagram (filters.py) add their steps to the same history; the
multiple-imputation card (imputation.py) sets the session's imputation settings.

The steps are one list shared with the Data tab's value labels (modules/shared/
cleaning_steps.py); the server returns the reactive cleaned Dataset (the Data tab's dataset
with every step applied, each with a derived fingerprint), which app.py passes to the
analysis tabs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shiny import module, reactive, render, ui

import logic
from matching import embeddings
from matching.recode import recode_map_frame, recode_map_json
from matching.similarity import Harmonization, HarmonizeSpec
from modules.cleaning import codebook, derive, filters, imputation
from modules.cleaning import derive_view as dv
from modules.cleaning import view as cv
from modules.shared.background import run_in_worker
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.csv_safety import BOM, csv_text
from modules.shared.inputs import SCALAR, TEXT, read
from modules.shared.session_state import TabState
from modules.shared.table_csv import STYLES
from modules.shared.table_downloads import STYLE_ID, StyleChoice, style_key
from modules.shared.wide_select import column_select
from utils.config import settings
from utils.dataset import Dataset

log = logging.getLogger(__name__)

STYLE_SAVED = "cleaning.csv_style"  # the tab's saved state: the cleaned data's CSV style


def warm(dataset: Dataset) -> None:
    """In the worker that read a file (app.py): what the new-variable card offers for it."""
    dv.numeric_sources(dataset)
    dv.factor_sources(dataset)


@module.ui
def cleaning_ui():
    return ui.layout_sidebar(
        ui.sidebar(
            ui.output_ui("column_control"),
            ui.input_task_button(
                "find", "Find similar labels", label_busy="Comparing…", class_="btn-primary"
            ),
            ui.p(
                "Labels are compared by spelling, known clinical abbreviations and, for the "
                "doubtful pairs, a language model. Nothing changes until you apply.",
                class_="small text-muted",
            ),
            ui.hr(),
            ui.tags.strong("Applied changes"),
            ui.output_ui("history"),
            ui.input_action_button("undo", "Undo last change", class_="btn-outline-secondary"),
            ui.download_button("download_data", "Cleaned data (CSV)", class_="btn-sm mt-2"),
            ui.output_ui("cleaned_style"),
            ui.download_button("download_map_csv", "Recode map (CSV)", class_="btn-sm mt-1"),
            ui.download_button("download_map_json", "Recode map (JSON)", class_="btn-sm mt-1"),
            width=340,
            title="Data cleaning",
        ),
        ui.output_ui("status"),
        ui.card(
            ui.card_header("Proposed groups"),
            ui.output_ui("groups"),
            ui.div(
                ui.input_action_button("apply", "Apply the ticked merges", class_="btn-success"),
                class_="mt-2",
            ),
            ui.output_ui("stats"),
        ),
        codebook.codebook_ui("codebook"),
        derive.derive_ui("derive"),
        filters.filters_ui("filters"),
        imputation.imputation_ui("imputation"),
    )


@module.server
def cleaning_server(
    input,
    output,
    session,
    dataset: Callable[[], Dataset | None],
    tab: TabState,
    steps: CleaningSteps,
    record=None,
):
    steps.follow(dataset)
    cleaned = steps.cleaned
    found: reactive.Value[tuple[str, Harmonization, int] | None] = reactive.value(None)
    note = reactive.value(("idle", "Choose a column and press Find similar labels."))
    generation = reactive.value(0)  # new ids for each result, so old checkboxes never count

    @reactive.effect
    def _set_aside():
        _, dropped = steps.set_aside()
        with reactive.isolate():
            found.set(None)
            if dropped:
                note.set(("idle", "New data: the earlier cleaning steps were set aside."))

    def added(step, text: str) -> None:
        steps.add(step)
        found.set(None)
        note.set(("done", text))

    codebook.codebook_server(
        "codebook",
        dataset=cleaned,
        on_apply=lambda step: added(step, f"Applied: {step.describe()}."),
        tab=tab,
    )
    derive.derive_server("derive", dataset=cleaned, on_apply=added)
    filters.filters_server("filters", steps=steps, on_apply=added, tab=tab, record=record)
    imputation.imputation_server("imputation", dataset=cleaned, steps=steps, tab=tab, record=record)

    @render.ui
    def column_control():
        ds = cleaned()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = cv.cleanable_columns(ds)
        if not choices:
            return ui.p("No categorical or text columns to clean.", class_="text-muted")
        with reactive.isolate():
            previous = read(input, "column", TEXT)
        selected = previous if previous in choices else next(iter(choices))
        return column_select("column", "Column", choices, selected, width="100%")

    @ui.bind_task_button(button_id="find")
    @reactive.extended_task
    async def finding(ds: Dataset, spec: HarmonizeSpec) -> Harmonization:
        # A cached grouping is taken here on the event loop: it never waits for a worker thread.
        hit = logic.cached("harmonize", ds, spec, owner=tab.owner)
        if hit is not None:
            return hit
        return await run_in_worker(
            logic.run, "harmonize", ds, spec, owner=tab.owner, share=tab.share
        )

    @reactive.effect
    @reactive.event(input.find, ignore_init=True)
    def _find():
        ds = cleaned()
        column = read(input, "column", TEXT)
        if ds is None or column not in (ds.columns if ds else {}):
            note.set(("error", "Choose a column first."))
            return
        note.set(("running", "Comparing labels…"))
        finding.invoke(ds, HarmonizeSpec(column=column, embeddings=settings.embeddings))

    @reactive.effect
    def _collect():
        status = finding.status()
        if status == "success":
            with reactive.isolate():
                gen = generation() + 1
                generation.set(gen)
                found.set((read(input, "column", TEXT), finding.result(), gen))
            note.set(("done", ""))
        elif status == "error":
            try:
                finding.result()
            except ValueError as exc:  # AnalysisError, MemoryRefused's message is for users
                note.set(("error", str(exc)))
            except Exception:
                log.exception("label harmonisation failed")
                note.set(("error", "The comparison stopped with an unexpected error (logged)."))

    @reactive.effect
    @reactive.event(input.apply, ignore_init=True)
    def _apply():
        current = found()
        if current is None:
            ui.notification_show("Find similar labels first.", type="warning")
            return
        column, result, gen = current
        mapping = cv.chosen_mapping(result, gen, lambda i: read(input, i, SCALAR))
        if not mapping:
            ui.notification_show("No merges are ticked: nothing changed.", type="warning")
            return
        added((column, mapping), f"Applied: {len(mapping)} label(s) recoded in '{column}'.")
        log.info("recode applied: %d labels in one column", len(mapping))

    @reactive.effect
    @reactive.event(input.undo, ignore_init=True)
    def _undo():
        undone = steps.undo()
        if undone is None:
            ui.notification_show("There is nothing to undo.", type="warning")
            return
        found.set(None)
        note.set(("done", f"Undone: {cv.step_text(undone, {})}. The data is as before it."))

    @render.ui
    def status():
        kind, text = note()
        if finding.status() == "running":
            kind, text = "running", "Comparing labels…"
        if kind == "done" and not text:
            return None
        theme = {"idle": "light", "done": "success", "error": "danger", "running": "primary"}
        return ui.div(
            text,
            class_=f"alert alert-{theme[kind]} py-2",
            id="cleaning-status-line",
            data_state=kind,
        )

    @render.ui
    def groups():
        current = found()
        if current is None:
            return ui.p("No comparison yet.", class_="text-muted")
        return cv.groups_editor(current[1], current[2])

    @render.ui
    def stats():
        current = found()
        if current is None:
            return None
        return cv.stats_line(current[1], embeddings.stats())

    @render.ui
    def history():
        prepared = steps.prepared()
        ds = prepared.dataset if prepared else None
        skipped = prepared.skipped if prepared else ()
        return cv.history_list(steps.steps(), ds.labels() if ds else {}, skipped)

    def stem() -> str:
        return cv.file_stem(cleaned(), "cleaned")

    # The cleaned data's CSV style: as the upload was written unless the user picks another.
    csv_style = StyleChoice(input, tab.saved(STYLE_SAVED))

    @reactive.effect
    def _keep_style():
        tab.keep(STYLE_SAVED, csv_style.kept())

    @render.ui
    def cleaned_style():
        return ui.div(csv_style.draw(cleaned()), class_="small mt-1")

    @render.download_button(filename=lambda: f"{stem()}.csv")
    def download_data():
        ds = cleaned()
        if ds is not None:
            style = STYLES[style_key(ds, read(input, STYLE_ID, TEXT))]
            yield BOM + cv.cleaned_csv(ds, style)

    @render.download_button(filename=lambda: f"{stem()}_recode_map.csv")
    def download_map_csv():
        yield BOM + csv_text(recode_map_frame(steps.steps()))

    @render.download_button(filename=lambda: f"{stem()}_recode_map.json")
    def download_map_json():
        yield recode_map_json(steps.steps())

    return cleaned
