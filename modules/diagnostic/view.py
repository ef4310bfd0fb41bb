"""Pure builders for the Diagnostic accuracy page: display frames, escaped tables, status, cards.

Every string from the user's file (column names, labels, levels) reaches the page through
htmltools tags, which escape it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from htmltools import TagList
from shiny import ui

from analyses.fit_records import DiagnosticInfo
from modules.shared.formatting import DASH, fmt_count, fmt_p, is_number
from modules.shared.labelled import Labelled

MEASURE_NAMES = {
    "sensitivity": "Sensitivity",
    "specificity": "Specificity",
    "ppv": "PPV",
    "npv": "NPV",
    "lr_positive": "LR+",
    "lr_negative": "LR−",
    "accuracy": "Accuracy",
    "prevalence": "Prevalence",
}
PERCENT_MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy", "prevalence")
CI_NAMES = {"exact": "exact (Clopper–Pearson)", "wilson": "Wilson"}
SOURCE_NAMES = {"youden": "Youden", "chosen": "chosen", "binary": "binary test"}


@dataclass(frozen=True)
class DiagnosticView(Labelled):
    """A DiagnosticResult plus display context; tables, figure and report read only this."""

    result: object  # analyses.results.DiagnosticResult
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""

    @property
    def info(self) -> DiagnosticInfo:
        return self.result.info  # type: ignore[attr-defined]

    @property
    def markers(self) -> tuple[str, ...]:
        """The tests' labels, in the order of the ROC curves."""
        return tuple(self.label(v) for v in dict.fromkeys(self.result.roc["variable"]))

    @property
    def condition(self) -> str:
        """'Outcome = Poor': what a positive reference means."""
        return f"{self.label(self.info.reference)} = {self.info.positive}"


def make_view(result, dataset) -> DiagnosticView:
    """The display context of a finished analysis, taken from the data it ran on."""
    return DiagnosticView(result=result, labels=dataset.labels(), dataset_name=dataset.name)


# --- numbers as they read --------------------------------------------------------------------
def fmt_cut(value: object) -> str:
    """A cut-off with up to 6 significant digits ('0.205', '11.08')."""
    return f"{float(value):.6g}" if is_number(value) else DASH  # type: ignore[arg-type]


def fmt_auc(estimate: object, low: object, high: object) -> str:
    """'0.731 (0.630–0.833)'."""
    if not is_number(estimate):
        return DASH
    text = f"{float(estimate):.3f}"  # type: ignore[arg-type]
    if is_number(low) and is_number(high):
        text += f" ({float(low):.3f}–{float(high):.3f})"  # type: ignore[arg-type]
    return text


def fmt_difference(estimate: object, low: object, high: object) -> str:
    """'−0.088 (−0.171 to −0.006)': a signed difference, its CI joined by 'to'."""
    if not is_number(estimate):
        return DASH

    def signed(x: object) -> str:
        return f"{float(x):.3f}".replace("-", "−")  # type: ignore[arg-type]

    text = signed(estimate)
    if is_number(low) and is_number(high):
        text += f" ({signed(low)} to {signed(high)})"
    return text


def fmt_measure(measure: str, estimate: float, low: float, high: float) -> str:
    """'63.4% (46.9–77.9)' for proportions, '3.26 (1.93–5.51)' for likelihood ratios."""
    if measure in PERCENT_MEASURES:
        if not is_number(estimate):
            return DASH
        text = f"{100 * estimate:.1f}%"
        if is_number(low) and is_number(high):
            text += f" ({100 * low:.1f}–{100 * high:.1f})"
        return text
    if estimate == math.inf:
        return "∞"
    if not is_number(estimate):
        return DASH
    text = f"{estimate:.2f}"
    if is_number(low) and is_number(high):
        text += f" ({low:.2f}–{high:.2f})"
    return text


def cutoff_text(view: DiagnosticView, row) -> str:
    """How the test is read: '≥ 0.205 (Youden)' or '= Male'."""
    if row.source == "binary":
        return f"= {row.level}"
    sign = "≥" if row.rule == ">=" else "≤"
    return f"{sign} {fmt_cut(row.cutoff)} ({SOURCE_NAMES.get(row.source, row.source)})"


# --- display frames -----------------------------------------------------------------------
def auc_frame(view: DiagnosticView) -> pd.DataFrame:
    """One row per test: patients, direction, AUC with DeLong 95% CI."""
    rows = []
    for r in view.result.auc.itertuples(index=False):  # type: ignore[attr-defined]
        if r.test_type == "binary":
            direction = "binary test"
        else:
            direction = "higher = positive" if r.direction == "higher" else "lower = positive"
            direction += " (automatic)" if r.direction_auto else " (chosen)"
        rows.append(
            {
                "Test": view.label(r.variable),
                "Patients (with / without)": f"{fmt_count(r.n)} ({r.positives} / {r.negatives})",
                "Direction": direction,
                "AUC (95% CI)": fmt_auc(r.estimate, r.ci_low, r.ci_high),
            }
        )
    return pd.DataFrame(
        rows, columns=["Test", "Patients (with / without)", "Direction", "AUC (95% CI)"]
    )


