"""The Propensity scores figures: the scores' distribution by group before and after (overlap)
and the love plot of the SMDs. Text from the user's file is escaped (html.escape)."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analyses.propensity_balance import IMBALANCE
from modules.propensity.view import PropensityView

TREATED = "#c0392b"
CONTROL = "#1f4e79"
BINS = 40


def _bars(fig, score, weights, name, color, row, show):
    edges = np.linspace(0, 1, BINS + 1)
    counts, _ = np.histogram(score, bins=edges, weights=weights)
    total = counts.sum()
    share = counts / total if total > 0 else counts
    fig.add_trace(
        go.Bar(x=(edges[:-1] + edges[1:]) / 2, y=share, width=1 / BINS, name=name,
               marker={"color": color, "opacity": 0.55}, showlegend=show, legendgroup=name,
               hovertemplate="score %{x:.3f}: %{y:.1%}<extra>" + name + "</extra>"),
        row=row, col=1,
    )  # fmt: skip


def overlap_plot(view: PropensityView) -> go.Figure:
    """Histograms of the score in each group: all analysed patients, then the matched or
    weighted sample (each group's bars sum to 100%)."""
    s, scores = view.summary, view.result.scores
    treated = scores["treated"].to_numpy() == 1
    score = scores["score"].to_numpy()
    weight = scores["weight"].to_numpy()
    after = "Matched" if s.method == "matching" else "Weighted"
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                        subplot_titles=("All patients", f"{after} sample"))  # fmt: skip
    t_name = html.escape(f"Treated ({s.treated_level})")
    c_name = html.escape(f"Control ({s.control_level})")
    for row, w in ((1, np.ones(len(score))), (2, weight)):
        _bars(fig, score[treated], w[treated], t_name, TREATED, row, row == 1)
        _bars(fig, score[~treated], w[~treated], c_name, CONTROL, row, row == 1)
    fig.update_layout(
        barmode="overlay", height=520, plot_bgcolor="white",
        title={"text": "Propensity scores by group", "x": 0.0},
        margin={"l": 10, "r": 10, "t": 60, "b": 50},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0.0},
    )  # fmt: skip
    fig.update_xaxes(range=[0, 1], gridcolor="#eeeeee")
    fig.update_xaxes(title_text="Propensity score", row=2, col=1)
    fig.update_yaxes(title_text="Share of the group", tickformat=".0%", gridcolor="#eeeeee")
    return fig


def love_plot(view: PropensityView) -> go.Figure:
    """Absolute SMD of every balance row before (open) and after (filled), 0.1 marked."""
    s, balance = view.summary, view.result.balance
    names = [
        html.escape(view.term(v, lev)) for v, lev in zip(balance["variable"], balance["level"])
    ]
    before = balance["smd_before"].abs().to_numpy()
    after = balance["smd_after"].abs().to_numpy()
    order = np.argsort(before)  # largest imbalance before at the top
    y = [names[i] for i in order]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=before[order], y=y, mode="markers", name="Before",
                             marker={"symbol": "circle-open", "size": 9, "color": "#7f7f7f"},
                             hovertemplate="%{y}: %{x:.3f}<extra>Before</extra>"))  # fmt: skip
    after_name = "After matching" if s.method == "matching" else "After weighting"
    fig.add_trace(go.Scatter(x=after[order], y=y, mode="markers", name=after_name,
                             marker={"symbol": "circle", "size": 9, "color": CONTROL},
                             hovertemplate="%{y}: %{x:.3f}<extra>After</extra>"))  # fmt: skip
    top = max(float(np.nanmax(np.r_[before, after, IMBALANCE])) * 1.05, 0.2)
    fig.add_vline(x=IMBALANCE, line={"color": TREATED, "dash": "dash", "width": 1})
    fig.update_layout(
        title={"text": "Covariate balance (love plot)", "x": 0.0}, plot_bgcolor="white",
        height=max(300, 60 + 26 * len(y)), margin={"l": 10, "r": 10, "t": 50, "b": 50},
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0.0},
    )  # fmt: skip
    fig.update_xaxes(title_text="Absolute standardised mean difference", range=[0, top],
                     gridcolor="#eeeeee", zeroline=True, zerolinecolor="#999999")  # fmt: skip
    fig.update_yaxes(automargin=True, gridcolor="#f4f4f4")
    return fig
