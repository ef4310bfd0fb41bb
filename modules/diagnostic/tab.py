"""The Diagnostic accuracy tab: ROC curves, AUCs and accuracy at a cut-off against a reference."""

from __future__ import annotations

from modules.diagnostic import controls as dc
from modules.diagnostic import documents, report
from modules.diagnostic import view as dv
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Radio, Select, Settings, level_choices, levels_of
from modules.shared.per_column import PerColumn


def _has_reference(s: Settings) -> bool:
    return s["reference"] is not None


CONTROLS = (
    Select(
        "reference",
        "Reference standard (true condition)",
        choices=lambda s: dc.reference_choices(s.ds),
        default=lambda s, choices: dc.default_outcome(s.ds),
        empty="No column can be the reference standard: mark a yes/no column as binary on the "
        "Data tab.",
    ),
    Select(
        "positive",
        "Condition present when",
        choices=lambda s: level_choices(s, s["reference"]),
        default=lambda s, choices: dc.default_event(list(choices)),
        visible=_has_reference,
    ),
    Select(
        "markers",
        "Continuous markers",
        choices=lambda s: dc.marker_choices(s.ds, s["reference"]),
        multiple=True,
        visible=_has_reference,
        placeholder="choose one or more",
    ),
    Select(
        "tests",
        "Binary tests (optional)",
        choices=lambda s: dc.binary_test_choices(s.ds, s["reference"]),
        multiple=True,
        visible=_has_reference,
        placeholder="none",
    ),
    PerColumn(
        "level",
        columns=lambda s: s["tests"] or (),
        label=lambda s, column: f"{s.ds.label(column)}: positive test",
        options=levels_of,
        default=lambda s, column, levels: dc.default_event(list(levels or ())),
        container="diagnostic-test-levels",
    ),
    Radio("direction", "Direction", dc.DIRECTIONS, default="auto"),
    Radio("cut_mode", "Cut-off", dc.CUTOFF_MODES, default="youden"),
    PerColumn(
        "cut",
        columns=lambda s: s["markers"] or (),
        label=lambda s, column: s.ds.label(column),
        options=lambda s, column: None,  # a number box: empty means Youden's optimum
        default=lambda s, column, options: None,
        container="diagnostic-cutoffs",
        empty="Choose markers first.",
        visible=lambda s: s["cut_mode"] == "chosen",
    ),
    Radio("ci_method", "Confidence intervals of proportions", dc.CI_METHODS, default="exact"),
)


def build_spec(s: Settings):
    return dc.diagnostic_spec(
        s.ds,
        s["reference"],
        s["positive"],
        list(s["markers"] or ()),
        {t: lvl for t, lvl in (s["level"] or {}).items() if lvl},
        direction=s["direction"],
        cutoffs=dict(s["cut"] or {}),
        ci_method=s["ci_method"],
    )


CARDS = (
    plot_card("plot", "ROC curves", report.roc_figure, "diagnostic-roc", stem=dv.roc_stem),
    warnings_card("diagnostic-warnings-list"),
    Card("table", "Area under the ROC curve", documents.auc_table),
    Card("compare", "Comparison of AUCs (DeLong)", documents.comparison_table),
    Card("accuracy", "Sensitivity, specificity, predictive values, likelihood ratios",
         documents.accuracy_table, full_screen=True),
    Card("two_by_two", "2×2 tables", documents.two_by_two_tables),
)  # fmt: skip

TAB = AnalysisTab(
    name="diagnostic",
    run_label="Run analysis",
    idle="Choose the reference standard and the tests, then Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: dv.make_view(result, ds),
    done_text=dv.done_text,
    cards=CARDS,
    downloads=(report_download(report.html_report), all_numbers_download(report.tables_csv)),
    tables=documents.documents,
    downloads_note="The Word file holds every table as a journal prints it, with its notes; the "
    "CSV download is a .zip of one file per table, each as shown. The report is a single HTML "
    "file with the tables and the ROC plot; it opens offline. 'All numbers' is every table in "
    "long form, unrounded, for checking or re-plotting elsewhere.",
    fewer="tests",
    file_stem=report.file_stem,
)
