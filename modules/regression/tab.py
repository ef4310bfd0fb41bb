"""The Regression tab: linear, Poisson and negative binomial models of a numeric outcome."""

from __future__ import annotations

from htmltools import HTML
from shiny import ui

from modules.outcome import controls as oc
from modules.regression import controls as rc
from modules.regression import figures
from modules.regression import tables as rt
from modules.regression import view as rv
from modules.shared.analysis_tab import AnalysisTab, Card, Download, tab_server, tab_ui
from modules.shared.controls import Numeric, PerColumn, Radio, Select, Settings
from modules.shared.figures import plotly_dependency
from modules.shared.status import warnings_block


def _levels(s: Settings, column: str | None) -> list[str]:
    return list(s.ds.meta(column).levels) if column and column in s.ds.columns else []


def _rates_possible(s: Settings) -> bool:
    """An exposure (offset) belongs to count models only."""
    outcome, model = s["outcome"], s["model"]
    if outcome is None or model == "linear":
        return False
    return model != "auto" or s.ds.meta(outcome).kind == "count"


CONTROLS = (
    Select("outcome", "Outcome", choices=lambda s: rc.outcome_choices(s.ds),
           default=lambda s, choices: rc.default_outcome(s.ds),
           empty="No continuous or count column to model."),
    Radio("model", "Model", rv.MODEL_CHOICES, default="auto"),
    Select("exposure", "Exposure for rates (offset: log of person-time or population)",
           choices=lambda s: rc.exposure_choices(s.ds, s["outcome"]),
           default=lambda s, choices: rc.NO_EXPOSURE, visible=_rates_possible),
    Select("covariates", "Candidate covariates (ids, free text and dates are left out)",
           choices=lambda s: oc.covariate_choices(s.ds, s["outcome"]),
           default=lambda s, choices: [], multiple=True, placeholder="choose covariates",
           visible=lambda s: s["outcome"] is not None),
    Radio("screen_mode", "Multivariable model includes", oc.SCREEN_MODES, default="p"),
    Numeric("screen_p", None, 0.20, min=0.001, max=1, step=0.05,
            visible=lambda s: s["screen_mode"] == "p"),
    Select("force", "Always include in the multivariable model",
           choices=lambda s: {c: s.ds.label(c) for c in s["covariates"] or ()},
           default=lambda s, choices: [], multiple=True, placeholder="none"),
    PerColumn("ref", columns=lambda s: oc.factor_covariates(s.ds, s["covariates"] or ()),
              label=lambda s, column: s.ds.label(column),
              options=lambda s, column: _levels(s, column),
              default=lambda s, column, levels: levels[0] if levels else None,
              container="reference-levels",
              heading="Reference level of each categorical covariate",
              empty="No categorical covariates chosen."),
)  # fmt: skip


def build_spec(s: Settings):
    covariates = list(s["covariates"] or ())
    return rc.regression_spec(
        s.ds,
        s["outcome"] or "",
        covariates,
        model=s["model"],
        exposure=s["exposure"] or None,
        screen_p=oc.screen_threshold(s["screen_mode"], s["screen_p"]),
        force=[c for c in s["force"] or () if c in covariates],
        reference={k: v for k, v in (s["ref"] or {}).items() if v},
    )


def _plot(fig, div_id: str, container: str):
    return ui.div(HTML(figures.figure_html(fig, div_id)), plotly_dependency(), id=container)


TAB = AnalysisTab(
    name="regression",
    title="Regression settings",
    run_label="Run regression",
    idle="Choose the outcome and covariates, then press Run regression.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: rv.RegressionView(result, ds.labels(), ds.name),
    done_text=rv.done_text,
    cards=(
        Card("fit", "Model fit", rv.fit_boxes),
        Card("warnings", None, lambda v: warnings_block(v.result.warnings)),
        Card(
            "combined_table",
            "Univariable and multivariable analysis",
            rt.combined_table,
            full_screen=True,
        ),
        Card("multi_table", "Multivariable model", rt.multivariable_table, full_screen=True),
        Card(
            "forest_plot",
            "Forest plot",
            lambda v: _plot(figures.forest_plot(v), "regression-plot", "regression-forest"),
            full_screen=True,
        ),
        Card(
            "diagnostics_plot",
            "Residual diagnostics",
            lambda v: _plot(
                figures.diagnostics_plot(v), "regression-diagnostics-plot", "regression-diagnostics"
            ),
            full_screen=True,
        ),
    ),  # fmt: skip
    downloads=(
        Download("download_csv", "Tables (CSV)", "tables.csv", rt.tables_csv),
        Download("download_html", "Report (HTML)", "report.html", rt.html_report, slow=True),
    ),
    file_stem=rt.file_stem,
)

regression_ui = tab_ui(TAB)
regression_server = tab_server(TAB)
