"""The Sample size tab: patients needed for a power, or the power of a size. It needs no data."""

from __future__ import annotations

from shiny import ui

from modules.sample_size import controls as sc
from modules.sample_size import view as sv
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Numeric, Radio, Select

is_ = sc.family_is


def _solving_n(s) -> bool:
    return sc.solves_n(s) and s["family"] != "diagnostic"


def _method(id: str, families: tuple[str, ...], choices: dict[str, str], label: str) -> Radio:
    return Radio(id, label, choices, default=next(iter(choices)), visible=is_(*families))


CONTROLS = (
    Select("family", "What does the study compare?", choices=lambda s: sc.FAMILIES),
    _method("method_proportions", ("proportions",), sc.PROPORTION_METHODS, "Method"),
    _method("method_means", ("means",), sc.MEAN_DESIGNS, "Design"),
    _method("method_logrank", ("logrank",), sc.LOGRANK_METHODS, "Events by"),
    _method("method_logistic", ("logistic",), sc.COVARIATES, "The covariate is"),
    _method("method_ni", sc.ONE_SIDED, sc.HYPOTHESES, "To show"),
    Radio(
        "solve", "Calculate", sc.SOLVE, default="n", visible=lambda s: s["family"] != "diagnostic"
    ),
    Numeric(
        "power", "Power wanted (0.8 = 80%)", 0.8, min=0.01, max=0.999, step=0.05, visible=_solving_n
    ),
    # The size whose power is wanted, labelled by what it counts in this design.
    *[
        Numeric(id, label, 100, min=1, step=1, visible=lambda s, kind=kind: sc.size_kind(s) == kind)
        for id, kind, label in (
            ("n_group", "group", "Patients per group (group 1 when unequal)"),
            ("n_pairs", "pairs", "Pairs"),
            ("n_total", "total", "Patients in all"),
        )
    ],
    Numeric(
        "alpha",
        "Significance level α (0.05; one-sided for non-inferiority)",
        0.05,
        min=0.0001,
        max=0.5,
        step=0.005,
    ),
    Radio(
        "sides",
        "Test",
        sc.SIDES,
        default="2",
        visible=lambda s: s["family"] not in ("chisq", "diagnostic", *sc.ONE_SIDED),
    ),
    # Two proportions
    Numeric(
        "p1",
        "Proportion in group 1 (0.4 = 40%)",
        0.4,
        min=0,
        max=1,
        step=0.01,
        visible=is_("proportions"),
    ),
    Numeric(
        "p2", "Proportion in group 2", 0.25, min=0, max=1, step=0.01, visible=is_("proportions")
    ),
    # Two means (and the SD of non-inferiority of means)
    Numeric("difference", "Difference in means to detect", 5, step=0.5, visible=is_("means")),
    Numeric(
        "ni_difference",
        "Expected difference (new - standard)",
        0,
        step=0.5,
        visible=is_("ni_means"),
    ),
    Numeric(
        "sd",
        "Standard deviation (of the differences when paired)",
        10,
        min=0,
        step=0.5,
        visible=is_("means", "ni_means"),
    ),
    Numeric(
        "margin_m", "Margin (same unit as the means)", 5, min=0, step=0.5, visible=is_("ni_means")
    ),
    # Correlation, chi-square
    Numeric(
        "r",
        "Correlation to detect",
        0.3,
        min=-0.99,
        max=0.99,
        step=0.05,
        visible=is_("correlation"),
    ),
    Numeric(
        "w",
        "Effect size w (0.1 small, 0.3 medium, 0.5 large)",
        0.3,
        min=0,
        step=0.05,
        visible=is_("chisq"),
    ),
    Numeric(
        "df",
        "Degrees of freedom: (rows - 1) × (columns - 1)",
        1,
        min=1,
        step=1,
        visible=is_("chisq"),
    ),
    # Log-rank
    Numeric(
        "hr",
        "Hazard ratio to detect (group 2 / group 1)",
        0.7,
        min=0,
        step=0.05,
        visible=is_("logrank"),
    ),
    Numeric("median", "Median survival in group 1", 12, min=0, step=1, visible=is_("logrank")),
    Numeric("accrual", "Accrual period", 24, min=0, step=1, visible=is_("logrank")),
    Numeric(
        "follow_up",
        "Further follow-up after accrual ends",
        12,
        min=0,
        step=1,
        visible=is_("logrank"),
    ),
    Select("time_unit", "Time unit", choices=lambda s: sc.TIME_UNITS, visible=is_("logrank")),
    Numeric(
        "ratio",
        "Allocation: patients in group 2 per patient in group 1",
        1,
        min=0.1,
        step=0.5,
        visible=lambda s: (
            s["family"] in ("proportions", "logrank")
            or (s["family"] == "means" and s["method_means"] == "independent")
        ),
    ),
    # Logistic regression
    Numeric(
        "event_rate",
        "Event rate (at the covariate's mean, or without the exposure)",
        0.2,
        min=0,
        max=1,
        step=0.05,
        visible=is_("logistic"),
    ),
    Numeric(
        "odds_ratio",
        "Odds ratio to detect (per SD, or exposed vs not)",
        1.5,
        min=0,
        step=0.1,
        visible=is_("logistic"),
    ),
    Numeric(
        "exposed",
        "Share of patients exposed (0.3 = 30%)",
        0.5,
        min=0,
        max=1,
        step=0.05,
        visible=lambda s: s["family"] == "logistic" and s["method_logistic"] == "binary",
    ),
    Numeric(
        "r2",
        "R² of this covariate with the other covariates (0 if alone)",
        0,
        min=0,
        max=0.99,
        step=0.05,
        visible=is_("logistic"),
    ),
    # Diagnostic accuracy
    Numeric(
        "sensitivity",
        "Expected sensitivity",
        0.9,
        min=0,
        max=1,
        step=0.01,
        visible=is_("diagnostic"),
    ),
    Numeric(
        "specificity",
        "Expected specificity",
        0.85,
        min=0,
        max=1,
        step=0.01,
        visible=is_("diagnostic"),
    ),
    Numeric(
        "prevalence",
        "Prevalence in the study population",
        0.2,
        min=0,
        max=1,
        step=0.01,
        visible=is_("diagnostic"),
    ),
    Numeric(
        "width",
        "Half-width of the confidence interval (0.05 = ±5 points)",
        0.05,
        min=0,
        max=0.5,
        step=0.01,
        visible=is_("diagnostic"),
    ),
    # Non-inferiority / equivalence of proportions
    Numeric(
        "p_new",
        "Proportion with the new treatment",
        0.8,
        min=0,
        max=1,
        step=0.01,
        visible=is_("ni_proportions"),
    ),
    Numeric(
        "p_standard",
        "Proportion with the standard treatment",
        0.8,
        min=0,
        max=1,
        step=0.01,
        visible=is_("ni_proportions"),
    ),
    Numeric(
        "margin_p",
        "Margin (0.1 = 10 percentage points)",
        0.1,
        min=0,
        max=1,
        step=0.01,
        visible=is_("ni_proportions"),
    ),
    Numeric("dropout", "Expected dropout (0.1 = 10%)", 0.0, min=0, max=0.95, step=0.05),
    ui.p("Proportions are fractions: 0.4 for 40%. No data is needed.", class_="small text-muted"),
)

