"""Downloads of Table 1: CSV, a self-contained HTML report, and Word-friendly HTML.

Pure builders. The CSV reuses the outcome report's formula neutralising; both HTML files are
built with htmltools (escaped). The Word file is one plain table with inline styles only (no
classes, scripts or external CSS), which is what survives a paste into Word.
"""

from __future__ import annotations

import datetime as dt
import re

from htmltools import HTML, Tag, tags

from modules.shared import csv_safety
from modules.shared.figures import ReportFigures
from modules.shared.report import REPORT_CSS
from modules.table1.plot import love_plot
from modules.table1.view import (
    Table1View,
    display_frame,
    display_rows,
    footnotes,
    headings,
    table_tag,
)

FONT = "font-family: Arial, Helvetica, sans-serif; font-size: 10pt; color: #000;"
CELL = "padding: 2pt 6pt; vertical-align: top; text-align: left;"
RULE = "1pt solid #000"


def csv_text(view: Table1View) -> str:
    """The table as shown, with the test named on each row; no cell can run as a formula."""
    return csv_safety.csv_text(display_frame(view))


def file_stem(view: Table1View) -> str:
    """medstat_table1[_by_<group>], safe as a file name (the date and file follow)."""
    group = re.sub(r"[^A-Za-z0-9_-]+", "_", view.group or "").strip("_")[:40]
    by = f"_by_{group}" if group else ""
    return f"medstat_table1{by}"


def _title(view: Table1View) -> str:
    group = f" by {view.label(view.group)}" if view.group else ""
    return f"Table 1. Baseline characteristics{group}"


def report_document(view: Table1View, when: dt.datetime) -> Tag:
    """The HTML report as a document tree: the table, its notes, warnings and the SMD plot."""
    fig = love_plot(view)
    plot = HTML(ReportFigures().html(fig, "table1-plot")) if fig is not None else None
    warnings = view.result.warnings
    return tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.meta(name="viewport", content="width=device-width, initial-scale=1"),
            tags.title(f"MedStat – {_title(view)}"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1(_title(view)),
            tags.p(
                f"Dataset: {view.dataset_name or '—'} · Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            table_tag(view, table_id=None),
            tags.section(tags.h2("Warnings"), tags.ul(*[tags.li(w) for w in warnings]))
            if warnings
            else None,
            tags.section(tags.h2("Standardised mean differences"), plot) if plot else None,
        ),
        lang="en",
    )


def html_report(view: Table1View, when: dt.datetime | None = None) -> str:
    """A self-contained HTML file (plotly.js inline when there is a plot); opens offline."""
    return "<!DOCTYPE html>\n" + str(report_document(view, when or dt.datetime.now()))


def _cell(tag, text, *, bold=False, indent=False, top=False, bottom=False, colspan=None):
    style = FONT + CELL
    if bold:
        style += " font-weight: bold;"
    if indent:
        style += " padding-left: 16pt;"
    if top:
        style += f" border-top: {RULE};"
    if bottom:
        style += f" border-bottom: {RULE};"
    return tag(text, style=style, colspan=colspan)


def word_table(view: Table1View) -> Tag:
    """One table with inline styles: rules above and below the heading and at the end."""
    heads = headings(view, spanned=False)
    head = tags.tr(*[_cell(tags.th, h, bold=True, top=True, bottom=True) for h in heads])
    rows = display_rows(view)
    body = []
    for i, row in enumerate(rows):
        last = i == len(rows) - 1
        p = row.p + (f" {row.letter}" if row.letter else "") if view.has_p else None
        texts = [*row.cells, *([p] if view.has_p else []), *([row.smd] if view.has_smd else [])]
        body.append(
            tags.tr(
                _cell(tags.td, row.label, indent=row.kind != "variable", bottom=last),
                *[_cell(tags.td, t, bottom=last) for t in texts],
            )
        )
    return tags.table(
        tags.caption(_title(view), style=FONT + " font-weight: bold; text-align: left;"),
        tags.thead(head),
        tags.tbody(*body),
        style="border-collapse: collapse;",
    )


def word_document(view: Table1View, when: dt.datetime | None = None) -> str:
    """Word-friendly HTML: open it in Word, or copy the table from a browser and paste."""
    when = when or dt.datetime.now()
    notes = [tags.p(n, style=FONT + " font-size: 8pt; margin: 2pt 0;") for n in footnotes(view)]
    doc = tags.html(
        tags.head(tags.meta(charset="utf-8"), tags.title(_title(view))),
        tags.body(
            word_table(view),
            *notes,
            tags.p(
                f"Dataset: {view.dataset_name or '—'}; created {when:%Y-%m-%d} with MedStat.",
                style=FONT + " font-size: 8pt; color: #555;",
            ),
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
