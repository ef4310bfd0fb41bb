"""The Outcome analysis tab: univariable screening and multivariable logistic regression."""

from __future__ import annotations

from htmltools import HTML
from shiny import ui

import logic
from modules.outcome import controls as oc
from modules.outcome import figures, report, tables
from modules.outcome import view as outcome_view
from modules.shared.analysis_tab import AnalysisTab, Card, Download, tab_server, tab_ui
from modules.shared.controls import Numeric, PerColumn, Radio, Select, Settings
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.status import warnings_block


def _levels(s: Settings, column: str | None) -> list[str]:
    return list(s.ds.meta(column).levels) if column and column in s.ds.columns else []


CONTROLS = (
    Select(
        "outcome",
        "Outcome",
        choices=lambda s: oc.outcome_choices(s.ds),
        default=lambda s, choices: oc.default_outcome(s.ds),
        empty="No column can be the outcome: mark a yes/no column as binary on the Data tab.",
    ),
    Select(
        "event",
        "Event (the level that counts as the outcome)",
        choices=lambda s: {lv: lv for lv in _levels(s, s["outcome"])},
        default=lambda s, choices: oc.default_event(list(choices)),
        visible=lambda s: s["outcome"] is not None,
    ),
    Select(
        "covariates",
        "Candidate covariates (ids, free text and dates are left out)",
        choices=lambda s: oc.covariate_choices(s.ds, s["outcome"]),
        default=lambda s, choices: oc.default_covariates(s.ds, s["outcome"], choices),
        multiple=True,
        visible=lambda s: s["outcome"] is not None,
        placeholder="choose covariates",
    ),
    Radio("method", "Method", oc.METHODS, default="auto"),
    Radio("screen_mode", "Multivariable model includes", oc.SCREEN_MODES, default="p"),
    Numeric(
        "screen_p",
        None,
        0.20,
        min=0.001,
        max=1,
        step=0.05,
        visible=lambda s: s["screen_mode"] == "p",
    ),
    Select(
        "force",
        "Always include in the multivariable model",
        choices=lambda s: {c: s.ds.label(c) for c in s["covariates"] or ()},
        default=lambda s, choices: [],
        multiple=True,
        placeholder="none",
    ),
    PerColumn(
        "ref",
        columns=lambda s: oc.factor_covariates(s.ds, s["covariates"] or ()),
        label=lambda s, column: s.ds.label(column),
        options=lambda s, column: _levels(s, column),
        default=lambda s, column, levels: levels[0] if levels else None,
        container="reference-levels",
        heading="Reference level of each categorical covariate",
        empty="No categorical covariates chosen.",
    ),
    Radio("summary", "Continuous variables shown as", oc.SUMMARIES, default="mean"),
)


def build_spec(s: Settings):
    covariates = list(s["covariates"] or ())
    return logic.outcome_spec(
        s.ds,
        s["outcome"] or "",
        covariates,
        event=s["event"],
        method=s["method"],
        screen_p=oc.screen_threshold(s["screen_mode"], s["screen_p"]),
        force=[c for c in s["force"] or () if c in covariates],
        reference={k: v for k, v in (s["ref"] or {}).items() if v},
        continuous_summary=s["summary"],
    )


def forest(view):
    html = figure_html(figures.forest_plot(view), div_id="forest-plot")
    return ui.div(HTML(html), plotly_dependency(), id="forest-container")


TAB = AnalysisTab(
    name="outcome",
    run_label="Run analysis",
    idle="Choose the outcome and covariates, then press Run analysis.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=outcome_view.make_view,
    done_text=outcome_view.done_text,
    cards=(
        Card("fit", "Model fit", lambda v: outcome_view.fit_boxes(v)),
        Card("warnings", None, lambda v: warnings_block(v.result.warnings)),
        Card(
            "univariable",
            "Univariable and multivariable analysis (odds ratios)",
            lambda v: tables.combined_table(v),
            full_screen=True,
        ),
        Card(
            "multivariable",
            "Multivariable model (adjusted odds ratios)",
            lambda v: tables.multivariable_table(v),
            full_screen=True,
        ),
        Card("forest", "Forest plot of adjusted odds ratios", forest, full_screen=True),
    ),
    downloads=(
        Download("download_csv", "Tables (CSV)", "tables.csv", report.tables_csv),
        Download("download_html", "Report (HTML)", "report.html", report.html_report, slow=True),
    ),
    downloads_note=(
        "The CSV holds both tables with numbers unformatted, one row per level. The report is "
        "a single HTML file with the tables and the plot; it opens offline and can be copied "
        "into Word."
    ),
    file_stem=report.file_stem,
)

outcome_ui = tab_ui(TAB)
outcome_server = tab_server(TAB)
