"""The Survival tab: Kaplan–Meier curves, log-rank, Cox models and the PH check."""

from __future__ import annotations

from dataclasses import replace

from htmltools import HTML
from shiny import ui

from modules.shared.analysis_tab import AnalysisTab, Card, Download, tab_server, tab_ui
from modules.shared.controls import Checkbox, Radio, Select, Settings
from modules.shared.figures import figure_html, plotly_dependency
from modules.shared.status import warnings_block
from modules.survival import controls as sc
from modules.survival import figures, report, tables
from modules.survival import view as sv


def _levels(s: Settings, column: str | None) -> list[str]:
    return list(s.ds.meta(column).levels) if column and column in s.ds.columns else []


def _from_column(s: Settings) -> bool:
    return s["time_mode"] == "column"


def _from_dates(s: Settings) -> bool:
    return s["time_mode"] == "dates"


def _end_default(s: Settings, choices) -> str | None:
    others = [d for d in choices if d != s["start"]]
    return others[-1] if others else None


CONTROLS = (
    Radio("time_mode", "Follow-up from", sc.TIME_MODES, default="column"),
    Select("time", "Follow-up time", choices=lambda s: sc.time_choices(s.ds),
           default=lambda s, choices: sc.by_name(choices, sc.TIME_WORDS), visible=_from_column,
           empty="No numeric column can be the time."),
    Select("start", "Start date", choices=lambda s: sc.date_choices(s.ds),
           default=lambda s, choices: sc.by_name(choices, sc.START_WORDS), visible=_from_dates,
           empty="Two date columns are needed (mark them as dates on the Data tab)."),
    Select("end", "End date (event or last follow-up)", choices=lambda s: sc.date_choices(s.ds),
           default=_end_default, visible=_from_dates),
    Select("event", "Event column", choices=lambda s: sc.event_choices(s.ds),
           default=lambda s, choices: sc.by_name(choices, sc.EVENT_WORDS),
           empty="No column can be the event: mark a status column as binary on the Data tab."),
    Select("event_level", "Value that means the event happened",
           choices=lambda s: {lv: lv for lv in _levels(s, s["event"])},
           default=lambda s, choices: sc.default_event_level(list(choices)),
           visible=lambda s: s["event"] is not None),
    Select("group", "Compare groups", choices=lambda s: sc.group_choices(s.ds, [s["event"]]),
           default=lambda s, choices: sc.NO_GROUP),
    Select("covariates", "Cox model covariates (the group, if any, enters first)",
           choices=lambda s: sc.covariate_choices(
               s.ds, [s["time"], s["start"], s["end"], s["event"], s["group"]]),
           default=lambda s, choices: [], multiple=True, placeholder="none"),
    Radio("band", "95% confidence band", sc.BANDS, default="log"),
    Checkbox("show_band", "Shade the bands on the plot", default=True),
)  # fmt: skip


def build_spec(s: Settings):
    return sc.build_spec(
        s.ds,
        mode=s["time_mode"],
        time=s["time"],
        start=s["start"],
        end=s["end"],
        event=s["event"],
        event_level=s["event_level"],
        group=s["group"],
        covariates=s["covariates"] or (),
        conf_type=s["band"],
    )


def _plot(figure, div_id: str):
    return ui.div(HTML(figure_html(figure, div_id=div_id)), plotly_dependency())


def curves(view: sv.SurvivalView):
    return ui.TagList(_plot(figures.km_figure(view), "survival-plot"), tables.risk_table(view))


def hazards(view: sv.SurvivalView):
    if not len(view.result.univariable):
        return ui.p("Choose a group or covariates to fit Cox models.", class_="text-muted mb-0")
    ph = tables.ph_table(view) if len(view.result.ph_test) else None
    return ui.TagList(tables.hazard_table(view), ph)


def forest(view: sv.SurvivalView):
    if not figures.has_forest(view):
        return ui.p("No hazard ratios to plot.", class_="text-muted mb-0")
    return _plot(figures.forest_figure(view), "survival-forest")


TAB = AnalysisTab(
    name="survival",
    title="Survival settings",
    run_label="Run analysis",
    idle="Choose the follow-up time and the event, then press Run.",
    controls=CONTROLS,
    build_spec=build_spec,
    make_view=sv.make_view,
    done_text=sv.done_text,
    view_options=lambda s: bool(s["show_band"]),
    with_options=lambda view, show_band: replace(view, show_band=show_band),
    cards=(
        Card("summary", None, sv.summary_boxes),
        Card(
            "warnings",
            None,
            lambda v: warnings_block(
                v.result.warnings, element_id="survival-warnings", empty="No warnings."
            ),
        ),
        Card(
            "curves",
            "Kaplan–Meier curves (95% pointwise confidence bands)",
            curves,
            full_screen=True,
        ),
        Card("medians_out", "Median survival and log-rank test", tables.medians_table),
        Card("hazards_out", "Cox proportional hazards (hazard ratios)", hazards, full_screen=True),
        Card("forest_out", "Forest plot", forest, full_screen=True),
    ),  # fmt: skip
    downloads=(
        Download("download_csv", "Tables (CSV)", "tables.csv", report.tables_csv),
        Download("download_html", "Report (HTML)", "report.html", report.html_report, slow=True),
    ),
    downloads_note=(
        "The CSV holds every table (and the curves) in long form with numbers unformatted. The "
        "report is one HTML file with the tables and plots; it opens offline."
    ),
    error_message=sv.error_message,
    file_stem=report.file_stem,
)

survival_ui = tab_ui(TAB)
survival_server = tab_server(TAB)
