"""Pure builders for the Outcome analysis page: status line, fit value boxes, warnings, cards."""

from __future__ import annotations

import logging

from htmltools import TagList, tags
from shiny import ui

from modules.outcome.result_view import ResultView, no_event_name
from modules.shared.formatting import (
    DASH,
    fmt_count,
    fmt_number,
    fmt_p,
    is_number,
    method_name,
)
from utils.dataset import Dataset

log = logging.getLogger(__name__)

LOW_EPV = 10.0


def make_view(result, dataset: Dataset, spec) -> ResultView:
    """The display context of a finished analysis, taken from the data it ran on."""
    event = str(result.fit.event)
    levels = dataset.meta(spec.outcome).levels if spec.outcome in dataset.columns else ()
    return ResultView(
        result=result,
        outcome=spec.outcome,
        event=event,
        no_event=no_event_name(tuple(levels), event),
        labels=dataset.labels(),
        continuous_summary=spec.continuous_summary,
        dataset_name=dataset.name,
    )


def done_text(view: ResultView, seconds: float | None) -> str:
    m = view.result.fit
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    return (
        f"Done{took}: {fmt_count(m.n_used)} patients analysed, "
        f"{fmt_count(m.events)} with {view.outcome_label} = {view.event}. "
        f"{method_name(m.method)}."
    )


def fit_boxes(view: ResultView) -> TagList:
    """Value boxes of the model fit, and one line naming the method, event and covariates."""
    m = view.result.fit
    epv = m.events_per_variable
    low_epv = is_number(epv) and float(epv) < LOW_EPV
    excluded = m.n_excluded
    ci = DASH
    if is_number(m.auc_ci_low) and is_number(m.auc_ci_high):
        ci = f"95% CI {fmt_number(m.auc_ci_low)}–{fmt_number(m.auc_ci_high)}"
    hl_p = m.hosmer_lemeshow_p
    hl_note = (
        "no evidence of poor calibration"
        if is_number(hl_p) and float(hl_p) >= 0.05
        else "calibration may be poor"
        if is_number(hl_p)
        else "not computable"
    )
    boxes = [
        ui.value_box(
            "Patients analysed",
            fmt_count(m.n_used),
            f"of {fmt_count(m.n_total)} · {fmt_count(excluded)} excluded for missing data",
            id="fit_n",
        ),
        ui.value_box(
            "Events",
            fmt_count(m.events),
            f"{fmt_number(epv, 1)} events per variable" + (" (fewer than 10)" if low_epv else ""),
            theme="warning" if low_epv else None,
            id="fit_events",
        ),
        ui.value_box("C-statistic (AUC)", fmt_number(m.auc), ci, id="fit_auc"),
        ui.value_box(
            "Nagelkerke R²",
            fmt_number(m.nagelkerke_r2, 3),
            f"McFadden R² {fmt_number(m.mcfadden_r2, 3)}",
            id="fit_r2",
        ),
        ui.value_box("Hosmer–Lemeshow p", fmt_p(hl_p), hl_note, id="fit_hl"),
        ui.value_box(
            "AIC",
            fmt_number(m.aic, 1),
            "lower is better, for models on the same patients",
            id="fit_aic",
        ),
    ]
    covariates = m.covariates_in_model
    screen = m.screen_p
    selection = "all candidates" if screen is None else f"univariable p < {screen:g} or forced"
    line = tags.p(
        tags.strong("Method: "),
        method_name(m.method),
        tags.span(" · ", class_="text-muted"),
        tags.strong("Event: "),
        f"{view.outcome_label} = {view.event} (compared with {view.no_event})",
        tags.span(" · ", class_="text-muted"),
        tags.strong("In the model "),
        f"({selection}): ",
        ", ".join(view.label(c) for c in covariates) or DASH,
        class_="mt-2 mb-0",
        id="fit_method",
    )
    return TagList(
        ui.layout_column_wrap(*boxes, width="200px", fill=False, heights_equal="row"), line
    )
