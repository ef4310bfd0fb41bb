"""The session's Word documents: the methods alone, and the paper (methods, then every table and
figure of the analyses run, numbered, each figure with its caption).

Pure builders on python-docx: the tables are the tabs' TableDocs written by
modules/shared/docx_tables.append_table (the numbers are the screen's); a figure is an image
already rendered (PNG bytes) by the caller.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from docx import Document
from docx.shared import Mm, Pt

from modules.shared.docx_tables import append_table
from modules.shared.methods_text import Methods
from modules.shared.table_doc import TableDoc

TITLE = "Statistical analysis"
_NUMBERED = re.compile(r"^\s*(Table|Figure)\s+\d+[.:]?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class PaperFigure:
    """A rendered figure: PNG bytes, its caption (without a number) and printed width."""

    png: bytes
    caption: str
    width_mm: float = 174.0


@dataclass(frozen=True)
class Section:
    """One analysis in the paper: its tables and figures, in the tab's order."""

    title: str
    tables: tuple[TableDoc, ...] = ()
    figures: tuple[PaperFigure, ...] = ()
    note: str = ""  # why a part is missing (a figure that could not be rendered)


def methods_docx(methods: Methods) -> bytes:
    """The methods paragraphs and their references as a .docx."""
    document = _document()
    _methods(document, methods)
    return _bytes(document)


def paper_docx(methods: Methods, sections: Sequence[Section]) -> bytes:
    """Methods at the top, then each section's tables and figures, numbered in order."""
    document = _document()
    _methods(document, methods)
    tables = figures = 0
    for section in sections:
        document.add_heading(section.title, level=2)
        for doc in section.tables:
            tables += 1
            append_table(document, numbered(doc, tables))
            document.add_paragraph()
        for figure in section.figures:
            figures += 1
            document.add_picture(io.BytesIO(figure.png), width=Mm(figure.width_mm))
            caption = document.add_paragraph()
            caption.add_run(f"Figure {figures}. ").bold = True
            caption.add_run(unnumbered(figure.caption))
        if section.note:
            note = document.add_paragraph()
            note.add_run(section.note).italic = True
    return _bytes(document)


def numbered(doc: TableDoc, n: int) -> TableDoc:
    """The table with 'Table n.' before its title (a number it had is replaced)."""
    return replace(doc, title=f"Table {n}. {unnumbered(doc.title)}")


def unnumbered(title: str) -> str:
    return _NUMBERED.sub("", title, count=1)


def _document():
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)
    return document


def _methods(document, methods: Methods) -> None:
    document.add_heading(TITLE, level=1)
    if not methods.paragraphs:
        document.add_paragraph("No analysis has been run yet.")
        return
    for heading, text in methods.paragraphs:
        paragraph = document.add_paragraph()
        if heading:
            paragraph.add_run(f"{heading}. ").bold = True
        paragraph.add_run(text)
    if methods.references:
        document.add_heading("References", level=2)
        for i, reference in enumerate(methods.references, 1):
            paragraph = document.add_paragraph(f"{i}. {reference}")
            paragraph.paragraph_format.space_after = Pt(2)


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
