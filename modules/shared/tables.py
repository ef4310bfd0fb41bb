"""Escaped HTML tables of display strings, as every tab shows them."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from htmltools import Tag, TagList, tags


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


def warnings_list(warnings: Sequence[str]) -> TagList:
    """Plain-language warnings as escaped list items."""
    return TagList(*[tags.li(w) for w in warnings])
