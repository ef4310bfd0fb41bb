"""plotly's first figure of a process, made in a thread when the first session opens.

plotly.py validates every property it is given, and loads what it validates against lazily,
the first time each kind of trace or property is used: the first forest plot of a worker took
~265 ms (the next 23 ms), all of it on the event loop, where figures are drawn, and in the
wide-file test it was one of the longest steps of the loop that /healthz waited behind. One
figure with the traces and properties the app draws, made in a thread beside the statistics
stack's import (logic.warm_up), loads them before any user's result is drawn.
"""

from __future__ import annotations

import threading

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from utils import gc_freeze

_started = threading.Event()


def warm_up() -> None:
    """Start the warm-up once per process (app.py, with each new session; later calls return)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_warm, name="figure-warm-up", daemon=True).start()


def sample_figure() -> go.Figure:
    """A figure with every trace type and the common properties the app's figures use."""
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.1)
    fig.add_trace(
        go.Scatter(
            x=[1, 2], y=[1, 2], mode="lines+markers+text", text=["a", "b"],
            line={"color": "#1f4e79", "dash": "dash", "width": 1, "shape": "hv"},
            marker={"symbol": "square", "size": 10, "color": "#1f4e79"},
            hovertext=["a", "b"], hoverinfo="text", fill="toself", fillcolor="rgba(0,0,0,0.1)",
            textposition="middle right", textfont={"size": 11}, showlegend=False, name="a",
        ),
        row=1, col=1,
    )  # fmt: skip
    fig.add_trace(go.Scattergl(x=[1, 2], y=[2, 1], mode="markers"), row=1, col=1)
    fig.add_trace(go.Bar(x=["a", "b"], y=[1, 2], orientation="v"), row=2, col=1)
    fig.add_trace(go.Heatmap(z=[[1, 0], [0, 1]], x=["a", "b"], y=["a", "b"], zmin=-1, zmax=1))
    fig.update_layout(
        title={"text": "t", "x": 0.0, "xanchor": "left"}, height=300, plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 60, "b": 60}, hoverlabel={"align": "left"},
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0.0},
        annotations=[{"x": 1.02, "xref": "paper", "y": 0, "yref": "y", "text": "a",
                      "showarrow": False, "xanchor": "left", "font": {"size": 12}}],
        shapes=[{"type": "line", "x0": 0, "x1": 1, "y0": 0, "y1": 1}],
    )  # fmt: skip
    fig.update_xaxes(
        type="log", range=[0, 1], autorange=False, title={"text": "x"}, showgrid=True,
        gridcolor="#eeeeee", tickvals=[1], ticktext=["1"], zeroline=False,
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", tickvals=[0], ticktext=["a"], showgrid=False)
    fig.add_hline(y=0)
    fig.add_vline(x=1)
    return fig


def _warm() -> None:
    with gc_freeze.building():  # what plotly loads lives as long as the worker
        sample_figure().to_plotly_json()
