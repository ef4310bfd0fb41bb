"""Reading a produced .docx back with python-docx, the way the tests compare it."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def cell_texts(table) -> list[list[str]]:
    """Every row's cell texts (a merged cell repeats over the columns it covers)."""
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_borders(table) -> dict[str, str]:
    """The table-level border of each edge: 'single', 'nil', ... ('' when unset)."""
    borders = table._tbl.tblPr.find(qn("w:tblBorders"))
    if borders is None:
        return {}
    return {el.tag.split("}")[1]: el.get(qn("w:val"), "") for el in borders}


def cell_borders(cell) -> dict[str, str]:
    """One cell's own borders by edge."""
    properties = cell._tc.tcPr
    found = properties.find(qn("w:tcBorders")) if properties is not None else None
    if found is None:
        return {}
    return {el.tag.split("}")[1]: el.get(qn("w:val"), "") for el in found}


def paragraphs_after(document, table) -> list[str]:
    """The texts of the paragraphs that follow a table, up to the next table."""
    body = list(document.element.body)
    texts = []
    for element in body[body.index(table._tbl) + 1 :]:
        if element.tag == qn("w:tbl"):
            break
        if element.tag == qn("w:p"):
            texts.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
    return texts


def paragraph_before(document, table) -> str:
    body = list(document.element.body)
    element = body[body.index(table._tbl) - 1]
    return "".join(t.text or "" for t in element.iter(qn("w:t")))


def horizontal_rules(table) -> list[str]:
    """Where the table draws horizontal rules: 'top', 'bottom' of the table, and 'under row i'
    (every cell of the row ruled below) or 'under part of row i'."""
    found = []
    edges = table_borders(table)
    if edges.get("top") == "single":
        found.append("top")
    for i, row in enumerate(table.rows):
        ruled = [cell_borders(c).get("bottom") == "single" for c in row.cells]
        if all(ruled):
            found.append(f"under row {i}")
        elif any(ruled):
            found.append(f"under part of row {i}")
    if edges.get("bottom") == "single":
        found.append("bottom")
    return found


def vertical_lines(table) -> list[str]:
    """Every vertical border the table or any cell draws (none in journal style)."""
    lines = [
        e
        for e in ("left", "right", "insideV")
        if table_borders(table).get(e) not in ("nil", "none", "")
    ]
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            for edge in ("left", "right", "start", "end"):
                if cell_borders(cell).get(edge) not in (None, "nil", "none"):
                    lines.append(f"row {i} cell {j} {edge}")
    return lines


def assert_word_shows(docs) -> None:
    """The .docx of these TableDocs holds each as it is: every cell (a footnote mark after
    its text), its caption above, its notes below, three rules and no vertical line."""
    from modules.shared.docx_tables import tables_docx

    document = open_docx(tables_docx(docs))
    assert len(document.tables) == len(docs)
    for table, doc in zip(document.tables, docs):
        texts = cell_texts(table)
        body = texts[1 + bool(doc.spans) :]
        header = texts[bool(doc.spans)]
        assert header == list(doc.header)
        assert body == [
            [c + (r.marks[j] if r.marks else "") for j, c in enumerate(r.cells)] for r in doc.rows
        ]
        assert vertical_lines(table) == []
        rules = horizontal_rules(table)
        assert [r for r in rules if "part" not in r] == [
            "top",
            f"under row {int(bool(doc.spans))}",
            "bottom",
        ]
        assert paragraph_before(document, table) == doc.title
        assert paragraphs_after(document, table)[: len(doc.notes())] == list(doc.notes())
