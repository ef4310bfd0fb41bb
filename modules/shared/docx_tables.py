"""TableDocs as journal-style Word tables (python-docx).

Journal style: the caption above; three horizontal rules (above the header, under it, under
the last row) and no vertical lines; a spanning heading gets a short rule under its own
columns only; a bold row's name bold, level rows indented; footnotes and abbreviations below in a
smaller size, a footnote's leading mark superscript as in the table. The text is the TableDoc's,
so the numbers are the screen's. Column widths follow what the columns hold (see
`column_widths`), so '0.94 [0.77, 1.13]' and 'Overall (N = 500)' stay on one line.

The API other code builds on (the session's "paper" document appends every tab's tables):
`append_table(document, doc)` adds one table with its caption and notes to a python-docx
Document; `tables_docx(docs)` is a whole .docx of them as bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
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
FIRST_COLUMN_MAX = 0.45  # of the line: a long label wraps rather than squeeze the numbers
FIRST_COLUMN_MIN = 0.2  # what the names keep when the numbers need the rest of the line
CELL_MARGINS = Pt(12)  # a cell's left and right margins together (0.08 in each in Word)
MIN_WIDTH = Pt(20)  # of a column's text
NARROW = frozenset(" .,;:!|'()[]{}-ijlrtfI")  # about a quarter of an em in Calibri
WIDE = frozenset("mwMW%@")
LANDSCAPE_FROM = 7  # columns: a wider table gets a landscape page in tables_docx
EDGES = ("top", "left", "bottom", "right", "insideH", "insideV")  # the schema's order
# Word refuses a file whose property elements are out of the schema's order: what may follow
# the borders in a table's and in a cell's properties (ECMA-376 CT_TblPr, CT_TcPr).
AFTER_TABLE_BORDERS = ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption",
                       "w:tblDescription", "w:tblPrChange")  # fmt: skip
AFTER_CELL_BORDERS = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText",
                      "w:vAlign", "w:hideMark", "w:headers", "w:cellIns", "w:cellDel",
                      "w:cellMerge", "w:tcPrChange")  # fmt: skip


def tables_docx(docs: Sequence[TableDoc]) -> bytes:
    """A .docx holding each table with its caption and notes, in order."""
    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    portrait = _line(document)
    if any(d.width >= LANDSCAPE_FROM or _too_wide(d, portrait) for d in docs):
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
    # Before merging: a merged cell sums the widths of its columns.
    _column_widths(document, table, column_widths(doc, _line(document)))
    if doc.spans:
        _span_row(table.rows[0], doc)
    header = table.rows[head_rows - 1]
    for cell, text in zip(header.cells, doc.header):
        _write(cell, text, bold=True)
        _cell_rule(cell, "bottom", HEADER_RULE)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM  # a wrapped heading rises
    for r in table.rows[:head_rows]:
        _repeat_as_header(r)
    for body_row, row in zip(table.rows[head_rows:], doc.rows):
        marks = row.marks or ("",) * doc.width
        for j, (cell, text, mark) in enumerate(zip(body_row.cells, row.cells, marks)):
            indent = INDENT * row.level if j == 0 else None
            _write(cell, text, bold=row.bold and j == 0, indent=indent)
            if mark:
                _superscript(cell, mark)

    note_marks = {m for m, _ in doc.mark_notes} | {m for r in doc.rows for m in r.marks if m}
    for note in doc.notes():
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        mark, _, rest = note.partition(" ")
        if mark in note_marks and rest:  # 'a Welch two-sample t-test': the 'a' as in the table
            run = paragraph.add_run(mark)
            run.font.superscript = True
            run.font.size = NOTE_SIZE
            note = f" {rest}"
        paragraph.add_run(note).font.size = NOTE_SIZE


def column_widths(doc: TableDoc, line: int) -> list[int]:
    """Each column's width (EMU) on a line `line` wide: its longest text (bold heading
    included, with the cell's margins and the names' indent), then what is left of the line
    shared equally, so a short column (SMD, p) is not squeezed. Equal numbers' columns would
    wrap a median [IQR] and leave a p-value's column half empty. On a line too short for all
    the text, the names' column gives way first (down to FIRST_COLUMN_MIN of the line; words
    wrap well), then every column in proportion."""
    want = [float(Pt(w)) for w in wanted_widths(doc)]
    if len(want) > 1:
        want[0] = min(want[0], line * FIRST_COLUMN_MAX)
        short = sum(want) - line
        if short > 0:
            want[0] = max(want[0] - short, min(want[0], line * FIRST_COLUMN_MIN))
    spare = line - sum(want)
    if spare >= 0:
        widths = [w + spare / len(want) for w in want]
    else:
        widths = [w * line / sum(want) for w in want]
    return [int(w) for w in widths]


def wanted_widths(doc: TableDoc) -> list[float]:
    """Each column's longest text (bold heading included) with its margins, in points."""
    want = []
    for j, heading in enumerate(doc.header):
        longest = text_width(heading, bold=True)
        for r in doc.rows:
            text = r.cells[j] + (r.marks[j] if r.marks else "")
            indent = INDENT.pt * r.level if j == 0 else 0.0
            longest = max(longest, text_width(text, bold=r.bold and j == 0) + indent)
        want.append(max(longest, MIN_WIDTH.pt) + CELL_MARGINS.pt)
    return want


