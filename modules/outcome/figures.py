"""The forest plot of adjusted odds ratios (plotly), drawn by the shared bounded forest builder.

Pure builders. Plotly renders a subset of HTML in text, so every user string (labels, levels)
is passed through html.escape before it reaches the figure.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from modules.outcome.result_view import ResultView
from modules.shared.effect_scale import Scales
from modules.shared.forest import ForestRow, forest_figure, ratio_axis
from modules.shared.formatting import (
    REFERENCE,
    fmt_ci,
    fmt_p,
    fmt_ratio,
    is_number,
    readable_decimals,
)

ROW_PX = 30
RIGHT_PX = 190  # room for the "OR (95% CI)" column printed right of the plot


def _estimate_text(estimate: float, low: float, high: float, reference: bool) -> str:
    """'2.00 (1.10–3.60)' with the true values, however far beyond the axis they lie."""
    if reference:
        return REFERENCE
    if not is_number(estimate):
        return "not estimable"
    d = readable_decimals(low, high)
    return f"{fmt_ratio(estimate, d)} ({fmt_ci(low, high, d)})"


def _hover(label: str, estimate: float, low: float, high: float, p: float, ref: bool) -> str:
    if ref:
        return f"{label}<br>{REFERENCE} (OR = 1)"
    if not is_number(estimate):
        return f"{label}<br>not estimable"
    d = readable_decimals(low, high)
    return (
        f"{label}<br>OR {fmt_ratio(estimate, d)} (95% CI {fmt_ci(low, high, d)})<br>p = {fmt_p(p)}"
    )


def forest_rows(view: ResultView) -> list[ForestRow]:
    """Rows of the multivariable table, top to bottom: each variable, its reference level first.

    A continuous covariate's label says its scale when not per unit ('Age, per SD (12.4)').
    """
    scales = Scales.of(view.result)
    out = []
    for r in view.result.multivariable.itertuples(index=False):
        name = html.escape(scales.heading(view.label(r.variable), r.variable))
        level = str(r.level)
        label = f"{name}: {html.escape(level)}" if level else name
        ok = is_number(r.estimate) and float(r.estimate) > 0
        estimate = float(r.estimate) if ok or r.is_reference else float("nan")
        low, high = float(r.ci_low), float(r.ci_high)
        p = float(r.p_value) if is_number(r.p_value) else float("nan")
        ref = bool(r.is_reference)
        out.append(
            ForestRow(
                label=label,
                estimate=estimate,
                low=low,
                high=high,
                reference=ref,
                p=p,
                text=_estimate_text(estimate, low, high, ref),
                hover=_hover(label, estimate, low, high, p, ref),
            )
        )
    return out


def forest_plot(view: ResultView) -> go.Figure:
    """Adjusted ORs with 95% CIs on a bounded log axis; reference levels as open diamonds at 1."""
    rows = forest_rows(view)
    outcome = html.escape(f"{view.outcome_label} = {view.event}")
    return forest_figure(
        rows,
        ratio_axis(rows),
        title=f"Adjusted odds ratios for {outcome}",
        axis_title="Odds ratio (95% CI), log scale",
        point_name="Adjusted OR (95% CI)",
        column_heading="OR (95% CI)",
        right_px=RIGHT_PX,
    )
