"""TableDocs as journal-style Word tables (python-docx).

Journal style: the caption above; three horizontal rules (above the header, under it, under
the last row) and no vertical lines; a spanning heading gets a short rule under its own
columns only; a bold row's name bold, level rows indented; footnotes and abbreviations below in a
smaller size. The text is the TableDoc's, so the numbers are the screen's.

The API other code builds on (the session's "paper" document appends every tab's tables):
`append_table(document, doc)` adds one table with its caption and notes to a python-docx
Document; `tables_docx(docs)` is a whole .docx of them as bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt

from modules.shared.table_doc import TableDoc

RULE = "8"  # eighths of a point: a 1 pt rule above and under the table
HEADER_RULE = "4"  # 0.5 pt under the header and under a spanning heading
INDENT = Pt(10)  # per level of a row
NOTE_SIZE = Pt(8)
TABLE_SIZE = Pt(9)
LANDSCAPE_FROM = 7  # columns: a wider table gets a landscape page in tables_docx
EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")


def tables_docx(docs: Sequence[TableDoc]) -> bytes:
    """A .docx holding each table with its caption and notes, in order."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    if any(d.width >= LANDSCAPE_FROM for d in docs):
        _landscape(document)
    for i, doc in enumerate(docs):
        if i:
            document.add_paragraph()
        append_table(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def append_table(document, doc: TableDoc) -> None:
    """Add the caption, the table and its notes at the end of a python-docx Document."""
    caption = document.add_paragraph()
    caption.paragraph_format.keep_with_next = True
    caption.paragraph_format.space_after = Pt(4)
    caption.add_run(doc.title).bold = True

    head_rows = 2 if doc.spans else 1
    table = document.add_table(rows=head_rows + len(doc.rows), cols=doc.width)
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    _table_borders(table)
    if doc.spans:
        _span_row(table.rows[0], doc)
    header = table.rows[head_rows - 1]
    for cell, text in zip(header.cells, doc.header):
        _write(cell, text, bold=True)
        _cell_rule(cell, "bottom", HEADER_RULE)
    for r in table.rows[:head_rows]:
        _repeat_as_header(r)
    for body_row, row in zip(table.rows[head_rows:], doc.rows):
        marks = row.marks or ("",) * doc.width
        for j, (cell, text, mark) in enumerate(zip(body_row.cells, row.cells, marks)):
            indent = INDENT * row.level if j == 0 else None
            _write(cell, text, bold=row.bold and j == 0, indent=indent)
            if mark:
                _superscript(cell, mark)

    for note in doc.notes():
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run(note).font.size = NOTE_SIZE


def _span_row(cells_row, doc: TableDoc) -> None:
    cells = cells_row.cells
    for span in doc.spans:
        cell = cells[span.first]
        if span.width > 1:
            cell = cell.merge(cells[span.first + span.width - 1])
        _write(cell, span.text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_rule(cell, "bottom", HEADER_RULE)


def _write(cell, text: str, *, bold: bool = False, indent=None, align=None) -> None:
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = TABLE_SIZE
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.left_indent = indent
    if align is not None:
        paragraph.alignment = align


def _superscript(cell, mark: str) -> None:
    run = cell.paragraphs[0].add_run(mark)
    run.font.superscript = True
    run.font.size = TABLE_SIZE


def _table_borders(table) -> None:
    """Rules above and below the whole table; no other table border (no vertical lines)."""
    properties = table._tbl.tblPr
    for old in properties.findall(qn("w:tblBorders")):
        properties.remove(old)
    borders = OxmlElement("w:tblBorders")
    for edge in EDGES:
        element = OxmlElement(f"w:{edge}")
        if edge in ("top", "bottom"):
            element.set(qn("w:val"), "single")
            element.set(qn("w:sz"), RULE)
            element.set(qn("w:color"), "000000")
        else:
            element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)
    style = properties.find(qn("w:tblStyle"))
    if style is not None:  # a template's grid style would draw its own lines
        properties.remove(style)


def _cell_rule(cell, edge: str, size: str) -> None:
    """A horizontal rule on one edge of one cell."""
    properties = cell._tc.get_or_add_tcPr()
    borders = properties.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        properties.append(borders)
    element = OxmlElement(f"w:{edge}")
    element.set(qn("w:val"), "single")
    element.set(qn("w:sz"), size)
    element.set(qn("w:color"), "000000")
    borders.append(element)


def _repeat_as_header(row) -> None:
    """The header rows repeat on each page a long table runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _landscape(document) -> None:
    section = document.sections[0]
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
