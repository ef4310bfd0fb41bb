"""Downloads of an outcome analysis: the tables as CSV and a self-contained HTML report.

Pure builders. The CSV neutralises cells a spreadsheet would run as a formula; the report is
built with htmltools (escaped) and carries plotly.js inline so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from htmltools import HTML, Tag, tags

from modules import figures, tables
from modules.result_view import ResultView

# Spreadsheets run a cell starting with these as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

REPORT_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2rem;
       color: #212529; max-width: 1300px; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
caption { caption-side: top; text-align: left; font-weight: 600; padding: 0.3rem 0;
          color: #212529; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.6rem; text-align: left;
         vertical-align: top; }
thead th { border-bottom: 2px solid #333; }
tr.first td { border-top: 1px solid #999; }
tr.ref td, tr.overall td { color: #666; }
td:first-child, tr.ref td:first-child { font-weight: 600; color: #212529; }
.medstat-table td:nth-child(n+5) { white-space: nowrap; }
tr.overall td { font-style: italic; }
tfoot td { font-size: 0.82rem; color: #555; border-bottom: none; }
.warnings li { margin-bottom: 0.3rem; }
"""


def neutralise_cell(value: object) -> object:
    """A text cell that a spreadsheet would treat as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with text cells and headings neutralised; numeric columns stay numeric."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or out[column].dtype == bool):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def tables_csv(view: ResultView) -> str:
    """Univariable and multivariable rows in tidy long form (empty cell = not available)."""
    return safe_csv_frame(tables.tidy_frame(view)).to_csv(index=False, na_rep="")


def file_stem(view: ResultView, when: dt.datetime) -> str:
    """A safe file name stem: medstat_<outcome>_<date>."""
    outcome = re.sub(r"[^A-Za-z0-9_-]+", "_", view.outcome).strip("_")[:40] or "outcome"
    return f"medstat_{outcome}_{when:%Y-%m-%d}"


def _warnings_section(view: ResultView) -> Tag:
    warnings = view.result.warnings
    if not warnings:
        return tags.section(tags.h2("Warnings"), tags.p("None."))
    return tags.section(
        tags.h2("Warnings"), tags.ul(tables.warnings_list(warnings), class_="warnings")
    )


def report_document(view: ResultView, when: dt.datetime) -> Tag:
    """The report as an htmltools document tree (every user string escaped)."""
    fig = figures.forest_plot(view)
    plot = figures.figure_html(fig, div_id="forest-plot", include_plotlyjs=True)
    title = f"Outcome analysis: {view.outcome_label}"
    return tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.meta(name="viewport", content="width=device-width, initial-scale=1"),
            tags.title(f"MedStat – {title}"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1(title),
            tags.p(
                f"Dataset: {view.dataset_name or '—'} · Event: {view.outcome_label} = "
                f"{view.event} · Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            tags.section(tags.h2("Model fit"), tables.fit_table(view, table_id=None, caption=None)),
            _warnings_section(view),
            tags.section(
                tags.h2("Univariable and multivariable analysis"),
                tables.combined_table(view, table_id=None),
            ),
            tags.section(
                tags.h2("Multivariable model"), tables.multivariable_table(view, table_id=None)
            ),
            tags.section(tags.h2("Forest plot"), HTML(plot)),
        ),
        lang="en",
    )


def html_report(view: ResultView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML file: tables, warnings and the forest plot with plotly.js inline."""
    when = when or dt.datetime.now()
    return "<!DOCTYPE html>\n" + str(report_document(view, when))
