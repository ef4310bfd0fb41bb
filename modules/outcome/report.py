"""Downloads of an outcome analysis: the tables as CSV and a self-contained HTML report.

Pure builders. The CSV neutralises cells a spreadsheet would run as a formula; the report is
built with htmltools (escaped) and carries plotly.js inline so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import re

from htmltools import HTML, Tag, tags

from modules.outcome import documents, figures, performance_view, tables
from modules.outcome.result_view import ResultView
from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures
from modules.shared.modifier_view import ODDS_RATIO, report_section
from modules.shared.report import REPORT_CSS
from modules.shared.tables import warnings_list


def tables_csv(view: ResultView) -> str:
    """Univariable and multivariable rows in tidy long form (empty cell = not available)."""
    return csv_text(tables.tidy_frame(view))


def performance_csv(view: ResultView) -> str:
    """Calibration measures, bootstrap validation, risk tenths and net benefit, long form."""
    return csv_text(performance_view.performance_frame(view))


def file_stem(view: ResultView) -> str:
    """What the downloads are called: medstat_<outcome> (the date and file follow)."""
    outcome = re.sub(r"[^A-Za-z0-9_-]+", "_", view.outcome).strip("_")[:40] or "outcome"
    return f"medstat_{outcome}"


def _warnings_section(view: ResultView) -> Tag:
    warnings = view.result.warnings
    if not warnings:
        return tags.section(tags.h2("Warnings"), tags.p("None."))
    return tags.section(tags.h2("Warnings"), tags.ul(warnings_list(warnings), class_="warnings"))


def report_document(view: ResultView, when: dt.datetime) -> Tag:
    """The report as an htmltools document tree (every user string escaped)."""
    fig = figures.forest_plot(view)
    drawn = ReportFigures()  # one per report: plotly.js at most once if the browser cannot draw
    plot = drawn.html(fig, "forest-plot")
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
                documents.combined_table(view, table_id=None),
            ),
            tags.section(
                tags.h2("Multivariable model"), documents.multivariable_table(view, table_id=None)
            ),
            tags.section(tags.h2("Forest plot"), HTML(plot)),
            report_section(view.result, view.label, ODDS_RATIO, "outcome", drawn),
            performance_view.report_section(view, drawn),
        ),
        lang="en",
    )


def html_report(view: ResultView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML file: tables, warnings and the forest plot with plotly.js inline."""
    when = when or dt.datetime.now()
    return "<!DOCTYPE html>\n" + str(report_document(view, when))
