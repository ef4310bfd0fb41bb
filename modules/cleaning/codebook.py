"""The codebook card of the Data cleaning tab: upload a data dictionary, review, apply.

Reading and matching run off the event loop (an extended task through logic, cached). The
accepted matches become one step of the cleaning history (`on_apply`), so they are undone,
saved for a reconnect and listed in the recode map like the label merges.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from shiny import module, reactive, render, ui

import logic
from matching.codebook import Codebook
from matching.codebook_apply import CodebookStep, apply_codebook
from matching.codebook_match import CodebookMatch
from matching.value_match import ValueMatch, match_values
from modules.cleaning import codebook_view as cbv
from modules.shared.background import run_in_worker
from modules.shared.inputs import FILES, SCALAR, read
from modules.shared.session_state import TabState
from modules.shared.uploads import discard_upload, is_upload, upload_root
from utils.dataset import Dataset

log = logging.getLogger(__name__)

Found = tuple[Codebook, CodebookMatch, int]


@module.ui
def codebook_ui():
    return ui.card(
        ui.card_header("Codebook: labels, types and allowed values"),
        ui.input_file(
            "upload",
            "Upload a codebook (CSV)",
            accept=[".csv", ".tsv", ".txt"],
            button_label="Browse…",
            placeholder="No codebook",
        ),
        ui.p(
            "One row per variable with the columns variable, label, type and allowed values "
            "(REDCap data dictionaries work as they are). Nothing changes until you apply.",
            class_="small text-muted",
        ),
        ui.output_ui("status"),
        ui.output_ui("matches"),
        ui.output_ui("values"),
        ui.div(
            ui.input_action_button("apply", "Apply the ticked matches", class_="btn-success"),
            class_="mt-2",
        ),
    )


@module.server
def codebook_server(
    input,
    output,
    session,
    dataset: Callable[[], Dataset | None],
    on_apply: Callable[[CodebookStep], None],
    tab: TabState,
):
    saved = tab.saved("codebook")
    found: reactive.Value[Found | None] = reactive.value(
        (saved[0], saved[1], saved[2] + 1) if saved else None
    )
    generation = reactive.value(saved[2] + 1 if saved else 0)
    note = reactive.value(("idle", ""))
    root = upload_root(session)

    @reactive.effect
    def _keep():
        tab.keep("codebook", found())

    @reactive.effect
    def _new_columns():
        names = tuple(columns())
        with reactive.isolate():
            current = found()
            if (
                current is not None
                and names
                and not set(names) >= {m.column for m in current[1].variables if m.column}
            ):
                found.set(None)  # another data set: its matches no longer apply

    @reactive.extended_task
    async def matching(path: str, name: str, ds: Dataset) -> tuple[Codebook, CodebookMatch]:
        try:
            # The same file matched to the same data lately: answered here on the event loop
            # (a bounded read and a digest), never waiting for a worker thread.
            hit = logic.cached_codebook(path, name, ds, owner=tab.owner)
            if hit is not None:
                return hit
            codebook = await run_in_worker(logic.read_codebook, path, name, share=tab.share)
        finally:
            discard_upload(path, root)
        return codebook, await run_in_worker(
            logic.match_codebook, ds, codebook, owner=tab.owner, share=tab.share
        )

    @reactive.effect
    @reactive.event(input.upload, ignore_init=True)
    def _start():
        files = read(input, "upload", FILES)
        if files is None:
            return  # not an upload's description: logged by read()
        file = files[0]
        ds = dataset()
        if not is_upload(file.get("datapath"), root):
            _fail("The codebook could not be found. Upload it again.")
            return
        if ds is None:
            discard_upload(file["datapath"], root)
            _fail("Load data on the Data tab first.")
            return
        note.set(("running", "Reading the codebook and matching it to the columns…"))
        matching.invoke(file["datapath"], file["name"], ds)

    @reactive.effect
    def _collect():
        status = matching.status()
        if status == "success":
            codebook, result = matching.result()
            with reactive.isolate():
                gen = generation() + 1
                generation.set(gen)
            found.set((codebook, result, gen))
            note.set(("done", ""))
        elif status == "error":
            try:
                matching.result()
            except ValueError as exc:  # DataError, AnalysisError, ServerBusy: for users
                _fail(str(exc))
            except Exception:
                log.exception("codebook matching failed")
                _fail("The codebook could not be matched (an unexpected error, logged).")

    def _fail(message: str) -> None:
        note.set(("error", f"Codebook not used: {message}"))
        ui.notification_show(f"Codebook not used: {message}", type="error", duration=10)

    def columns() -> list[str]:
        ds = dataset()
        return list(ds.columns) if ds is not None else []

    def values_of(i: int, column: str) -> tuple[ValueMatch, ...]:
        """The value matches of row i for the column chosen now (recomputed when changed)."""
        current = found()
        ds = dataset()
        if current is None or ds is None or column not in ds.columns:
            return ()
        codebook, result, _ = current
        match = result.variables[i]
        if match.column == column and match.variable in result.values:
            return result.values[match.variable]
        entry = codebook.entry(match.variable)
        return match_values(ds.df[column], entry)[0]  # a few labels, rapidfuzz only

    def value(input_id: str):
        return read(input, input_id, SCALAR)

    @render.ui
    def status():
        kind, text = note()
        if matching.status() == "running":
            kind, text = "running", "Reading the codebook and matching it to the columns…"
        if not text:
            return None
        theme = {"idle": "light", "done": "success", "error": "danger", "running": "primary"}
        return ui.div(
            text, class_=f"alert alert-{theme[kind]} py-2", id="codebook-status", data_state=kind
        )

    @render.ui
    def matches():
        current = found()
        if current is None:
            return cbv.nothing_yet()
        codebook, result, gen = current
        with reactive.isolate():
            names = columns()
        return ui.TagList(
            cbv.summary_line(result, codebook.name), cbv.match_table(result, names, gen)
        )

    @render.ui
    def values():
        current = found()
        if current is None:
            return None
        codebook, result, gen = current
        names = columns()
        editors = []
        for i, m in enumerate(result.variables):
            entry = codebook.entry(m.variable)
            column = cbv.column_choice(value(cbv.column_id(gen, i)), names)
            if entry.type != "categorical" or not entry.values or column is None:
                continue
            if not value(cbv.accept_id(gen, i)):
                continue
            with reactive.isolate():
                editors.append(
                    cbv.value_editor(
                        i,
                        m.variable,
                        column,
                        names.index(column),
                        values_of(i, column),
                        entry.values,
                        gen,
                        value,
                    )
                )
        if not editors:
            return None
        return ui.div(
            ui.tags.strong("Allowed values"),
            ui.p(
                "Each label of the data goes to the codebook value chosen here; labels marked "
                "'not in codebook' stay as they are unless you choose a value.",
                class_="small text-muted",
            ),
            *editors,
            id="codebook-value-list",
        )

    @reactive.effect
    @reactive.event(input.apply, ignore_init=True)
    def _apply():
        current = found()
        ds = dataset()
        if current is None or ds is None:
            ui.notification_show("Upload a codebook first.", type="warning")
            return
        codebook, result, gen = current
        step, why = cbv.chosen_step(codebook, result, columns(), gen, value, values_of)
        if step is None:
            ui.notification_show(why, type="warning")
            return
        warnings = apply_codebook(ds, step).notes[len(ds.notes) + 1 :]
        on_apply(step)
        found.set(None)
        text = f"Applied: {step.describe()}." + (" " + " ".join(warnings) if warnings else "")
        note.set(("done", text))
        if warnings:
            ui.notification_show(" ".join(warnings), type="warning", duration=12)
        log.info("codebook applied: %d columns", len(step.rules))
