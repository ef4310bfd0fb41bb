"""Downloads of Table 1 of its own: a self-contained HTML report and the file names.

Pure builders, with htmltools (escaped). The Word file and the CSV are the framework's, drawn
from the same TableDoc as the page (document.py).
"""

from __future__ import annotations

import datetime as dt
import re

from htmltools import HTML, Tag, tags

from modules.shared.figures import ReportFigures
from modules.shared.report import REPORT_CSS
from modules.table1.document import table_tag, title
from modules.table1.plot import love_plot
from modules.table1.view import Table1View


def file_stem(view: Table1View) -> str:
    """medstat_table1[_by_<group>], safe as a file name (the date and file follow)."""
    group = re.sub(r"[^A-Za-z0-9_-]+", "_", view.group or "").strip("_")[:40]
    by = f"_by_{group}" if group else ""
    return f"medstat_table1{by}"


def report_document(view: Table1View, when: dt.datetime) -> Tag:
    """The HTML report as a document tree: the table, its notes, warnings and the SMD plot."""
    fig = love_plot(view)
    plot = HTML(ReportFigures().html(fig, "table1-plot")) if fig is not None else None
    warnings = view.result.warnings
    return tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.meta(name="viewport", content="width=device-width, initial-scale=1"),
            tags.title(f"MedStat – {title(view)}"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1(title(view)),
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
