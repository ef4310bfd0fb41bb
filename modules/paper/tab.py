"""The Paper & project tab: the session's methods text, the paper document, the project file.

Reads what the analysis tabs ran through the session's record (modules/shared/session_record.py)
and builds nothing itself: the methods text, the Word documents and the project file come from
pure builders. Opening a project applies its settings and cleaning steps only to the same
data (same fingerprint), through the tab's saved state and a reload of the page: the path a
reconnect takes, so every tab's controls are restored as they would be after a reload.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from shiny import module, reactive, render, req, ui

from modules.paper import paper_docx as docs
from modules.paper import project as project_io
from modules.paper import sections as paper_sections
from modules.paper import view as paper_view
from modules.paper.session_script import refusal
from modules.paper.session_script import session_script as script_text
from modules.shared.analysis_tab import file_name
from modules.shared.background import run_in_worker
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.inputs import FILES, read
from modules.shared.methods_text import Methods, RunFacts, methods_text
from modules.shared.outputs import named_output
from modules.shared.session_record import SessionRecord
from modules.shared.session_state import TabState
from modules.shared.software import versions
from modules.shared.uploads import discard_upload, is_upload, upload_root
from utils.config import settings

log = logging.getLogger(__name__)

OPENED = "project.opened"  # saved-state key: the message to show after the reload
RELOAD_MESSAGE = "medstat-reload"


@module.ui
def paper_ui():
    return ui.layout_columns(
        ui.card(
            ui.card_header("Methods"),
            ui.p(
                "Generated from the analyses you ran and what their results record; an "
                "analysis that was not run has no sentence. Check it, then copy it into "
                "your manuscript.",
                class_="small text-muted",
            ),
            ui.output_ui("methods"),
            ui.div(
                ui.download_button("methods_txt", "Methods (.txt)", class_="btn-sm"),
                ui.download_button("methods_docx", "Methods (Word)", class_="btn-sm"),
                class_="d-flex gap-2 mt-2",
            ),
        ),
        ui.div(
            ui.card(
                ui.card_header("Paper (Word)"),
                ui.p(
                    "One document: the methods at the top, then Table 1, the outcome tables "
                    "(crude and adjusted) and the other analyses run, each with its figures, "
                    "numbered and captioned.",
                    class_="small text-muted",
                ),
                ui.download_button("paper_docx", "Paper (.docx)", class_="btn-primary"),
            ),
            ui.card(
                ui.card_header("Script (Python)"),
                ui.p(
                    "One standalone script that rereads your raw file, redoes the cleaning "
                    "steps and recomputes the tables of every current analysis; the analyses "
                    "it cannot redo are named at its top.",
                    class_="small text-muted",
                ),
                ui.download_button("session_script", "Script (Python)", class_="btn-sm"),
            ),
            ui.card(
                ui.card_header("Project file"),
                ui.p(
                    "Saves the data's fingerprint and columns, the cleaning steps and every "
                    "tab's settings, with the software versions: no patient data unless you "
                    "tick the box.",
                    class_="small text-muted",
                ),
                ui.input_checkbox(
                    "include_data", "Include the data (patient values) in the file", False
                ),
                ui.download_button("save_project", "Save project (.json)", class_="btn-sm"),
                ui.hr(),
                ui.input_file(
                    "open_project",
                    "Open a project",
                    accept=[".json"],
                    multiple=False,
                    button_label="Browse…",
                    placeholder="No project opened",
                ),
                ui.p(
                    "Load the same data file on the Data tab first: the project is applied "
                    "only to the data it was saved with.",
                    class_="small text-muted",
                ),
                ui.output_ui("project_status"),
            ),
        ),
        ui.tags.script(src="project_reload.js", defer=True),
        col_widths=(7, 5),
    )


@module.server
def paper_server(
    input,
    output,
    session,
    record: SessionRecord,
    steps: CleaningSteps,
    data_file,
    tab: TabState,
    dataset=lambda: None,
):
    """`data_file`: the Data tab's data (a project's fingerprint); `dataset`: the cleaned data
    the analyses ran on (its read options and steps are what the session script redoes)."""
    opened = tab.saved(OPENED)
    message = reactive.value(opened if opened else ("", ()))
    if opened:
        tab.keep(OPENED, None)  # shown once, after the reload that applied it

    @reactive.calc
    def methods() -> tuple[Methods, str]:
        runs = record.current()
        facts = [RunFacts(r.kind, r.spec, r.result, getattr(r.view, "labels", None)) for r in runs]
        try:
            return methods_text(facts, versions()), ""
        except Exception:  # a sentence the builder could not make: say so, never a traceback
            log.exception("methods text could not be built")
            return Methods((), ()), "The methods text could not be written for these results."

    @reactive.calc
    def left_out() -> list[str]:
        return [paper_sections.title_of(r.tab) for r in record.runs() if r.stale]

    @named_output("methods")
    def _methods():
        built, failed = methods()
        return paper_view.methods_card_body(built, session.ns("methods_plain"), left_out(), failed)

    @render.download_button(filename=lambda: file_name("methods", "methods.txt", dt.datetime.now()))
    def methods_txt():
        yield methods()[0].text() or paper_view.NOTHING_RUN

    @render.download_button(
        filename=lambda: file_name("methods", "methods.docx", dt.datetime.now())
    )
    def methods_docx():
        yield docs.methods_docx(methods()[0])

    @render.download_button(filename=lambda: file_name("paper", "paper.docx", dt.datetime.now()))
    async def paper_docx():
        built = methods()[0]
        runs = record.current()
        yield await run_in_worker(_paper, built, runs, share=tab.share)

    @render.download_button(filename=lambda: file_name("session", "script.py", dt.datetime.now()))
    def session_script():
        data = dataset()
        runs = [
            (paper_sections.title_of(r.tab), r.kind, r.spec, r.result) for r in record.current()
        ]
        if data is None:
            yield refusal("there is no data: load your file on the Data tab first.")
            return
        text = script_text(data.read_options, data.steps, runs)
        log.info("session script: %d runs, %d lines", len(runs), text.count("\n"))
        yield text

    @render.download_button(filename=_project_name(input))
    async def save_project():
        data = data_file()
        req(data)
        with reactive.isolate():
            include = bool(input.include_data())
        runs = [(r.tab, r.kind, r.spec) for r in record.current()]
        figures = record.figures()
        yield await run_in_worker(
            project_io.save,
            data,
            tuple(steps.steps()),
            record.settings(),
            runs,
            versions(),
            include_data=include,
            figures=figures,
            imputation=steps.imputation(),
            share=tab.share,
        )

    # --- opening ------------------------------------------------------------------------------
    root = upload_root(session)

    @reactive.effect
    @reactive.event(input.open_project, ignore_init=True)
    async def _open():
        files = read(input, "open_project", FILES)
        if not files:
            return
        path = files[0].get("datapath")
        if not is_upload(path, root):
            message.set(("error", ("The project file could not be found. Choose it again.",)))
            return
        try:
            outcome = await run_in_worker(
                project_io.read_bounded, Path(path), int(settings.project_max_mb * 2**20)
            )
        finally:
            discard_upload(path, root)
        kind, lines, project = outcome
        if project is None:
            message.set((kind, lines))
            return
        current = data_file()
        applied = project_io.apply(project, current, record)
        if applied.kind != "ok":
            message.set((applied.kind, applied.lines))
            return
        tab.keep(OPENED, (applied.kind, applied.lines))
        message.set(("ok", (*applied.lines, "Reloading the page to restore the tabs…")))
        await session.send_custom_message(RELOAD_MESSAGE, {})

    @render.ui
    def project_status():
        kind, lines = message()
        return paper_view.project_message(kind, lines)


def _paper(built: Methods, runs) -> bytes:
    return docs.paper_docx(built, paper_sections.sections(runs))


def _project_name(input):
    def name() -> str:
        with reactive.isolate():
            with_data = bool(input.include_data())
        suffix = "project_with_data.json" if with_data else "project.json"
        return file_name("medstat", suffix, dt.datetime.now())

    return name