CARDS = (
    warnings_card("sample-size-warnings", empty=None),
    Card("answer", None, sv.answer_boxes),
    plot_card(
        "curve_plot",
        "Power curve (precision, for diagnostic accuracy)",
        sv.curve_figure,
        "sample-size-curve",
        "sample-size-curve-container",
        stem=lambda view: ("power_curve", view.spec.family),
    ),
    Card("details_table", "Assumptions and results", sv.details_table, full_screen=True),
)

TAB = AnalysisTab(
    name="sample_size",
    title="Sample size settings",
    run_label="Calculate",
    idle="Choose what the study compares, enter what you expect, then press Calculate.",
    controls=CONTROLS,
    build_spec=sc.build_spec,
    make_view=lambda result, ds, spec: sv.SampleSizeView(result, spec),
    done_text=sv.done_text,
    cards=CARDS,
    downloads=(report_download(sv.html_report), all_numbers_download(sv.tables_csv)),
    tables=sv.tables,
    downloads_note="The Word file and the CSV hold the table as shown. The report is one HTML "
    "file with the sentence for the protocol, the table and the curve; it opens offline. 'All "
    "numbers' adds the sentence, the cautions and every point of the curve.",
    file_stem=lambda view: f"medstat_sample_size_{view.spec.family}",
    what="The calculation",
    needs_data=False,
)
