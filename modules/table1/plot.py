"""The plot of standardised mean differences of a two-group Table 1 (a "Love plot"), in plotly.

Plotly renders a subset of HTML in text, so every user string is escaped before it gets there.
"""

from __future__ import annotations

import html

import plotly.graph_objects as go

from modules.shared.formatting import is_number
from modules.table1.view import SMD_IMBALANCE, Table1View

POINT = "#1f4e79"
WARN = "#b00020"
MUTED = "#7f7f7f"
ROW_PX = 26


def smd_points(view: Table1View) -> list[tuple[str, float]]:
    """(escaped label, SMD) of each variable with a finite SMD, in table order."""
    rows = view.result.variables
    return [
        (html.escape(view.label(v)), float(s))
        for v, s in zip(rows["variable"], rows["smd"])
        if is_number(s)
    ]


def love_plot(view: Table1View) -> go.Figure | None:
    """SMD per variable with the 0.1 imbalance line; None unless there are exactly two groups."""
    points = smd_points(view)
    if len(view.group_levels) != 2 or not points:
        return None
    labels = [p[0] for p in points]
    values = [p[1] for p in points]
    colours = [WARN if v > SMD_IMBALANCE else POINT for v in values]
    first, second = (html.escape(g) for g in view.group_levels)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=values,
            y=list(range(len(points))),  # positions, so that two equal labels stay two rows
            mode="markers",
            marker={"color": colours, "size": 10},
            hovertext=[f"{lab}<br>SMD {v:.3f}" for lab, v in points],
            hoverinfo="text",
            showlegend=False,
        )
    )
    top = max(values + [SMD_IMBALANCE * 2])
    fig.add_vline(x=SMD_IMBALANCE, line={"color": MUTED, "dash": "dash", "width": 1})
    group = html.escape(view.label(view.group or ""))
    fig.update_layout(
        title={
            "text": f"Standardised mean differences, {group}: {first} vs {second}",
            "x": 0.0,
            "xanchor": "left",
        },
        height=max(240, 120 + ROW_PX * len(points)),
        margin={"l": 10, "r": 20, "t": 60, "b": 50},
        plot_bgcolor="white",
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(
        range=[0, top * 1.1],
        title={"text": f"Absolute SMD (dashed line: {SMD_IMBALANCE:g})"},
        showgrid=True,
        gridcolor="#eeeeee",
        zeroline=True,
    )
    fig.update_yaxes(
        tickvals=list(range(len(points))),
        ticktext=labels,
        range=[len(points) - 0.5, -0.5],  # first variable on top
        automargin=True,
        showgrid=False,
        zeroline=False,
    )
    return fig