def accuracy_frame(view: DiagnosticView) -> pd.DataFrame:
    """One row per test at its cut-off: every measure with its 95% CI (jamovi's layout)."""
    acc = view.result.accuracy  # type: ignore[attr-defined]
    rows = []
    for cut in view.result.cutoffs.itertuples(index=False):  # type: ignore[attr-defined]
        row = {"Test": view.label(cut.variable), "Positive if": cutoff_text(view, cut)}
        for m in acc[acc.variable == cut.variable].itertuples(index=False):
            row[MEASURE_NAMES[m.measure]] = fmt_measure(m.measure, m.estimate, m.ci_low, m.ci_high)
        rows.append(row)
    columns = ["Test", "Positive if", *MEASURE_NAMES.values()]
    return pd.DataFrame(rows, columns=columns).fillna(DASH)


def comparison_frame(view: DiagnosticView) -> pd.DataFrame:
    """DeLong's test for each pair of tests on the patients with both."""
    rows = [
        {
            "Tests": f"{view.label(r.variable_1)} vs {view.label(r.variable_2)}",
            "Patients": fmt_count(r.n),
            "AUCs": f"{r.auc_1:.3f} vs {r.auc_2:.3f}",
            "Difference (95% CI)": fmt_difference(r.difference, r.ci_low, r.ci_high),
            "z": f"{r.z:.3f}" if is_number(r.z) else DASH,
            "p": fmt_p(r.p_value),
        }
        for r in view.result.comparisons.itertuples(index=False)  # type: ignore[attr-defined]
    ]
    columns = ["Tests", "Patients", "AUCs", "Difference (95% CI)", "z", "p"]
    return pd.DataFrame(rows, columns=columns)


def two_by_two_frame(view: DiagnosticView, cut) -> pd.DataFrame:
    """The classic 2x2 layout: test result by reference standard, with totals."""
    m = view.info
    with_c, without = f"{m.positive}", f"{m.negative}"
    return pd.DataFrame(
        [
            ("Test positive", cut.tp, cut.fp, cut.tp + cut.fp),
            ("Test negative", cut.fn, cut.tn, cut.fn + cut.tn),
            ("Total", cut.tp + cut.fn, cut.fp + cut.tn, cut.tp + cut.fp + cut.fn + cut.tn),
        ],
        columns=["", f"Reference: {with_c}", f"Reference: {without}", "Total"],
    )


def done_text(view: DiagnosticView, seconds: float | None) -> str:
    m = view.info
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    n_tests = len(view.result.auc)  # type: ignore[attr-defined]
    return (
        f"Done{took}: {n_tests} test{'s' if n_tests != 1 else ''} against {view.condition}; "
        f"{fmt_count(m.positives)} patients with and {fmt_count(m.negatives)} "
        "without the condition."
    )


def results_layout() -> TagList:
    """The result cards, each around one output; shown once a first result exists."""
    return TagList(
        ui.card(ui.card_header("ROC curves"), ui.output_ui("plot"), full_screen=True),
        ui.output_ui("warnings"),
        ui.card(ui.card_header("Area under the ROC curve"), ui.output_ui("table")),
        ui.card(ui.card_header("Comparison of AUCs (DeLong)"), ui.output_ui("compare")),
        ui.card(
            ui.card_header("Sensitivity, specificity, predictive values, likelihood ratios"),
            ui.output_ui("accuracy"),
            full_screen=True,
        ),
        ui.card(ui.card_header("2×2 tables"), ui.output_ui("two_by_two")),
        ui.card(
            ui.card_header("Downloads"),
            ui.div(
                ui.download_button("download_csv", "Tables (CSV)", class_="btn-outline-primary"),
                ui.download_button("download_html", "Report (HTML)", class_="btn-outline-primary"),
                class_="d-flex gap-2 flex-wrap",
            ),
            ui.p(
                "The CSV holds every table with numbers unformatted, in long form. The report "
                "is a single HTML file with the tables and the ROC plot; it opens offline.",
                class_="small text-muted mb-0",
            ),
        ),
    )


def roc_stem(view: DiagnosticView) -> tuple[str, ...]:
    """The ROC figure's file name: roc_troponin(_bnp...) (three tests at most)."""
    return ("roc", *view.markers[:3])
