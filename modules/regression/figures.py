"""Plotly figures of a regression: forest plot of the adjusted estimates, residual diagnostics.

Pure builders. Plotly renders a subset of HTML in text, so every user string (labels, levels)
passes through html.escape before it reaches a figure.
"""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from modules.shared import figures as shared_figures
from modules.shared.effect_scale import Scales
from modules.shared.figures import MUTED, POINT
from modules.shared.forest import ForestRow, coefficient_axis, forest_figure, ratio_axis
from modules.shared.formatting import REFERENCE, is_number

if TYPE_CHECKING:
    from modules.regression.view import RegressionView

RIGHT_PX = 210  # room for the estimate column printed right of the plot


def figure_html(fig: go.Figure, div_id: str, inline: bool = False) -> str:
    """The figure as an HTML fragment; plotly.js from the page, or inline for a report."""
    return shared_figures.figure_html(fig, div_id=div_id, include_plotlyjs=inline)


def _row_label(view: RegressionView, variable: str, level: str) -> str:
    name = html.escape(Scales.of(view.result).heading(view.label(variable), variable))
    return f"{name}: {html.escape(level)}" if level else name


def _estimate_text(view: RegressionView, r) -> str:
    from modules.regression.view import estimate_decimals, fmt_estimate, fmt_interval

    if r.is_reference:
        return REFERENCE
    if not is_number(r.estimate):
        return "not estimable"
    d = estimate_decimals(r.ci_low, r.ci_high, view.ratio)
    return (
        f"{fmt_estimate(r.estimate, view.ratio, d)} "
        f"({fmt_interval(r.ci_low, r.ci_high, view.ratio, d)})"
    )


def forest_rows(view: RegressionView) -> list[ForestRow]:
    """The adjusted model's rows, top to bottom, with their texts (true values)."""
    null = 1.0 if view.ratio else 0.0
    out = []
    for r in view.result.multivariable.itertuples(index=False):
        label = _row_label(view, r.variable, str(r.level))
        ok = is_number(r.estimate) and (float(r.estimate) > 0 or not view.ratio)
        text = _estimate_text(view, r)
        out.append(
            ForestRow(
                label=label,
                estimate=float(r.estimate) if ok else (null if r.is_reference else math.nan),
                low=float(r.ci_low),
                high=float(r.ci_high),
                reference=bool(r.is_reference),
                p=float(r.p_value) if is_number(r.p_value) else math.nan,
                text=text,
                hover=f"{label}<br>{text}",
            )
        )
    return out


def forest_plot(view: RegressionView) -> go.Figure:
    """Adjusted estimates with 95% CIs: IRRs on a bounded log axis around 1, coefficients
    around 0 (see modules/shared/forest.py for the bounds)."""
    rows = forest_rows(view)
    axis = ratio_axis(rows) if view.ratio else coefficient_axis(rows)
    axis_title = (
        "Incidence rate ratio (95% CI), log scale" if view.ratio else "Coefficient (95% CI)"
    )
    return forest_figure(
        rows,
        axis,
        title=f"Adjusted {view.estimate_name}s for {html.escape(view.outcome_label)}",
        axis_title=axis_title,
        point_name=f"Adjusted {view.estimate_name} (95% CI)",
        column_heading=f"{view.estimate_name} (95% CI)",
        right_px=RIGHT_PX,
    )


def diagnostics_plot(view: RegressionView) -> go.Figure:
    """Residuals against fitted values, and the normal QQ plot of standardized residuals."""
    d = view.result.diagnostics
    resid_name = "Residual" if not view.ratio else "Pearson residual"
    fig = make_subplots(
        rows=1,
        cols=2,
        subplot_titles=("Residuals vs fitted", "Normal QQ plot"),
        horizontal_spacing=0.1,
    )
    marker = {"color": POINT, "size": 5, "opacity": 0.6}
    fig.add_trace(
        go.Scattergl(x=d["fitted"], y=d["residual"], mode="markers", marker=marker,
                     name=resid_name, showlegend=False),
        row=1, col=1,
    )  # fmt: skip
    fig.add_hline(y=0, line={"color": MUTED, "dash": "dash", "width": 1}, row=1, col=1)
    fig.add_trace(
        go.Scattergl(x=d["qq_theoretical"], y=d["std_residual"], mode="markers", marker=marker,
                     name="Standardized residual", showlegend=False),
        row=1, col=2,
    )  # fmt: skip
    finite = d["qq_theoretical"].to_numpy(dtype=float)
    finite = finite[np.isfinite(finite)]
    if len(finite):
        lo, hi = float(finite.min()), float(finite.max())
        fig.add_trace(
            go.Scatter(x=[lo, hi], y=[lo, hi], mode="lines", hoverinfo="skip", showlegend=False,
                       line={"color": MUTED, "dash": "dash", "width": 1}),
            row=1, col=2,
        )  # fmt: skip
    fig.update_xaxes(title_text="Fitted value", row=1, col=1)
    fig.update_yaxes(title_text=resid_name, row=1, col=1)
    fig.update_xaxes(title_text="Theoretical normal quantile", row=1, col=2)
    std_name = "Standardized deviance residual" if view.ratio else "Standardized residual"
    fig.update_yaxes(title_text=std_name, row=1, col=2)
    fig.update_layout(height=380, margin={"l": 10, "r": 10, "t": 40, "b": 50},
                      plot_bgcolor="white")  # fmt: skip
    return fig