def _too_wide(doc: TableDoc, line: int) -> bool:
    """Whether a table's numbers would wrap on a line `line` wide, its names' column wrapped
    down to FIRST_COLUMN_MIN: such a table gets a landscape page."""
    want = [float(Pt(w)) for w in wanted_widths(doc)]
    names = min(want[0], line * FIRST_COLUMN_MIN) if len(want) > 1 else 0.0
    return sum(want[1:]) + names > line


def text_width(text: str, *, bold: bool = False) -> float:
    """About how wide `text` prints at TABLE_SIZE in Calibri, in points (within a few %:
    enough to share a line between columns; Word measures exactly when it lays out)."""
    ems = sum(
        0.27 if c in NARROW else 0.8 if c in WIDE else 0.6 if c.isupper() else 0.5 for c in text
    )
    return ems * TABLE_SIZE.pt * (1.05 if bold else 1.0)


def _column_widths(document, table, widths: Sequence[int]) -> None:
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _line(document) -> int:
    """The width (EMU) a table may take on the document's last page."""
    section = document.sections[-1]
    return int(section.page_width - section.left_margin - section.right_margin)


def _span_row(cells_row, doc: TableDoc) -> None:
    cells = cells_row.cells
    for j, cell in enumerate(cells):
        if doc.span_of(j) is None:  # empty, but as high as the heading beside it
            _write(cell, "")
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
    _mark_size(paragraph, TABLE_SIZE)


def _mark_size(paragraph, size) -> None:
    """The paragraph mark's font size: an empty cell's line is as high as its neighbours' (it
    would otherwise take the document's larger size, and rows would be spaced unevenly)."""
    properties = paragraph._p.get_or_add_pPr()
    mark = properties.find(qn("w:rPr"))
    if mark is None:
        mark = OxmlElement("w:rPr")
        properties.insert_element_before(mark, "w:sectPr", "w:pPrChange")
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), str(int(size.pt * 2)))  # half-points
        mark.append(element)


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
    properties.insert_element_before(borders, *AFTER_TABLE_BORDERS)
    style = properties.find(qn("w:tblStyle"))
    if style is not None:  # a template's grid style would draw its own lines
        properties.remove(style)


def _cell_rule(cell, edge: str, size: str) -> None:
    """A horizontal rule on one edge of one cell."""
    properties = cell._tc.get_or_add_tcPr()
    borders = properties.find(qn("w:tcBorders"))
    if borders is None:
        borders = OxmlElement("w:tcBorders")
        properties.insert_element_before(borders, *AFTER_CELL_BORDERS)
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
