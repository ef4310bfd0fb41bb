"""Pure builders for the Survival page: the display context, status, value boxes, layout.

Nothing here runs Shiny server code; every string from the user's file goes through
htmltools tags (escaped). The tables are in survival_tables.py, the plots in
survival_figures.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd
from htmltools import Tag, TagList
from shiny import ui

from modules.shared.formatting import (
    DASH,
    fmt_count,
    fmt_p,
    is_number,
)
from modules.shared.labelled import Labelled

if TYPE_CHECKING:
    from analyses.results import SurvivalResult


@dataclass(frozen=True)
class SurvivalView(Labelled):
    """A SurvivalResult with what the page needs to show it: labels and the outcome's names."""

    result: SurvivalResult
    event_column: str
    group: str | None
    time_label: str
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""
    show_band: bool = True  # shade the confidence bands on the plot (a display choice)

    @property
    def event_text(self) -> str:
        return f"{self.label(self.event_column)} = {self.result.fit.event}"

    @property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.result.medians["group"])

    def group_name(self, group: str) -> str:
        return str(group)

    @property
    def adjusted(self) -> bool:
        """True when the multivariable model has more than one covariate."""
        return len(self.result.fit.covariates_in_model) > 1

    @property
    def hazard_table(self) -> pd.DataFrame:
        return self.result.multivariable if self.adjusted else self.result.univariable

    @property
    def model_name(self) -> str:
        return "Adjusted" if self.adjusted else "Crude"


def time_label(dataset, spec) -> str:
    """The x-axis title: the time column's label, or days between the two dates."""
    if spec.time is not None:
        return dataset.label(spec.time)
    return f"Days from {dataset.label(spec.start)} to {dataset.label(spec.end)}"


def make_view(result: SurvivalResult, dataset, spec) -> SurvivalView:
    return SurvivalView(
        result=result,
        event_column=spec.event,
        group=spec.group,
        time_label=time_label(dataset, spec),
        labels=dataset.labels(),
        dataset_name=dataset.name,
    )


def p_text(value: object) -> str:
    """'p = 0.012', 'p < 0.001' or 'p —' for sentences."""
    text = fmt_p(value)
    return f"p < {text[1:]}" if text.startswith("<") else f"p = {text}"


def fmt_time(value: object) -> str:
    """A time as R prints it in survfit tables: whole numbers plain, else one decimal."""
    if not is_number(value):
        return DASH
    x = float(value)  # type: ignore[arg-type]
    return f"{x:,.0f}" if x.is_integer() else f"{x:,.1f}"


def _logrank_text(view: SurvivalView) -> str:
    strata = view.result.fit.strata
    if not strata:
        return "between groups"
    by = " and ".join(view.label(c) for c in strata)
    return f"between groups, stratified by {by}" if view.group else f"between strata of {by}"


def summary_boxes(view: SurvivalView) -> Tag:
    m = view.result.fit
    p = m.logrank_p
    ph = m.ph_global_p
    boxes = [
        ui.value_box(
            "Patients",
            fmt_count(m.n_used),
            f"of {fmt_count(m.n_total)} · {fmt_count(m.n_excluded)} left out",
            id="box_n",
        ),
        ui.value_box("Events", fmt_count(m.events), view.event_text, id="box_events"),
        ui.value_box(
            "Median follow-up",
            fmt_time(m.median_follow_up),
            f"{view.time_label} (reverse Kaplan–Meier)",
            id="box_followup",
        ),
        ui.value_box(
            "Log-rank p",
            fmt_p(p),
            _logrank_text(view) if is_number(p) else "no groups",
            id="box_logrank",
        ),  # fmt: skip
        ui.value_box(
            "PH check (global p)",
            fmt_p(ph),
            "no evidence against PH"
            if is_number(ph) and ph >= 0.05
            else ("hazards may not be proportional" if is_number(ph) else "no Cox model"),
            theme="warning" if is_number(ph) and ph < 0.05 else None,
            id="box_ph",
        ),
    ]
    return ui.layout_column_wrap(*boxes, width="190px", fill=False, heights_equal="row")


def done_text(view: SurvivalView, seconds: float | None) -> str:
    m = view.result.fit
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    return (
        f"Done{took}: {fmt_count(m.n_used)} patients, {fmt_count(m.events)} events "
        f"({view.event_text})."
    )


def results_layout() -> TagList:
    """The result cards, each around one output; shown once a first result exists."""
    return TagList(
        ui.output_ui("summary"),
        ui.output_ui("warnings"),
        ui.card(
            ui.card_header("Kaplan–Meier curves (95% pointwise confidence bands)"),
            ui.output_ui("plot_out"),
            ui.output_ui("risk_out"),
            full_screen=True,
        ),
        ui.card(ui.card_header("Median survival and log-rank test"), ui.output_ui("medians_out")),
        ui.card(
            ui.card_header("Cox proportional hazards (hazard ratios)"),
            ui.output_ui("hazards_out"),
            ui.output_ui("ph_out"),
            full_screen=True,
        ),
        ui.card(ui.card_header("Forest plot"), ui.output_ui("forest_out"), full_screen=True),
        ui.card(
            ui.card_header("Downloads"),
            ui.div(
                ui.download_button("download_csv", "Tables (CSV)", class_="btn-outline-primary"),
                ui.download_button("download_html", "Report (HTML)", class_="btn-outline-primary"),
                class_="d-flex gap-2 flex-wrap",
            ),
            ui.p(
                "The CSV holds every table (and the curves) in long form with numbers "
                "unformatted. The report is one HTML file with the tables and plots; it opens "
                "offline.",
                class_="small text-muted mb-0",
            ),
        ),
    )
