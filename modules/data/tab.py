"""The Data tab: the example dataset on start, uploads, a preview and the column editor.

The server returns a reactive calc of the current Dataset: the file as read, with the user's
kind overrides and labels applied (a kind change derives a new fingerprint; a label does not).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from pathlib import Path

from shiny import module, reactive, render, ui

import logic
from modules.data import value_labels
from modules.data import view as data_view
from modules.data.column_editor import editor_card_body, serve_column_editor
from modules.data.column_pages import is_paged
from modules.data.restore import serve_restore
from modules.shared.background import run_in_worker
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.inputs import FILES, read
from modules.shared.session_state import TabState
from modules.shared.uploads import discard_upload, is_upload, upload_root
from utils import data_io
from utils.config import settings
from utils.dataset import Dataset
from utils.tab_codec import StoredDataset

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
ACCEPT = [".csv", ".tsv", ".txt", ".xlsx"]


def example_path() -> Path:
    """MEDSTAT_EXAMPLE_DATA if set, else the example shipped with the app."""
    return (
        Path(settings.example_data) if settings.example_data else ROOT / "data/example_clinical.csv"
    )


@functools.cache
def example_dataset() -> Dataset | None:
    """The example, read once per process and shared: a Dataset is immutable."""
    path = example_path()
    try:
        dataset = data_io.read_table(path, name=path.name)
    except (OSError, ValueError):
        log.exception("example dataset %s could not be read", path)
        return None
    log.info("example dataset %s loaded: %d rows x %d columns", path.name, *dataset.df.shape)
    return dataset


@module.ui
def data_ui():
    limit = f"{settings.max_upload_mb:g} MB"
    return ui.layout_sidebar(
        ui.sidebar(
            ui.input_file(
                "upload",
                "Upload your data",
                accept=ACCEPT,
                multiple=False,
                button_label="Browse…",
                placeholder="No file selected",
            ),
            ui.p(f"CSV, TSV, TXT or Excel (.xlsx), up to {limit}.", class_="small text-muted"),
            ui.output_ui("upload_status"),
            ui.p(
                "One row per patient, one column per variable, names in the first row. "
                "Missing values may be empty, NA, N/A, . or -.",
                class_="small text-muted",
            ),
            width=320,
            title="Data file",
        ),
        ui.card(ui.card_header("Dataset"), ui.output_ui("summary")),
        ui.card(
            ui.card_header("Columns: check the detected kind and edit labels"),
            editor_card_body(),
        ),
        value_labels.value_labels_ui("values"),
        ui.card(
            ui.card_header(
                f"Preview (first {data_view.PREVIEW_ROWS} rows, as the analyses see them)"
            ),
            ui.output_data_frame("preview"),
        ),
    )


def _read_and_prepare(
    path: str, name: str, cancel: logic.CancelToken, prepare: Callable[[Dataset], None]
) -> Dataset:
    dataset = logic.read_upload(path, name=name, cancel=cancel)
    try:
        prepare(dataset)
    except Exception:  # a saving only: the tabs work it out again on the loop
        log.exception("preparing the tabs' controls for the new data failed")
    return dataset


@module.server
def data_server(
    input,
    output,
    session,
    tab: TabState,
    steps: CleaningSteps,
    prepare: Callable[[Dataset], None] = lambda _ds: None,
):
    """The Data tab; `prepare(dataset)` runs in the reading worker on each file read, before
    the data reaches the page (app.py: the analysis tabs work out what their controls offer)."""
    example = example_dataset()
    # After a reconnect: the tab's data as it was, kinds and labels edited (saved by _keep).
    saved, saved_example, saved_gen = tab.saved("data", (example, example is not None, -1))
    # From another worker (Redis) the data set comes as a StoredDataset: read off the loop.
    stored = saved if isinstance(saved, StoredDataset) else None
    base = reactive.value(None if stored is not None else saved)
    is_example = reactive.value(saved_example)
    # Bumps on each new file so editor input ids never collide, also with a reconnected page's.
    generation = reactive.value(saved_gen + 1)
    upload_error = reactive.value("")
    # After a reconnect whose data could not come back (too large to keep, expired): why.
    data_lost = reactive.value("")
    restoring = serve_restore(tab, stored, base, data_lost) if stored else lambda: False

    root = upload_root(session)
    seen: set[str] = set()  # every datapath of this session, deleted at the latest on its end

    reads: list[logic.CancelToken] = []  # reads under way: a closed tab's reads stop

    @reactive.extended_task
    async def reading(path: str, name: str) -> Dataset:
        token = logic.CancelToken()
        reads.append(token)
        try:
            return await run_in_worker(
                _read_and_prepare, path, name, token, prepare, share=tab.share
            )
        finally:
            reads.remove(token)
            discard_upload(path, root)  # read (or refused): the copy on disk is not needed

    session.on_ended(lambda: [token.cancel() for token in reads])

    def _discard_all() -> None:
        for path in list(seen):
            discard_upload(path, root)
        seen.clear()

    session.on_ended(_discard_all)

    @reactive.effect
    @reactive.event(input.upload, ignore_init=True)  # a reconnecting page resends its last file
    def _start_reading():
        files = read(input, "upload", FILES)
        if files is None:
            return  # not an upload's description: logged by read()
        file = files[0]
        if not is_upload(file.get("datapath"), root):
            log.warning("upload refused: its datapath is outside the session's upload folder")
            _fail("The uploaded file could not be found. Upload it again.")
            return
        seen.add(file["datapath"])
        if file["size"] > settings.max_upload_mb * 1024 * 1024:
            discard_upload(file["datapath"], root)
            _fail(
                f"The file '{file['name']}' is {file['size'] / 1048576:.1f} MB; the limit is "
                f"{settings.max_upload_mb:g} MB. Remove unused columns or rows and try again."
            )
            return
        upload_error.set("")
        log.info("reading upload of %d bytes", file["size"])
        reading.invoke(file["datapath"], file["name"])

    @reactive.effect
    def _finish_reading():
        status = reading.status()
        if status == "success":
            dataset = reading.result()
            recovered = tab.recover(dataset)  # the file whose data a reconnect could not bring
            with reactive.isolate():
                base.set(recovered or dataset)
                is_example.set(False)
                generation.set(generation() + 1)
                if recovered is None:  # the steps were made for the previous file's columns
                    steps.new_data()
            upload_error.set("")
            data_lost.set("")
            ui.notification_show(
                f"Loaded '{dataset.name}'."
                + (" Your cleaning steps, settings and results are back." if recovered else ""),
                type="message",
                duration=6 if recovered else 4,
            )
        elif status == "error":
            try:
                reading.result()
            except data_io.DataError as exc:
                _fail(str(exc))
            except Exception:
                log.exception("upload could not be read")
                _fail(
                    "This file could not be read as a table. Save it as CSV (UTF-8) or .xlsx "
                    "and upload it again."
                )

    def _fail(message: str) -> None:
        upload_error.set(message)
        ui.notification_show(f"Upload failed: {message}", type="error", duration=10)

    editor = serve_column_editor(input, base, generation)

    @reactive.calc
    def current() -> Dataset | None:
        return editor.edited()[0]

    @reactive.effect
    def _keep():
        # The edited data becomes the base of a reconnected session, its editor showing the edits.
        dataset = current()
        with reactive.isolate():
            if restoring():
                return  # the saved data set is being read: keep it saved as it is
            tab.keep("data", (dataset, is_example(), generation()))

    @render.ui
    def upload_status():
        if reading.status() == "running":
            return ui.div(
                ui.tags.span(class_="spinner-border spinner-border-sm me-2"),
                "Reading the file…",
                class_="text-muted",
                id="upload-reading",
            )
        if restoring() and reading.status() != "running":
            return ui.div(
                ui.tags.span(class_="spinner-border spinner-border-sm me-2"),
                "Restoring your data…",
                class_="text-muted",
                id="data-restoring",
            )
        lost = data_lost()
        if lost and not upload_error():
            return ui.div(lost, class_="alert alert-warning py-2", id="data-lost", role="alert")
        message = upload_error()
        if message:
            return ui.div(
                ui.tags.strong("The file was not loaded. "),
                message,
                ui.tags.div("The previous dataset is still in use.", class_="small mt-1"),
                class_="alert alert-danger py-2",
                id="upload-error",
                role="alert",
            )
        return None

    @render.ui
    def summary():
        dataset = current()
        if dataset is None:
            return ui.p("No data yet: upload a file to start.", class_="text-muted")
        return data_view.summary(dataset, is_example())

    @render.data_frame
    def preview():
        dataset = steps.cleaned()  # value labels, new columns and filters show here too
        if dataset is None:
            return None
        # A wide file: the columns of the editor's page, not 16,000 columns of cells.
        df = dataset.df
        if is_paged(df.shape[1]):
            df = df[[c for c in editor.page_columns() if c in df.columns]]
        return render.DataGrid(data_view.preview_frame(df), width="100%", height="420px")

    value_labels.value_labels_server("values", steps=steps)
    return current
