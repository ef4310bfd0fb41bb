"""Escaped HTML tables of display strings, as every tab shows them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from htmltools import Tag, TagList, tags

from modules.shared.table_doc import TableDoc


def html_table(
    frame: pd.DataFrame,
    *,
    table_id: str | None = None,
    caption: str | None = None,
    notes: Sequence[str] = (),
    row_classes: Sequence[str] | None = None,
) -> Tag:
    """An escaped HTML table of display strings (htmltools escapes every cell and heading)."""
    classes = row_classes or [""] * len(frame)
    head = tags.thead(tags.tr(*[tags.th(str(c), scope="col") for c in frame.columns]))
    body = tags.tbody(
        *[
            tags.tr(*[tags.td(str(v)) for v in row], class_=css or None)
            for row, css in zip(frame.itertuples(index=False), classes)
        ]
    )
    foot = None
    if notes:
        cell = tags.td(*[tags.div(n) for n in notes], colspan=str(len(frame.columns)))
        foot = tags.tfoot(tags.tr(cell))
    return tags.div(
        tags.table(
            tags.caption(caption) if caption else None,
            head,
            body,
            foot,
            id=table_id,
            class_="table table-sm medstat-table",
        ),
        class_="table-responsive",
    )


def plain_doc_table(
    doc: TableDoc, *, table_id: str | None = None, row_classes: Sequence[str] | None = None
) -> Tag:
    """A TableDoc of plain rows (no levels or marks) as html_table draws it: its title as the
    caption, its notes in the foot."""
    frame = pd.DataFrame([r.cells for r in doc.rows], columns=list(doc.header))
    return html_table(
        frame, table_id=table_id, caption=doc.title, notes=doc.notes(), row_classes=row_classes
    )


def doc_table(
    doc: TableDoc,
    *,
    table_id: str | None = None,
    caption: bool = True,
    row_classes: Sequence[str] | None = None,
) -> Tag:
    """A TableDoc as the page shows it (escaped): the spanning headings, the header, the rows
    (a level indented, a footnote mark superscript), the notes in the foot."""
    head = []
    if doc.spans:
        cells, j = [], 0
        for span in sorted(doc.spans, key=lambda s: s.first):
            if span.first > j:
                cells.append(tags.th("", colspan=str(span.first - j)))
            cells.append(
                tags.th(span.text, colspan=str(span.width), class_="text-center", scope="colgroup")
            )
            j = span.first + span.width
        if j < doc.width:
            cells.append(tags.th("", colspan=str(doc.width - j)))
        head.append(tags.tr(*cells))
    head.append(tags.tr(*[tags.th(h, scope="col") for h in doc.header]))
    classes = row_classes or ["first" if r.level == 0 else "" for r in doc.rows]
    body = []
    for row, css in zip(doc.rows, classes):
        marks = row.marks or ("",) * doc.width
        cells = [
            tags.td(text, tags.sup(mark) if mark else None) for text, mark in zip(row.cells, marks)
        ]
        if row.level or not row.bold:
            cells[0].add_class("fw-normal" + (f" ps-{min(4 * row.level, 5)}" if row.level else ""))
        body.append(tags.tr(*cells, class_=css or None))
    notes = doc.notes()
    foot = (
        tags.tfoot(tags.tr(tags.td(*[tags.div(n) for n in notes], colspan=str(doc.width))))
        if notes
        else None
    )
    return tags.div(
        tags.table(
            tags.caption(doc.title) if caption else None,
            tags.thead(*head),
            tags.tbody(*body),
            foot,
            id=table_id,
            class_="table table-sm medstat-table",
        ),
        class_="table-responsive",
    )


def warnings_list(warnings: Sequence[str]) -> TagList:
    """Plain-language warnings as escaped list items."""
    return TagList(*[tags.li(w) for w in warnings])
