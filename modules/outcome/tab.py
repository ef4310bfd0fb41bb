"""The Outcome analysis tab: univariable screening and multivariable logistic regression."""

from __future__ import annotations

from dataclasses import replace

import logic
from analyses.specs import DEFAULT_SEED
from modules.outcome import controls as oc
from modules.outcome import documents, figures, performance_docs, performance_view, report
from modules.outcome import view as outcome_view
from modules.shared import column_roles as roles
from modules.shared import model_controls as mc
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    Download,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Checkbox, Numeric, Radio, Select, Settings, level_choices
from modules.shared.effect_scale import EFFECT_SCALE_CONTROL
from modules.shared.imputation_option import IMPUTED_CONTROL, with_imputation
from modules.shared.modifier_controls import modifier_controls, with_modifiers
from modules.shared.modifier_view import (
    ODDS_RATIO,
    modifiers_download,
    modifiers_figure_card,
    with_modifier_docs,
)
from modules.shared.pooled_view import pooled_card, with_pooled_docs

CONTROLS = (
    Select(
        "outcome",
        "Outcome",
        choices=lambda s: roles.outcome_choices(s.ds),
        default=lambda s, choices: roles.default_outcome(s.ds),
        empty="No column can be the outcome: mark a yes/no column as binary on the Data tab.",
    ),
    Select(
        "event",
        "Event (the level that counts as the outcome)",
        choices=lambda s: level_choices(s, s["outcome"]),
        default=lambda s, choices: roles.default_event(list(choices)),
        visible=lambda s: s["outcome"] is not None,
    ),
    mc.covariates_control(
        lambda s, choices: oc.default_covariates(s.ds, s["outcome"], s["event"]),
        note=lambda s, value: oc.covariates_note(s.ds, s["outcome"], s["event"]),
    ),
    Radio("method", "Method", oc.METHODS, default="auto"),
    *mc.SELECTION_CONTROLS,
    Radio("summary", "Continuous variables shown as", oc.SUMMARIES, default="mean"),
    EFFECT_SCALE_CONTROL,
    *modifier_controls(lambda s: list(s["covariates"] or ()), lambda s: [s["outcome"]]),
    IMPUTED_CONTROL,
    Checkbox("calibration", "Calibration and decision curve"),
    Checkbox("bootstrap", "Internal validation by bootstrap (slower)"),
    Numeric("samples", "Bootstrap samples", 200, min=20, max=2000, step=10,
            visible=lambda s: bool(s["bootstrap"])),
    Numeric("seed", "Random seed (the same seed gives the same result)", DEFAULT_SEED, min=0,
            step=1, visible=lambda s: bool(s["bootstrap"])),
    Numeric("dca_low", "Decision curve from threshold (%)", 1, min=1, max=99, step=1,
            visible=lambda s: bool(s["calibration"] or s["bootstrap"])),
    Numeric("dca_high", "to threshold (%)", 50, min=1, max=99, step=1,
            visible=lambda s: bool(s["calibration"] or s["bootstrap"])),
)  # fmt: skip


def build_spec(s: Settings):
    return with_imputation(with_modifiers(_spec(s), s), s)


def _spec(s: Settings):
    return logic.outcome_spec(
        s.ds,
        s["outcome"] or "",
        event=s["event"],
        method=s["method"],
        continuous_summary=s["summary"],
        effect_scale=s["effect_scale"],
        calibration=bool(s["calibration"]),
        bootstrap=s["samples"] if s["bootstrap"] else 0,
        seed=s["seed"] if s["bootstrap"] else DEFAULT_SEED,
        **mc.selection(s),
    )


CARDS = (
    Card("fit", "Model fit", outcome_view.fit_boxes),
    warnings_card(empty="No warnings: the model fitted without problems."),
    Card("univariable", "Univariable and multivariable analysis (odds ratios)",
         documents.combined_table, full_screen=True),
    Card("multivariable", "Multivariable model (adjusted odds ratios)",
         documents.multivariable_table, full_screen=True),
    plot_card("forest", "Forest plot of adjusted odds ratios", figures.forest_plot, "forest-plot",
              "forest-container", stem=lambda v: ("forest_adjusted_or", v.outcome_label)),
    modifiers_figure_card(lambda v: v.result, lambda v: v.label, lambda v: ODDS_RATIO, "outcome"),
    pooled_card(lambda v: v.result, lambda v: v.label, lambda v: ODDS_RATIO, "outcome"),
    Card("performance", None, performance_view.performance_card),
    performance_view.CALIBRATION_CARD,
    performance_view.DECISION_CARD,
)  # fmt: skip

TAB = AnalysisTab(
    name="outcome",
    run_label="Run analysis",
    idle="Choose the outcome and covariates, then press Run analysis.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=outcome_view.make_view,
    done_text=outcome_view.done_text,
    cards=CARDS,
    downloads=(
        report_download(report.html_report),
        all_numbers_download(report.tables_csv),
        modifiers_download(lambda view: view.result, lambda view: view.label),
        Download(
            "download_performance",
            "Calibration and decision curve (CSV)",
            "calibration.csv",
            report.performance_csv,
        ),
    ),
    tables=with_pooled_docs(
        with_modifier_docs(
            performance_docs.with_performance_docs(documents.tables),
            lambda v: v.result,
            lambda v: v.label,
            lambda v: ODDS_RATIO,
            "outcome",
        ),
        lambda v: v.result,
        lambda v: v.label,
        lambda v: ODDS_RATIO,
        "outcome",
    ),
    downloads_note="The Word file holds both tables as a journal prints them, with their notes. "
    "The CSV download is a .zip of one file per table, each as shown. The report is a single "
    "HTML file with the tables and the plot (and the calibration section when it was computed); "
    "it opens offline. 'All numbers' is every table in long form, unrounded, for checking or "
    "re-plotting elsewhere. The calibration CSV holds its measures, the bootstrap validation, "
    "the tenths of risk and the net benefit at every threshold from 1% to 99%.",
    file_stem=report.file_stem,
    view_options=lambda s: (s["dca_low"], s["dca_high"]),
    with_options=lambda view, dca_range: replace(view, dca_range=dca_range),
)
