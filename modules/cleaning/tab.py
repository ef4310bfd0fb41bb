"""The Data cleaning tab: find labels that mean the same, let the user decide, apply, undo;
the codebook card (modules/cleaning/codebook.py) adds its accepted matches as steps too.

The server sits between the data module and the analyses: it returns a reactive calc of the
cleaned Dataset (the data module's dataset with the applied recodes, each with a derived
fingerprint), which app.py passes to the analysis tabs.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from shiny import module, reactive, render, ui

import logic
from matching import embeddings
from matching.codebook_apply import CodebookStep, apply_codebook
from matching.recode import apply_recode, recode_map_frame, recode_map_json
from matching.similarity import Harmonization, HarmonizeSpec
from modules.cleaning import codebook
from modules.cleaning import view as cv
from modules.shared.background import run_in_worker
from modules.shared.report import safe_csv_frame
from modules.shared.session_state import TabState
from modules.shared.wide_select import is_wide, wide_selectize
from utils.config import settings
from utils.dataset import Dataset

log = logging.getLogger(__name__)

Step = tuple[str, dict[str, str]] | CodebookStep  # a label merge, or a codebook's matches


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
    )


@module.server
def cleaning_server(input, output, session, dataset: Callable[[], Dataset | None], tab: TabState):
    # After a reconnect: the applied steps and the upstream data they belong to.
    saved_fp, saved_steps = tab.saved("cleaning", ("", []))
    steps: reactive.Value[list[Step]] = reactive.value(list(saved_steps))
    base_fp = reactive.value(saved_fp)  # the upstream data the steps belong to
    found: reactive.Value[tuple[str, Harmonization, int] | None] = reactive.value(None)
    note = reactive.value(("idle", "Choose a column and press Find similar labels."))
    generation = reactive.value(0)  # new ids for each result, so old checkboxes never count

    @reactive.effect
    def _new_upstream():
        upstream = dataset()
        fp = upstream.fingerprint if upstream is not None else ""
        with reactive.isolate():
            if fp != base_fp():
                if steps():
                    note.set(("idle", "New data: the earlier cleaning steps were set aside."))
                base_fp.set(fp)
                steps.set([])
                found.set(None)

    @reactive.effect
    def _keep():
        tab.keep("cleaning", (base_fp(), tuple(steps())))

    @reactive.calc
    def cleaned() -> Dataset | None:
        upstream = dataset()
        if upstream is None or upstream.fingerprint != base_fp():
            return upstream
        for step in steps():
            if isinstance(step, CodebookStep):
                upstream = apply_codebook(upstream, step)
            elif step[0] in upstream.columns:
                upstream = apply_recode(upstream, *step)
        return upstream

    def add_codebook_step(step: CodebookStep) -> None:
        steps.set([*steps(), step])
        found.set(None)
        note.set(("done", f"Applied: {step.describe()}."))

    codebook.codebook_server("codebook", dataset=cleaned, on_apply=add_codebook_step, tab=tab)

    @render.ui
    def column_control():
        ds = cleaned()
        if ds is None:
            return ui.p("Load data on the Data tab first.", class_="text-muted")
        choices = cv.cleanable_columns(ds)
        if not choices:
            return ui.p("No categorical or text columns to clean.", class_="text-muted")
        with reactive.isolate():
            previous = input.column() if "column" in input else None
        selected = previous if previous in choices else next(iter(choices))
        if is_wide(choices):  # thousands of columns: a part in the page, a search for the rest
            return wide_selectize("column", "Column", choices, selected, multiple=False)
        return ui.input_select("column", "Column", choices, selected=selected, width="100%")

    @ui.bind_task_button(button_id="find")
    @reactive.extended_task
    async def finding(ds: Dataset, spec: HarmonizeSpec) -> Harmonization:
        return await run_in_worker(logic.run, "harmonize", ds, spec, owner=tab.owner)

    @reactive.effect
    @reactive.event(input.find, ignore_init=True)
    def _find():
        ds = cleaned()
        column = input.column() if "column" in input else None
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
                found.set((input.column(), finding.result(), gen))
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
        mapping = cv.chosen_mapping(result, gen, lambda i: input[i]() if i in input else None)
        if not mapping:
            ui.notification_show("No merges are ticked: nothing changed.", type="warning")
            return
        steps.set([*steps(), (column, mapping)])
        found.set(None)
        note.set(("done", f"Applied: {len(mapping)} label(s) recoded in '{column}'."))
        log.info("recode applied: %d labels in one column", len(mapping))

    @reactive.effect
    @reactive.event(input.undo, ignore_init=True)
    def _undo():
        if not steps():
            ui.notification_show("There is nothing to undo.", type="warning")
            return
        steps.set(steps()[:-1])
        found.set(None)
        note.set(("done", "Undone: the data is as before the last change."))

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
        ds = cleaned()
        return cv.history_list(steps(), ds.labels() if ds else {})

    def stem() -> str:
        ds = cleaned()
        name = (ds.name.rsplit(".", 1)[0] if ds else "data")[:40] or "data"
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        return f"{safe}_cleaned_{dt.date.today():%Y-%m-%d}"

    @render.download_button(filename=lambda: f"{stem()}.csv")
    def download_data():
        ds = cleaned()
        if ds is not None:
            yield cv.cleaned_csv(ds)

    @render.download_button(filename=lambda: f"{stem()}_recode_map.csv")
    def download_map_csv():
        yield safe_csv_frame(recode_map_frame(steps())).to_csv(index=False)

    @render.download_button(filename=lambda: f"{stem()}_recode_map.json")
    def download_map_json():
        yield recode_map_json(steps())

    return cleaned
