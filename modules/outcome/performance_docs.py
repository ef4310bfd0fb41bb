"""The outcome model's calibration measures and bootstrap validation as display strings and
TableDocs (`outcome_calibration`, `outcome_bootstrap_validation`): the page, the report, the
Word file and the CSV all show these, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from modules.outcome.result_view import ResultView
from modules.shared.formatting import fmt_count, fmt_number
from modules.shared.table_doc import TableDoc, frame_doc

MEASURE_NAMES = {
    "c_statistic": "C statistic (AUC)",
    "slope": "Calibration slope",
    "intercept": "Calibration intercept (with the slope)",
    "brier": "Brier score",
}


def interval(low: float, high: float, decimals: int = 2) -> str:
    return f"{fmt_number(low, decimals)} to {fmt_number(high, decimals)}"


def ci_text(low: float, high: float, decimals: int = 2) -> str:
    return f"95% CI {interval(low, high, decimals)}"


def apparent_note(view: ResultView) -> str:
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


def rounded(value: float, decimals: int = 3) -> str:
    """A number of the validation table; a rounding to zero shows as 0, never as -0."""
    return fmt_number(0.0 if abs(value) < 0.5 * 10**-decimals else value, decimals)


def validation_frame(view: ResultView) -> pd.DataFrame:
    """The bootstrap validation as display strings."""
    rows = view.result.performance.validation
    return pd.DataFrame(
        {
            "Measure": [MEASURE_NAMES.get(m, m) for m in rows["measure"]],
            "Apparent": [rounded(v) for v in rows["apparent"]],
            "Bootstrap samples": [rounded(v) for v in rows["training"]],
            "Original patients": [rounded(v) for v in rows["test"]],
            "Optimism": [rounded(v) for v in rows["optimism"]],
            "Corrected": [rounded(v) for v in rows["corrected"]],
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


def measures_frame(view: ResultView) -> pd.DataFrame:
    """The apparent calibration measures as display strings, rounded as the boxes show them."""
    m = view.result.performance.fit
    rows = [
        ("Brier score", fmt_number(m.brier, 3), ""),
        ("Scaled Brier score", fmt_number(m.scaled_brier, 3), ""),
        ("Calibration-in-the-large", rounded(m.calibration_in_the_large, 2),
         interval(m.citl_ci_low, m.citl_ci_high)),
        ("Calibration slope", fmt_number(m.slope, 2), interval(m.slope_ci_low, m.slope_ci_high)),
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
            apparent_note(view),
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
