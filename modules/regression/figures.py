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

from modules.outcome import figures
from modules.shared import figures as shared_figures
from modules.shared.figures import MUTED, POINT
from modules.shared.formatting import REFERENCE, is_number

if TYPE_CHECKING:
    from modules.regression.view import RegressionView


def figure_html(fig: go.Figure, div_id: str, inline: bool = False) -> str:
    """The figure as an HTML fragment; plotly.js from the page, or inline for a report."""
    return shared_figures.figure_html(fig, div_id=div_id, include_plotlyjs=inline)


def _row_label(view: RegressionView, variable: str, level: str) -> str:
    name = html.escape(view.label(variable))
    return f"{name}: {html.escape(level)}" if level else name


def _estimate_text(view: RegressionView, r) -> str:
    from modules.regression.view import fmt_estimate, fmt_interval

    if r.is_reference:
        return REFERENCE
    if not is_number(r.estimate):
        return "not estimable"
    return (
        f"{fmt_estimate(r.estimate, view.ratio)} ({fmt_interval(r.ci_low, r.ci_high, view.ratio)})"
    )


def forest_plot(view: RegressionView) -> go.Figure:
    """Adjusted estimates with 95% CIs: IRRs on a log axis around 1, coefficients around 0."""
    rows = list(view.result.multivariable.itertuples(index=False))
    null = 1.0 if view.ratio else 0.0
    shown = [
        (i, r)
        for i, r in enumerate(rows)
        if not r.is_reference and all(is_number(v) for v in (r.estimate, r.ci_low, r.ci_high))
    ]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[null, null],
            y=[-0.7, max(len(rows) - 0.3, 0.3)],
            mode="lines",
            line={"color": MUTED, "dash": "dash", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    wx: list[float | None] = []
    wy: list[float | None] = []
    for i, r in shown:
        wx += [float(r.ci_low), float(r.ci_high), None]
        wy += [i, i, None]
    fig.add_trace(go.Scatter(x=wx, y=wy, mode="lines", line={"color": POINT, "width": 2},
                             hoverinfo="skip", showlegend=False))  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[float(r.estimate) for _, r in shown],
            y=[i for i, _ in shown],
            mode="markers",
            marker={"color": POINT, "size": 10, "symbol": "square"},
            name=f"Adjusted {view.estimate_name} (95% CI)",
            hovertext=[
                f"{_row_label(view, r.variable, str(r.level))}<br>{_estimate_text(view, r)}"
                for _, r in shown
            ],
            hoverinfo="text",
        )
    )
    refs = [i for i, r in enumerate(rows) if r.is_reference]
    if refs:
        fig.add_trace(
            go.Scatter(
                x=[null] * len(refs),
                y=refs,
                mode="markers",
                marker={"color": MUTED, "size": 10, "symbol": "diamond-open"},
                name=REFERENCE,
                hoverinfo="skip",
            )
        )
    for i, r in enumerate(rows):
        fig.add_annotation(
            x=1.02, xref="paper", y=i, yref="y", text=_estimate_text(view, r), showarrow=False,
            xanchor="left", font={"size": 12, "color": MUTED if r.is_reference else "#212529"},
        )  # fmt: skip
    outcome = html.escape(view.outcome_label)
    fig.update_layout(
        title={"text": f"Adjusted {view.estimate_name}s for {outcome}", "x": 0.0},
        height=max(260, 140 + figures.ROW_PX * len(rows)),
        margin={"l": 10, "r": figures.RIGHT_PX, "t": 60, "b": 60},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0},
    )
    axis_title = (
        "Incidence rate ratio (95% CI), log scale" if view.ratio else "Coefficient (95% CI)"
    )
    fig.update_xaxes(title={"text": axis_title}, showgrid=True, gridcolor="#eeeeee", zeroline=False)
    if view.ratio:
        values = [1.0] + [float(v) for _, r in shown for v in (r.ci_low, r.ci_high) if v > 0]
        lo, hi = math.log10(min(values)), math.log10(max(values))
        pad = max(0.1, (hi - lo) * 0.08)
        fig.update_xaxes(type="log", range=[lo - pad, hi + pad])
    fig.update_yaxes(
        tickvals=list(range(len(rows))),
        ticktext=[_row_label(view, r.variable, str(r.level)) for r in rows],
        range=[len(rows) - 0.4, -0.6],
        showgrid=False,
        zeroline=False,
        automargin=True,
    )
    return fig


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
