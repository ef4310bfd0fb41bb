"""The Outcome analysis tab: univariable screening and multivariable logistic regression."""

from __future__ import annotations

import logic
from modules.outcome import controls as oc
from modules.outcome import figures, report, tables
from modules.outcome import view as outcome_view
from modules.shared import column_roles as roles
from modules.shared import model_controls as mc
from modules.shared.analysis_tab import AnalysisTab, Card, csv_and_report, plot_card, warnings_card
from modules.shared.controls import Radio, Select, Settings, level_choices
from modules.shared.effect_scale import EFFECT_SCALE_CONTROL

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
)


def build_spec(s: Settings):
    return logic.outcome_spec(
        s.ds,
        s["outcome"] or "",
        event=s["event"],
        method=s["method"],
        continuous_summary=s["summary"],
        effect_scale=s["effect_scale"],
        **mc.selection(s),
    )


CARDS = (
    Card("fit", "Model fit", outcome_view.fit_boxes),
    warnings_card(empty="No warnings: the model fitted without problems."),
    Card("univariable", "Univariable and multivariable analysis (odds ratios)",
         tables.combined_table, full_screen=True),
    Card("multivariable", "Multivariable model (adjusted odds ratios)", tables.multivariable_table,
         full_screen=True),
    plot_card("forest", "Forest plot of adjusted odds ratios", figures.forest_plot, "forest-plot",
              "forest-container", stem=lambda v: ("forest_adjusted_or", v.outcome_label)),
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
    downloads=csv_and_report(report.tables_csv, report.html_report),
    downloads_note="The CSV holds both tables with numbers unformatted, one row per level. The "
    "report is a single HTML file with the tables and the plot; it opens offline and can be "
    "copied into Word.",
    file_stem=report.file_stem,
)
