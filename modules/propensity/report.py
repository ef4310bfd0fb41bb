"""The Propensity scores tab's downloads: every number of the result, unrounded ("All
numbers"), and a self-contained HTML report."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from htmltools import HTML, tags

from modules.propensity import documents
from modules.propensity.figures import love_plot, overlap_plot
from modules.propensity.view import PropensityView, key_numbers
from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures
from modules.shared.formatting import DASH
from modules.shared.report import REPORT_CSS


def tidy_frame(view: PropensityView) -> pd.DataFrame:
    """The model, balance and effect rows in long form, then each patient's score and weight."""
    res = view.result
    parts = [
        res.model.assign(table="propensity model"),
        res.balance.assign(table="balance"),
        res.effects.assign(table="effect"),
        res.scores.assign(table="patients", row=res.scores["row"] + 1),
    ]
    frame = pd.concat(parts, ignore_index=True, sort=False)
    return frame[["table", *[c for c in frame.columns if c != "table"]]]


def tables_csv(view: PropensityView) -> str:
    """The tidy frame as CSV text with formula-like cells neutralised (row: 1 = first data row)."""
    return csv_text(tidy_frame(view))


def html_report(view: PropensityView, when: dt.datetime | None = None) -> str:
    """The key numbers, the notes, every table, the love plot and the overlap plot."""
    when = when or dt.datetime.now()
    figures = ReportFigures()
    warnings = view.result.warnings
    doc = tags.html(
        tags.head(tags.meta(charset="utf-8"), tags.title("MedStat – Propensity scores"),
                  tags.style(HTML(REPORT_CSS))),
        tags.body(
            tags.h1("Propensity scores"),
            tags.p(f"Dataset: {view.dataset_name or DASH} · Created {when:%Y-%m-%d %H:%M} "
                   "with MedStat", class_="meta"),
            tags.h2("Summary"),
            key_numbers(view),
            tags.h2("Notes"),
            tags.ul(*[tags.li(w) for w in warnings]) if warnings else tags.p("None."),
            documents.sample_table(view),
            documents.balance_table(view),
            tags.h2("Love plot"),
            HTML(figures.html(love_plot(view), "propensity-love-plot")),
            tags.h2("Overlap of the scores"),
            HTML(figures.html(overlap_plot(view), "propensity-overlap")),
            documents.effect_table(view),
            documents.model_table(view),
        ),
        lang="en",
    )  # fmt: skip
    return "<!DOCTYPE html>\n" + str(doc)
