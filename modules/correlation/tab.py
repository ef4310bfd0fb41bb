"""The Correlation tab: a Pearson or Spearman matrix, its heatmap, and a scatter for one pair."""

from __future__ import annotations

from htmltools import HTML
from shiny import ui

from modules.correlation import controls as cc
from modules.correlation import view as cv
from modules.shared.analysis_tab import AnalysisTab, Card, Download, tab_server, tab_ui
from modules.shared.controls import Radio, Select, Settings
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.status import warnings_block


def _pair_y_default(s: Settings, choices) -> str | None:
    return next((c for c in choices if c != s["pair_x"]), None)


CONTROLS = (
    Select("columns", "Numeric columns", choices=lambda s: cc.numeric_columns(s.ds),
           default=lambda s, choices: cc.default_columns(choices), multiple=True),
    Radio("method", "Coefficient", cc.METHODS, default="pearson"),
    Select("adjust", "Multiple-testing correction", choices=lambda s: cc.ADJUSTMENTS,
           default=lambda s, choices: "none"),
    Select("pair_x", "Scatter plot: x axis",
           choices=lambda s: cc.pair_choices(s.ds, s["columns"] or ())),
    Select("pair_y", "Scatter plot: y axis",
           choices=lambda s: cc.pair_choices(s.ds, s["columns"] or ()), default=_pair_y_default),
)  # fmt: skip


def build_spec(s: Settings):
    return cc.correlation_spec(
        s.ds, s["columns"] or (), s["method"], s["adjust"], s["pair_x"], s["pair_y"]
    )


def _plot(fig, div_id: str):
    html = figure_html(fig, div_id=div_id)
    return ui.div(HTML(html), plotly_dependency(), id=f"{div_id}-container")


def done_text(view: cv.CorrelationView, seconds: float) -> str:
    n_pairs = len(view.result.pairs)
    return f"Done in {seconds:.1f} s: {n_pairs} pairs. Scatter: {cv.pair_text(view)}."


TAB = AnalysisTab(
    name="correlation",
    title="Correlation settings",
    run_label="Run correlation",
    idle="Choose at least two numeric columns, then press Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: cv.CorrelationView(result, ds.labels(), ds.name),
    done_text=done_text,
    sidebar_width=340,
    cards=(
        Card("warnings", None, lambda v: warnings_block(v.result.warnings, empty=None)),
        Card(
            "heatmap_plot",
            "Heatmap",
            lambda v: _plot(cv.heatmap(v), "correlation-heatmap"),
            full_screen=True,
        ),
        Card(
            "scatter_plot",
            "Scatter plot with fitted line",
            lambda v: _plot(cv.scatter_plot(v), "correlation-plot"),
            full_screen=True,
        ),
        Card("pairs_table", "Correlations with p-values", cv.pairs_table, full_screen=True),
    ),  # fmt: skip
    downloads=(
        Download("download_csv", "Table (CSV)", "table.csv", cv.tables_csv),
        Download("download_html", "Report (HTML)", "report.html", cv.html_report, slow=True),
    ),
    file_stem=lambda view: "medstat_correlation",
)

correlation_ui = tab_ui(TAB)
correlation_server = tab_server(TAB)
