"""The Survival tab: Kaplan–Meier curves, log-rank, Cox models and the PH check."""

from __future__ import annotations

from dataclasses import replace

from shiny import ui

from modules.shared.analysis_tab import (
    AnalysisTab,
    Card,
    all_numbers_download,
    figure_card,
    report_download,
    warnings_card,
)
from modules.shared.controls import Checkbox, Radio, Select, Settings, level_choices
from modules.shared.effect_scale import EFFECT_SCALE_CONTROL
from modules.shared.figures import plot_div
from modules.shared.imputation_option import IMPUTED_CONTROL, with_imputation
from modules.shared.modifier_controls import modifier_controls, with_modifiers
from modules.shared.modifier_view import (
    HAZARD_RATIO,
    modifiers_download,
    modifiers_figure_card,
    with_modifier_docs,
)
from modules.shared.pooled_view import pooled_card, with_pooled_docs
from modules.survival import controls as sc
from modules.survival import figures, report, tables
from modules.survival import view as sv


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
           default=lambda s, choices: sc.default_time(s.ds), visible=_from_column,
           empty="No numeric column can be the time.", placeholder=sc.TIME_PLACEHOLDER),
    Select("start", "Start date", choices=lambda s: sc.date_choices(s.ds),
           default=lambda s, choices: sc.by_name(choices, sc.START_WORDS) or next(iter(choices)),
           visible=_from_dates,
           empty="Two date columns are needed (mark them as dates on the Data tab)."),
    Select("end", "End date (event or last follow-up)", choices=lambda s: sc.date_choices(s.ds),
           default=_end_default, visible=_from_dates),
    Select("event", "Event column", choices=lambda s: sc.event_choices(s.ds),
           default=lambda s, choices: sc.default_event(s.ds),
           empty="No column can be the event: mark a status column as binary on the Data tab.",
           placeholder=sc.EVENT_PLACEHOLDER),
    Select("event_level", "Value that means the event happened",
           choices=lambda s: level_choices(s, s["event"]),
           default=lambda s, choices: sc.default_event_level(
               list(choices), sc.censor_note(s.ds, s["event"]) is not None),
           visible=lambda s: s["event"] is not None,
           note=lambda s, value: sc.censor_note(s.ds, s["event"])),
    Select("group", "Compare groups", choices=lambda s: sc.group_choices(s.ds, [s["event"]]),
           default=lambda s, choices: sc.NO_GROUP),
    Select("strata", sc.STRATA_LABEL,
           choices=lambda s: sc.strata_choices(
               s.ds, [s["time"], s["start"], s["end"], s["event"], s["group"]]),
           multiple=True, placeholder="none", note=sc.strata_note),
    Select("covariates", "Cox model covariates (the group, if any, enters first)",
           choices=lambda s: sc.covariate_choices(
               s.ds, [s["time"], s["start"], s["end"], s["event"], s["group"], *s["strata"]]),
           multiple=True, placeholder="none"),
    *modifier_controls(
        lambda s: [g for g in (s["group"], *(s["covariates"] or ())) if g],
        lambda s: [s["time"], s["start"], s["end"], s["event"], *(s["strata"] or ())],
    ),
    EFFECT_SCALE_CONTROL,
    Radio("band", "95% confidence band", sc.BANDS, default="log"),
    Checkbox("show_band", "Shade the bands on the plot", default=True),
    IMPUTED_CONTROL,
)  # fmt: skip


def build_spec(s: Settings):
    return with_imputation(with_modifiers(_spec(s), s), s)


def _spec(s: Settings):
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
        strata=s["strata"] or (),
        conf_type=s["band"],
        effect_scale=s["effect_scale"],
    )


def curves(view: sv.SurvivalView, fig):
    return ui.TagList(plot_div(fig, "survival-plot"), tables.risk_table(view))


def km_stem(view: sv.SurvivalView) -> tuple[str, ...]:
    """km_by_sex, or km_<event> without groups."""
    return ("km", "by", view.label(view.group)) if view.group else ("km", view.event_text)


def hazards(view: sv.SurvivalView):
    if not len(view.result.univariable):
        return ui.p("Choose a group or covariates to fit Cox models.", class_="text-muted mb-0")
    ph = tables.ph_table(view) if len(view.result.ph_test) else None
    return ui.TagList(tables.hazard_table(view), ph)


def forest_figure(view: sv.SurvivalView):
    return figures.forest_figure(view) if figures.has_forest(view) else None


def forest(view: sv.SurvivalView, fig):
    if fig is None:
        return ui.p("No hazard ratios to plot.", class_="text-muted mb-0")
    return plot_div(fig, "survival-forest")


CARDS = (
    Card("summary", None, sv.summary_boxes),
    warnings_card("survival-warnings"),
    figure_card(
        "plot_out",
        "Kaplan–Meier curves (95% pointwise confidence bands)",
        figures.km_figure,
        km_stem,
        curves,
    ),
    Card("medians_out", "Median survival and log-rank test", tables.medians_table),
    Card("hazards_out", "Cox proportional hazards (hazard ratios)", hazards, full_screen=True),
    figure_card(
        "forest_out", "Forest plot", forest_figure, lambda v: ("forest_hr", v.model_name), forest
    ),
    modifiers_figure_card(
        lambda v: v.result, lambda v: v.label, lambda v: HAZARD_RATIO, "survival"
    ),
    pooled_card(lambda v: v.result, lambda v: v.label, lambda v: HAZARD_RATIO, "survival"),
)

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
    cards=CARDS,
    downloads=(
        report_download(report.html_report),
        all_numbers_download(report.tables_csv),
        modifiers_download(lambda view: view.result, lambda view: view.label),
    ),
    tables=with_pooled_docs(
        with_modifier_docs(
            tables.documents,
            lambda v: v.result,
            lambda v: v.label,
            lambda v: HAZARD_RATIO,
            "survival",
        ),
        lambda v: v.result,
        lambda v: v.label,
        lambda v: HAZARD_RATIO,
        "survival",
    ),
    downloads_note="The Word file holds every table as a journal prints it, with its notes; the "
    "CSV download is a .zip of one file per table, each as shown. The report is one HTML file "
    "with the tables and plots; it opens offline. 'All numbers' is every table in long form, "
    "unrounded, with the curves' points, for checking or re-plotting elsewhere.",
    file_stem=report.file_stem,
)
