"""Downloads of a survival analysis: every table as CSV and a self-contained HTML report.

The CSV neutralises cells a spreadsheet would run as a formula (shared with the outcome
report); the report is built with htmltools (escaped) and carries plotly.js inline.
"""

from __future__ import annotations

import datetime as dt
import re

from htmltools import HTML, Tag, tags

from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures
from modules.shared.modifier_view import HAZARD_RATIO, report_section
from modules.shared.report import REPORT_CSS
from modules.survival import figures as survival_figures
from modules.survival import tables as survival_tables
from modules.survival.view import SurvivalView


def tables_csv(view: SurvivalView) -> str:
    """Every table in long form; empty cell = not available."""
    return csv_text(survival_tables.tidy_frame(view))


def file_stem(view: SurvivalView) -> str:
    """medstat_survival_<event>, safe as a file name (the date and file follow)."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", view.event_column).strip("_")[:40] or "event"
    return f"medstat_survival_{name}"


def report_document(view: SurvivalView, when: dt.datetime) -> Tag:
    """The report as an htmltools tree: plots (inline SVG), tables, warnings."""
    figures = ReportFigures()
    km = figures.html(survival_figures.km_figure(view), "survival-plot")
    sections = [
        tags.section(tags.h2("Kaplan–Meier curves"), HTML(km), survival_tables.risk_table(view)),
        tags.section(tags.h2("Median survival"), survival_tables.medians_table(view)),
    ]
    if len(view.result.univariable):
        forest = figures.html(survival_figures.forest_figure(view), "survival-forest")
        sections += [
            tags.section(tags.h2("Cox proportional hazards"), survival_tables.hazard_table(view)),
            tags.section(tags.h2("Proportional-hazards check"), survival_tables.ph_table(view)),
            tags.section(tags.h2("Forest plot"), HTML(forest)),
        ]
    modifiers = report_section(view.result, view.label, HAZARD_RATIO, "survival", figures)
    sections += [modifiers] if modifiers is not None else []
    warnings = view.result.warnings
    title = f"Survival analysis: {view.event_text}"
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
                f"Dataset: {view.dataset_name or '—'} · Time: {view.time_label} · "
                f"Created {when:%Y-%m-%d %H:%M} with MedStat (statsmodels; R-compatible "
                "bands, medians and PH test)",
                class_="meta",
            ),
            tags.section(
                tags.h2("Warnings"),
                tags.ul(*[tags.li(w) for w in warnings], class_="warnings")
                if warnings
                else tags.p("None."),
            ),
            *sections,
        ),
        lang="en",
    )


def html_report(view: SurvivalView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML file that opens offline."""
    return "<!DOCTYPE html>\n" + str(report_document(view, when or dt.datetime.now()))
