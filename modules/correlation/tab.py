"""The Correlation tab: a Pearson or Spearman matrix, its heatmap, and a scatter for one pair."""

from __future__ import annotations

from modules.correlation import controls as cc
from modules.correlation import view as cv
from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    plot_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Radio, Select, Settings


def _pair_y_default(s: Settings, choices) -> str | None:
    return next((c for c in choices if c != s["pair_x"]), None)


CONTROLS = (
    Select(
        "columns",
        "Numeric columns",
        choices=lambda s: cc.numeric_columns(s.ds),
        default=lambda s, choices: cc.default_columns(s.ds, choices),
        multiple=True,
    ),
    Radio("method", "Coefficient", cc.METHODS, default="pearson"),
    Select("adjust", "Multiple-testing correction", choices=lambda s: cc.ADJUSTMENTS),
    Select("pair_x", "Scatter plot: x axis", choices=lambda s: cc.pair_choices(s.ds, s["columns"])),
    Select(
        "pair_y",
        "Scatter plot: y axis",
        choices=lambda s: cc.pair_choices(s.ds, s["columns"]),
        default=_pair_y_default,
    ),
)


def build_spec(s: Settings):
    return cc.correlation_spec(
        s.ds, s["columns"] or (), s["method"], s["adjust"], s["pair_x"], s["pair_y"]
    )


CARDS = (
    warnings_card(empty=None),
    plot_card("heatmap_plot", "Heatmap", cv.heatmap, "correlation-heatmap",
              "correlation-heatmap-container",
              stem=lambda v: ("correlation_heatmap", v.summary.method)),
    plot_card("scatter_plot", "Scatter plot with fitted line", cv.scatter_plot,
              "correlation-plot", "correlation-plot-container",
              stem=lambda v: ("scatter", v.label(v.summary.pair_y), "vs",
                              v.label(v.summary.pair_x))),
    Card("pairs_table", "Correlations with p-values", cv.pairs_table, full_screen=True),
)  # fmt: skip

TAB = AnalysisTab(
    name="correlation",
    title="Correlation settings",
    run_label="Run correlation",
    idle="Choose at least two numeric columns, then press Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=lambda result, ds, spec: cv.CorrelationView(result, ds.labels(), ds.name),
    done_text=cv.done_text,
    cards=CARDS,
    downloads=(report_download(cv.html_report), all_numbers_download(cv.tables_csv)),
    tables=cv.tables,
    downloads_note="The Word file and the CSV hold the table as shown. 'All numbers' has every "
    "pair unrounded, for checking elsewhere.",
    file_stem=lambda view: "medstat_correlation",
    sidebar_width=340,
)
