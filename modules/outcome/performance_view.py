"""The outcome model's calibration, decision curve and bootstrap validation on the page,
in the CSV and in the report (pure builders of escaped tags and plain frames)."""

from __future__ import annotations

import pandas as pd
from htmltools import HTML, Tag, TagChild, TagList, tags
from shiny import ui

from modules.outcome import performance_figures as pf
from modules.outcome.performance_docs import (
    apparent_note,
    ci_text,
    measures_doc,
    rounded,
    validation_doc,
)
from modules.outcome.result_view import ResultView
from modules.shared.analysis_tab import Card
from modules.shared.figure_download import FigureOut
from modules.shared.figures import ReportFigures, plot_div
from modules.shared.formatting import fmt_number
from modules.shared.tables import plain_doc_table


def measure_boxes(view: ResultView) -> TagChild:
    perf = view.result.performance
    m = perf.fit
    boxes = [
        ui.value_box(
            "Brier score",
            fmt_number(m.brier, 3),
            f"scaled Brier {fmt_number(m.scaled_brier, 3)} (1 perfect, 0 no better than the "
            "prevalence)",
            id="cal_brier",
        ),
        ui.value_box(
            "Calibration-in-the-large",
            rounded(m.calibration_in_the_large, 2),
            f"{ci_text(m.citl_ci_low, m.citl_ci_high)} · 0 is ideal, above 0 risks too low",
            id="cal_citl",
        ),
        ui.value_box(
            "Calibration slope",
            fmt_number(m.slope, 2),
            f"{ci_text(m.slope_ci_low, m.slope_ci_high)} · 1 is ideal, below 1 overfitted",
            id="cal_slope",
        ),
        ui.value_box(
            "Eavg / Emax",
            f"{fmt_number(m.eavg, 3)} / {fmt_number(m.emax, 3)}",
            f"mean and largest gap between smoothed observed and predicted risk (E90 "
            f"{fmt_number(m.e90, 3)})",
            id="cal_e",
        ),
    ]
    if m.bootstrap_samples:
        corrected = perf.validation.set_index("measure")["corrected"]
        boxes.append(
            ui.value_box(
                "Optimism-corrected C",
                fmt_number(corrected["c_statistic"], 3),
                f"apparent {fmt_number(m.c_statistic, 3)} · corrected slope "
                f"{fmt_number(corrected['slope'], 2)}",
                id="cal_corrected",
            )
        )
    return ui.layout_column_wrap(*boxes, width="200px", fill=False, heights_equal="row")


def validation_table(view: ResultView, table_id: str | None = "table-validation") -> Tag | None:
    doc = validation_doc(view)
    return plain_doc_table(doc, table_id=table_id) if doc is not None else None


def performance_card(view: ResultView) -> TagChild:
    """The card of calibration measures; nothing when it was not asked for."""
    if view.result.performance is None:
        return None
    return ui.card(
        ui.card_header("Calibration and clinical usefulness"),
        measure_boxes(view),
        tags.p(apparent_note(view), class_="small text-muted mt-2", id="cal_note"),
        validation_table(view),
        full_screen=True,
        id="performance_card",
    )


def _calibration_figure(view: ResultView):
    return pf.calibration_plot(view) if view.result.performance is not None else None


def _decision_figure(view: ResultView):
    return pf.decision_curve(view) if view.result.performance is not None else None


def calibration_block(view: ResultView, fig) -> TagChild:
    """The calibration plot (with the user's words), or nothing when not computed."""
    if fig is None:
        return None
    return ui.card(
        ui.card_header("Calibration plot"),
        plot_div(fig, "calibration-plot", "calibration-container"),
        full_screen=True,
    )


def decision_block(view: ResultView, fig) -> TagChild:
    """The decision curve with what it means, or nothing when not computed."""
    if fig is None:
        return None
    _, _, range_note = pf.threshold_range(view)
    return ui.card(
        ui.card_header("Decision curve"),
        tags.p(range_note, class_="text-warning small", id="dca_note") if range_note else None,
        plot_div(fig, "decision-curve", "decision-container"),
        tags.p(
            "Net benefit counts true positives minus false positives weighted by the odds of "
            "the threshold (Vickers & Elkin 2006): the model is useful at thresholds where its "
            "curve lies above both Treat all and Treat none.",
            class_="small text-muted",
        ),
        full_screen=True,
    )


# Untitled figure cards (nothing shows when calibration was not asked for), each with the
# framework's download panel under it.
CALIBRATION_CARD = Card(
    "calibration_figure",  # not "calibration": that is the checkbox that asks for it
    None,
    calibration_block,
    figure=FigureOut(
        "calibration_figure", _calibration_figure, lambda v: ("calibration", v.outcome_label)
    ),
)
DECISION_CARD = Card(
    "decision_figure",
    None,
    decision_block,
    figure=FigureOut(
        "decision_figure", _decision_figure, lambda v: ("decision_curve", v.outcome_label)
    ),
)


def performance_frame(view: ResultView) -> pd.DataFrame:
    """Everything of the performance as one long CSV table: part, measure or threshold, values."""
    perf = view.result.performance
    if perf is None:
        return pd.DataFrame(
            {"part": ["Not computed: tick 'Calibration and decision curve' and run again."]}
        )
    m = perf.fit
    measures = pd.DataFrame(
        [
            ("brier", m.brier, None, None),
            ("scaled_brier", m.scaled_brier, None, None),
            ("calibration_in_the_large", m.calibration_in_the_large, m.citl_ci_low, m.citl_ci_high),
            ("calibration_slope", m.slope, m.slope_ci_low, m.slope_ci_high),
            ("eavg", m.eavg, None, None),
            ("e90", m.e90, None, None),
            ("emax", m.emax, None, None),
            ("c_statistic", m.c_statistic, None, None),
        ],
        columns=["measure", "estimate", "ci_low", "ci_high"],
    )
    parts = [
        measures.assign(part="measures"),
        perf.validation.assign(part="bootstrap_validation"),
        perf.groups.assign(part="risk_groups"),
        perf.decision.assign(part="decision_curve"),
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
    return frame[["part", *[c for c in frame.columns if c != "part"]]]


def report_section(view: ResultView, figures: ReportFigures | None = None) -> Tag | TagList:
    """The report's section: measures, validation and both figures (drawn by the report's
    `figures`, inline SVG)."""
    figures = figures or ReportFigures()
    perf = view.result.performance
    if perf is None:
        return TagList()
    return tags.section(
        tags.h2("Calibration and clinical usefulness"),
        plain_doc_table(measures_doc(view)),
        validation_table(view, table_id=None),
        HTML(figures.html(pf.calibration_plot(view), "calibration-plot")),
        HTML(figures.html(pf.decision_curve(view), "decision-curve")),
    )
