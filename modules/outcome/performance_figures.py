"""The calibration plot and the decision curve of the outcome model (plotly, pure builders).

Every user string (the outcome's label and event) is passed through html.escape before it
reaches a figure: plotly renders a subset of HTML in text.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from modules.outcome.result_view import ResultView
from modules.shared.figures import MUTED, POINT

SMOOTH = "#c0504d"
ALL = "#4f81bd"
DEFAULT_RANGE = (1.0, 50.0)


def _outcome(view: ResultView) -> str:
    return html.escape(f"{view.outcome_label} = {view.event}")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def calibration_plot(view: ResultView) -> go.Figure:
    """Observed against predicted risk: ideal line, lowess curve, tenths of risk with 95% CIs,
    and below it the predictions' histogram (with the event up, without it down)."""
    perf = view.result.performance
    groups, curve, hist = perf.groups, perf.curve, perf.histogram
    top = float(
        np.nanmax([groups["ci_high"].max(), groups["predicted"].max(), curve["predicted"].max()])
    )
    edge = min(1.0, max(0.05, top * 1.08))
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.78, 0.22], vertical_spacing=0.04
    )
    fig.add_trace(
        go.Scatter(
            x=[0, edge], y=[0, edge], mode="lines", name="Ideal (observed = predicted)",
            line={"color": MUTED, "dash": "dash"}, hoverinfo="skip",
        ),
        row=1, col=1,
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=curve["predicted"], y=curve["observed"], mode="lines", name="Smoothed (lowess)",
            line={"color": SMOOTH, "width": 2},
            hovertemplate="predicted %{x:.1%}<br>observed (smoothed) %{y:.1%}<extra></extra>",
        ),
        row=1, col=1,
    )  # fmt: skip
    hover = [
        f"Tenth {g.group}: {g.n} patients, {g.events} events<br>predicted {_pct(g.predicted)}, "
        f"observed {_pct(g.observed)} (95% CI {_pct(g.ci_low)}–{_pct(g.ci_high)})"
        for g in groups.itertuples(index=False)
    ]
    fig.add_trace(
        go.Scatter(
            x=groups["predicted"], y=groups["observed"], mode="markers",
            name="Tenths of predicted risk (95% CI)", marker={"color": POINT, "size": 8},
            error_y={
                "type": "data", "symmetric": False,
                "array": groups["ci_high"] - groups["observed"],
                "arrayminus": groups["observed"] - groups["ci_low"],
                "color": POINT,
            },
            text=hover, hovertemplate="%{text}<extra></extra>",
        ),
        row=1, col=1,
    )  # fmt: skip
    centre = (hist["bin_low"] + hist["bin_high"]) / 2
    width = float(hist["bin_high"].iloc[0] - hist["bin_low"].iloc[0])
    fig.add_trace(
        go.Bar(
            x=centre, y=hist["events"], width=width, name="Patients with the event",
            marker={"color": SMOOTH}, hovertemplate="%{y} with the event<extra></extra>",
        ),
        row=2, col=1,
    )  # fmt: skip
    fig.add_trace(
        go.Bar(
            x=centre, y=-hist["non_events"], width=width, name="Patients without the event",
            marker={"color": MUTED}, customdata=hist["non_events"],
            hovertemplate="%{customdata} without the event<extra></extra>",
        ),
        row=2, col=1,
    )  # fmt: skip
    fig.update_layout(
        title=f"Calibration of the model for {_outcome(view)}",
        barmode="relative",
        height=560,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.12},
        plot_bgcolor="white",
    )
    fig.update_xaxes(range=[0, edge], tickformat=".0%", gridcolor="#eee", row=1, col=1)
    fig.update_xaxes(range=[0, edge], tickformat=".0%", title="Predicted risk", row=2, col=1)
    fig.update_yaxes(range=[0, edge], tickformat=".0%", title="Observed risk", gridcolor="#eee",
                     row=1, col=1)  # fmt: skip
    fig.update_yaxes(title="Patients", showticklabels=False, row=2, col=1)
    return fig


def threshold_range(view: ResultView) -> tuple[float, float, str]:
    """The thresholds to show (fractions) and a note when the range typed cannot be used."""
    low, high = view.dca_range
    if low is None or high is None:
        return DEFAULT_RANGE[0] / 100, DEFAULT_RANGE[1] / 100, "Enter both ends of the range."
    if not 1 <= low < high <= 99:
        return (
            DEFAULT_RANGE[0] / 100,
            DEFAULT_RANGE[1] / 100,
            "The threshold range must go from a lower to a higher percentage between 1 and 99; "
            "showing 1%–50%.",
        )
    return low / 100, high / 100, ""


def decision_curve(view: ResultView) -> go.Figure:
    """Net benefit of treating by the model, of treating all and of treating none."""
    low, high, _ = threshold_range(view)
    dca = view.result.performance.decision
    shown = dca[(dca["threshold"] >= low - 1e-9) & (dca["threshold"] <= high + 1e-9)]
    prevalence = view.result.performance.fit.events / view.result.performance.fit.n
    top = max(prevalence, float(shown["model"].max()) if len(shown) else 0.0)
    fig = go.Figure()
    lines = (
        ("Model", shown["model"], POINT, "solid"),
        ("Treat all", shown["treat_all"], ALL, "dash"),
        ("Treat none", np.zeros(len(shown)), MUTED, "dot"),
    )
    for name, values, color, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=shown["threshold"], y=values, mode="lines", name=name,
                line={"color": color, "dash": dash, "width": 2},
                hovertemplate=f"{name}: net benefit %{{y:.3f}} at %{{x:.0%}}<extra></extra>",
            )
        )  # fmt: skip
    fig.update_layout(
        title=f"Decision curve for {_outcome(view)}",
        xaxis={"title": "Threshold probability (risk at which you would treat)",
               "tickformat": ".0%", "range": [low, high]},
        yaxis={"title": "Net benefit", "range": [-0.1 * top - 0.01, top * 1.1 + 0.01],
               "zeroline": True},
        height=420,
        margin={"l": 70, "r": 20, "t": 60, "b": 60},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="white",
    )  # fmt: skip
    return fig
