"""The Word and CSV downloads of a tab's tables, offered by the framework to every tab that
declares them (`AnalysisTab.tables`): no tab writes export code of its own.

Word: one .docx holding every table of the tab, each with its caption and notes
(docx_tables.py). CSV: one table as a .csv, several as a .zip of one .csv each
(table_csv.py), in the style the user picks under the buttons; the choice starts as the
user's own upload was written (`;` and decimal commas, or `,`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from shiny import reactive, render, req, ui

from modules.shared import inputs
from modules.shared.analysis_tab import AnalysisTab, Download, file_name
from modules.shared.background import run_in_worker
from modules.shared.docx_tables import tables_docx
from modules.shared.table_csv import STYLES, csv_suffix, style_for_upload, tables_csv
from utils.dataset import Dataset

WORD_ID = "download_word"
CSV_ID = "download_csv"
STYLE_ID = "csv_style"
STYLE_LABEL = "CSV format"


def table_downloads(tab: AnalysisTab) -> tuple[Download, ...]:
    """The two downloads of a tab with tables (none without), as the card lists them."""
    if tab.tables is None:
        return ()
    tables = tab.tables
    return (
        Download(WORD_ID, "Tables (Word)", "tables.docx", lambda v: tables_docx(tables(v)), True),
        Download(CSV_ID, "Tables (CSV)", "tables.csv", lambda v: tables_csv(tables(v))),
    )


def style_key(dataset: Dataset | None, sent: object) -> str:
    """The CSV style in force: the user's pick, else the style their upload was written in."""
    if isinstance(sent, str) and sent in STYLES:
        return sent
    if dataset is None:
        return "comma"
    return style_for_upload(dataset.separator, dataset.decimal)


def style_pick(sent: object, drawn: str | None) -> str | None:
    """The user's own pick, or None: a default the page merely echoes back (`drawn`, what the
    choice last showed by itself) is not a pick, so new data written with `;` gets its own
    default. The pick is kept with the tab's settings (a reload, a project file)."""
    return sent if isinstance(sent, str) and sent in STYLES and sent != drawn else None


def shown_style(dataset: Dataset | None, sent: object, drawn: str | None) -> str:
    """The style the choice shows when drawn again: the user's pick stays, a default does not."""
    return style_key(dataset, style_pick(sent, drawn))


def restored_pick(saved_settings: object) -> str | None:
    """The pick a tab's saved settings hold (a reload, a reconnect, an opened project)."""
    pick = saved_settings.get(STYLE_ID) if isinstance(saved_settings, dict) else None
    return pick if isinstance(pick, str) and pick in STYLES else None


def style_choice(selected: str) -> ui.Tag:
    """The small choice under the buttons: comma, or semicolon with decimal commas."""
    return ui.input_radio_buttons(
        STYLE_ID,
        STYLE_LABEL,
        {key: style.label for key, style in STYLES.items()},
        selected=selected,
        inline=True,
    )


class StyleChoice:
    """One tab's CSV style choice on the server: the user's pick, kept with the tab's settings
    (so a reload, a reconnect and a project file find it), and the choice drawn from it."""

    def __init__(self, input: Any, saved_settings: object) -> None:
        self.drawn: str | None = None  # what the choice last showed by itself (a default)
        self.picked: reactive.Value[str | None] = reactive.value(restored_pick(saved_settings))

        @reactive.effect
        def _picked():
            sent = inputs.read(input, STYLE_ID, inputs.TEXT)
            if isinstance(sent, str) and sent in STYLES:
                self.picked.set(style_pick(sent, self.drawn))

    def kept(self) -> dict[str, str]:
        """What the tab's saved settings hold of it: the pick, if the user made one."""
        pick = self.picked()
        return {STYLE_ID: pick} if pick else {}

    def draw(self, dataset: Dataset | None) -> ui.Tag:
        """The choice, at the user's pick or else as the upload was written."""
        with reactive.isolate():  # drawn again, the choice stays where the user put it
            pick = self.picked()
        self.drawn = style_key(dataset, None)
        return style_choice(style_key(dataset, pick))


def serve_table_downloads(
    tab: AnalysisTab, input: Any, view: Callable[[], Any], dataset: Callable[[], Dataset | None]
) -> None:
    """Register the Word and CSV download handlers of a tab that declares its tables."""
    if tab.tables is None:
        return
    tables = tab.tables

    @reactive.calc
    def style() -> str:
        return style_key(dataset(), inputs.read(input, STYLE_ID, inputs.TEXT))

    def word_name() -> str:
        return file_name(tab.file_stem(view()), "tables.docx", dt.datetime.now())

    async def word():
        req(view())
        # python-docx builds the document in Python: off the event loop, as the reports are.
        yield await run_in_worker(tables_docx, tables(view()))

    word.__name__ = WORD_ID
    render.download_button(filename=word_name)(word)

    def csv_name() -> str:
        return file_name(tab.file_stem(view()), csv_suffix(tables(view())), dt.datetime.now())

    def csv():
        req(view())
        yield tables_csv(tables(view()), STYLES[style()])

    csv.__name__ = CSV_ID
    render.download_button(filename=csv_name)(csv)
