"""The outcome model's calibration, decision curve and bootstrap validation on the page,
in the CSV and in the report (pure builders of escaped tags and plain frames)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
from htmltools import HTML, Tag, TagChild, TagList, tags
from shiny import ui

from modules.outcome import performance_figures as pf
from modules.outcome.result_view import ResultView
from modules.shared.analysis_tab import Card
from modules.shared.figure_download import FigureOut
from modules.shared.figures import ReportFigures, plot_div
from modules.shared.formatting import fmt_count, fmt_number
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table

MEASURE_NAMES = {
    "c_statistic": "C statistic (AUC)",
    "slope": "Calibration slope",
    "intercept": "Calibration intercept (with the slope)",
    "brier": "Brier score",
}


def _interval(low: float, high: float, decimals: int = 2) -> str:
    return f"{fmt_number(low, decimals)} to {fmt_number(high, decimals)}"


def _ci(low: float, high: float, decimals: int = 2) -> str:
    return f"95% CI {_interval(low, high, decimals)}"


def _apparent_note(view: ResultView) -> str:
    fit = view.result.fit
    if fit.method == "logit":
        made = (
            "A model fitted by maximum likelihood always has slope 1 and calibration-in-the-"
            "large 0 on its own patients; the smoothed curve, Emax and Eavg still show where "
            "it misses."
        )
    else:
        made = "Firth's estimates are shrunk a little, so the slope on its own patients is near 1."
    then = (
        "The bootstrap table below corrects them for that optimism."
        if view.result.performance.fit.bootstrap_samples
        else "Tick 'Internal validation by bootstrap' for figures corrected for that optimism."
    )
    return (
        "These figures are apparent: measured on the patients the model was fitted on, so they "
        f"flatter it. {made} {then}"
    )


def _figure(value: float, decimals: int = 3) -> str:
    """A number of the validation table; a rounding to zero shows as 0, never as -0."""
    return fmt_number(0.0 if abs(value) < 0.5 * 10**-decimals else value, decimals)


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
            _figure(m.calibration_in_the_large, 2),
            f"{_ci(m.citl_ci_low, m.citl_ci_high)} · 0 is ideal, above 0 risks too low",
            id="cal_citl",
        ),
        ui.value_box(
            "Calibration slope",
            fmt_number(m.slope, 2),
            f"{_ci(m.slope_ci_low, m.slope_ci_high)} · 1 is ideal, below 1 overfitted",
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


def validation_frame(view: ResultView) -> pd.DataFrame:
    """The bootstrap validation as display strings."""
    rows = view.result.performance.validation
    return pd.DataFrame(
        {
            "Measure": [MEASURE_NAMES.get(m, m) for m in rows["measure"]],
            "Apparent": [_figure(v) for v in rows["apparent"]],
            "Bootstrap samples": [_figure(v) for v in rows["training"]],
            "Original patients": [_figure(v) for v in rows["test"]],
            "Optimism": [_figure(v) for v in rows["optimism"]],
            "Corrected": [_figure(v) for v in rows["corrected"]],
        }
    )


def validation_doc(view: ResultView) -> TableDoc | None:
    """The bootstrap validation as the page, the report, Word and the CSV show it (None when
    no bootstrap was asked for)."""
    m = view.result.performance.fit
    if not m.bootstrap_samples:
        return None
    title = (
        f"Internal validation: {fmt_count(m.bootstrap_samples)} bootstrap samples "
        f"({fmt_count(m.bootstrap_used)} fitted), seed {m.seed}"
    )
    refits = (
        "repeats the screening of covariates (the same p threshold and forced covariates) "
        "and refits the model it chooses"
        if m.bootstrap_screening
        else "refits the model"
    )
    notes = (
        f"Each sample {refits}; its performance there minus its performance on the original "
        "patients is the optimism, and Corrected = Apparent − mean optimism (Harrell). The "
        "same seed gives the same figures.",
    )
    return frame_doc("outcome_bootstrap_validation", title, validation_frame(view),
                     footnotes=notes)  # fmt: skip


def validation_table(view: ResultView, table_id: str | None = "table-validation") -> Tag | None:
    doc = validation_doc(view)
    return plain_doc_table(doc, table_id=table_id) if doc is not None else None


def measures_frame(view: ResultView) -> pd.DataFrame:
    """The apparent calibration measures as display strings, rounded as the boxes show them."""
    m = view.result.performance.fit
    rows = [
        ("Brier score", fmt_number(m.brier, 3), ""),
        ("Scaled Brier score", fmt_number(m.scaled_brier, 3), ""),
        ("Calibration-in-the-large", _figure(m.calibration_in_the_large, 2),
         _interval(m.citl_ci_low, m.citl_ci_high)),
        ("Calibration slope", fmt_number(m.slope, 2), _interval(m.slope_ci_low, m.slope_ci_high)),
        ("Eavg", fmt_number(m.eavg, 3), ""),
        ("E90", fmt_number(m.e90, 3), ""),
        ("Emax", fmt_number(m.emax, 3), ""),
        ("C statistic (AUC)", fmt_number(m.c_statistic, 3), ""),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["Measure", "Apparent", "95% CI"])


def measures_doc(view: ResultView) -> TableDoc:
    return frame_doc(
        "outcome_calibration",
        f"Calibration of the model for {view.outcome_label} on its own patients (apparent)",
        measures_frame(view),
        footnotes=[
            "Ideal: calibration-in-the-large 0 (above 0, predicted risks too low), slope 1 "
            "(below 1, overfitted). Eavg, E90, Emax: mean, 90th centile and largest gap "
            "between the smoothed observed and the predicted risk. Scaled Brier: 1 perfect, "
            "0 no better than the prevalence.",
            _apparent_note(view),
        ],
        abbreviations=[("CI", "confidence interval"), ("AUC", "area under the ROC curve")],
    )


def performance_docs(view: ResultView) -> tuple[TableDoc, ...]:
    """The calibration measures and the bootstrap validation, when they were computed."""
    if view.result.performance is None:
        return ()
    validation = validation_doc(view)
    return (measures_doc(view), *([validation] if validation is not None else []))


def with_performance_docs(tables: Callable[[Any], Sequence[TableDoc]]):
    """The Outcome tab's tables followed by its calibration tables when computed."""

    def all_tables(view: ResultView) -> tuple[TableDoc, ...]:
        return (*tables(view), *performance_docs(view))

    return all_tables


def performance_card(view: ResultView) -> TagChild:
    """The card of calibration measures; nothing when it was not asked for."""
    if view.result.performance is None:
        return None
    return ui.card(
        ui.card_header("Calibration and clinical usefulness"),
        measure_boxes(view),
        tags.p(_apparent_note(view), class_="small text-muted mt-2", id="cal_note"),
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
