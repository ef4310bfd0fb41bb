"""The forest plot of adjusted odds ratios (plotly), and the one offline copy of plotly.js.

Pure builders. Plotly renders a subset of HTML in text, so every user string (labels, levels)
is passed through html.escape before it reaches the figure.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import plotly.graph_objects as go

from modules.outcome.result_view import ResultView
from modules.shared.figures import MUTED, POINT
from modules.shared.formatting import REFERENCE, fmt_ci, fmt_p, fmt_ratio, is_number

ROW_PX = 30
RIGHT_PX = 190  # room for the "OR (95% CI)" column printed right of the plot


def _estimate_text(row: ForestRow) -> str:
    if row.reference:
        return REFERENCE
    if not is_number(row.estimate):
        return "not estimable"
    return f"{fmt_ratio(row.estimate)} ({fmt_ci(row.low, row.high)})"


def _add_estimate_column(fig: go.Figure, rows: list) -> None:
    """Each row's OR (95% CI) as text right of the plot, as finalfit's or_plot prints it."""
    for i, row in enumerate(rows):
        fig.add_annotation(
            x=1.02,
            xref="paper",
            y=i,
            yref="y",
            text=_estimate_text(row),
            showarrow=False,
            xanchor="left",
            font={"size": 12, "color": MUTED if row.reference else "#212529"},
        )
    fig.add_annotation(
        x=1.02,
        xref="paper",
        y=1.0,
        yref="paper",
        yanchor="bottom",
        text="<b>OR (95% CI)</b>",
        showarrow=False,
        xanchor="left",
        font={"size": 12},
    )


@dataclass(frozen=True)
class ForestRow:
    """One line of the plot: a label, the estimate and CI (NaN when not estimable)."""

    label: str  # already escaped
    estimate: float
    low: float
    high: float
    p: float
    reference: bool


def forest_rows(view: ResultView) -> list[ForestRow]:
    """Rows of the multivariable table, top to bottom: each variable, its reference level first."""
    out = []
    for r in view.result.multivariable.itertuples(index=False):
        name = html.escape(view.label(r.variable))
        level = str(r.level)
        label = f"{name}: {html.escape(level)}" if level else name
        finite = all(is_number(v) and float(v) > 0 for v in (r.estimate, r.ci_low, r.ci_high))
        nan = float("nan")
        out.append(
            ForestRow(
                label=label,
                estimate=float(r.estimate) if finite or r.is_reference else nan,
                low=float(r.ci_low) if finite else nan,
                high=float(r.ci_high) if finite else nan,
                p=float(r.p_value) if is_number(r.p_value) else nan,
                reference=bool(r.is_reference),
            )
        )
    return out


def _axis_range(rows: list[ForestRow]) -> tuple[float, float]:
    """log10 limits covering every CI and 1, with a little room."""
    values = [1.0] + [v for r in rows if not r.reference for v in (r.low, r.high) if is_number(v)]
    lo, hi = math.log10(min(values)), math.log10(max(values))
    pad = max(0.1, (hi - lo) * 0.08)
    return lo - pad, hi + pad


def _ticks(lo: float, hi: float) -> list[float]:
    """1-2-5 ticks inside the log10 range, e.g. 0.2 0.5 1 2 5."""
    ticks = []
    for exponent in range(math.floor(lo) - 1, math.ceil(hi) + 1):
        for mantissa in (1, 2, 5):
            value = mantissa * 10.0**exponent
            if lo <= math.log10(value) <= hi:
                ticks.append(value)
    return ticks or [1.0]


def _tick_text(value: float) -> str:
    return f"{value:g}"


def _hover(row: ForestRow) -> str:
    if row.reference:
        return f"{row.label}<br>{REFERENCE} (OR = 1)"
    if not is_number(row.estimate):
        return f"{row.label}<br>not estimable"
    return (
        f"{row.label}<br>OR {fmt_ratio(row.estimate)} (95% CI {fmt_ci(row.low, row.high)})"
        f"<br>p = {fmt_p(row.p)}"
    )


def forest_plot(view: ResultView) -> go.Figure:
    """Adjusted ORs with 95% CIs on a log axis; reference levels drawn as open diamonds at 1."""
    rows = forest_rows(view)
    y = list(range(len(rows)))
    est = [r for r in rows if not r.reference and is_number(r.estimate)]
    refs = [r for r in rows if r.reference]
    lost = [r for r in rows if not r.reference and not is_number(r.estimate)]
    pos = {id(r): i for i, r in enumerate(rows)}
    whisker_x: list[float | None] = []
    whisker_y: list[int | None] = []
    for r in est:
        whisker_x += [r.low, r.high, None]
        whisker_y += [pos[id(r)], pos[id(r)], None]

    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[1, 1],
            y=[-0.7, max(len(rows) - 0.3, 0.3)],
            mode="lines",
            line={"color": MUTED, "dash": "dash", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=whisker_x,
            y=whisker_y,
            mode="lines",
            line={"color": POINT, "width": 2},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    fig.add_trace(
        go.Scatter(
            x=[r.estimate for r in est],
            y=[pos[id(r)] for r in est],
            mode="markers",
            marker={"color": POINT, "size": 10, "symbol": "square"},
            name="Adjusted OR (95% CI)",
            hovertext=[_hover(r) for r in est],
            hoverinfo="text",
        )
    )
    if refs:
        fig.add_trace(
            go.Scatter(
                x=[1.0] * len(refs),
                y=[pos[id(r)] for r in refs],
                mode="markers",
                marker={"color": MUTED, "size": 10, "symbol": "diamond-open"},
                name=REFERENCE,
                hovertext=[_hover(r) for r in refs],
                hoverinfo="text",
            )
        )
    if lost:
        fig.add_trace(
            go.Scatter(
                x=[1.0] * len(lost),
                y=[pos[id(r)] for r in lost],
                mode="text",
                text=["not estimable"] * len(lost),
                textposition="middle right",
                textfont={"color": "#b00020", "size": 11},
                hovertext=[_hover(r) for r in lost],
                hoverinfo="text",
                showlegend=False,
            )
        )
    _add_estimate_column(fig, rows)
    lo, hi = _axis_range(rows)
    ticks = _ticks(lo, hi)
    outcome = html.escape(f"{view.outcome_label} = {view.event}")
    fig.update_layout(
        title={"text": f"Adjusted odds ratios for {outcome}", "x": 0.0, "xanchor": "left"},
        height=max(260, 140 + ROW_PX * len(rows)),
        margin={"l": 10, "r": RIGHT_PX, "t": 60, "b": 60},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0},
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(
        type="log",
        range=[lo, hi],
        tickvals=ticks,
        ticktext=[_tick_text(t) for t in ticks],
        title={"text": "Odds ratio (95% CI), log scale"},
        showgrid=True,
        gridcolor="#eeeeee",
        zeroline=False,
    )
    fig.update_yaxes(
        tickvals=y,
        ticktext=[r.label for r in rows],
        range=[len(rows) - 0.4, -0.6],  # first variable on top
        showgrid=False,
        zeroline=False,
        automargin=True,
    )
    return fig
