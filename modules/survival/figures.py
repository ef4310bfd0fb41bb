"""Kaplan–Meier curves with bands and numbers at risk, and the hazard-ratio forest plot (plotly).

Pure builders. Plotly renders a subset of HTML in text, so every user string (labels, group
levels) goes through html.escape before it reaches a figure.
"""

from __future__ import annotations

import html
import math

import numpy as np
import plotly.graph_objects as go

from modules.shared.effect_scale import Scales
from modules.shared.figures import add_annotations
from modules.shared.forest import ForestRow, ratio_axis
from modules.shared.forest import forest_figure as shared_forest
from modules.shared.formatting import (
    REFERENCE,
    fmt_ci,
    fmt_p,
    fmt_ratio,
    is_number,
    readable_decimals,
)
from modules.survival.view import SurvivalView, fmt_time, p_text

COLOURS = ("#1f4e79", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#17a2b8", "#6c757d")
MUTED = "#7f7f7f"
RISK_ROW = 0.07  # height of one at-risk row below the plot, as a share of the plot height


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band(fig: go.Figure, curve, colour: str, name: str) -> None:
    """The pointwise CI as a shaded step band (upper edge, then lower edge filled up to it)."""
    for edge, fill in (("ci_high", None), ("ci_low", "tonexty")):
        fig.add_trace(
            go.Scatter(
                x=curve["time"],
                y=curve[edge],
                mode="lines",
                line={"shape": "hv", "width": 0, "color": colour},
                fill=fill,
                fillcolor=_rgba(colour, 0.15),
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            )
        )


def _hover(view: SurvivalView, curve, name: str) -> list[str]:
    return [
        f"{name}<br>{html.escape(view.time_label)}: {fmt_time(t)}<br>"
        f"Survival {s:.3f} (95% CI {fmt_ci(lo, hi)})<br>At risk {n}"
        for t, s, lo, hi, n in zip(
            curve["time"],
            curve["survival"],
            curve["ci_low"],
            curve["ci_high"],
            curve["n_risk"],
            strict=True,
        )
    ]


def _shorten(text: str, limit: int = 14) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _risk_rows(fig: go.Figure, view: SurvivalView) -> None:
    """Numbers at risk under the x axis at its tick times, one row per group (as survminer)."""
    table = view.result.at_risk
    texts = [
        {"x": 0, "xref": "paper", "y": -0.16, "yref": "paper", "text": "<b>Number at risk</b>",
         "showarrow": False, "xanchor": "left", "font": {"size": 12}}
    ]  # fmt: skip
    # Long group names would run off the left edge: the legend carries the full name.
    short = [html.escape(_shorten(view.group_name(g))) for g in view.groups]
    for i, group in enumerate(view.groups):
        y = -0.16 - RISK_ROW * (i + 1)
        rows = table[table["group"] == group]
        colour = COLOURS[i % len(COLOURS)]
        texts += [
            {"x": t, "y": y, "xref": "x", "yref": "paper", "text": str(int(n)),
             "showarrow": False, "font": {"size": 12, "color": colour}}
            for t, n in zip(rows["time"], rows["n_risk"], strict=True)
        ]  # fmt: skip
        if len(short) > 1:
            texts.append(
                {"x": 0, "y": y, "xref": "paper", "yref": "paper", "text": short[i],
                 "showarrow": False, "xanchor": "right", "xshift": -30,
                 "font": {"size": 12, "color": colour}}
            )  # fmt: skip
    add_annotations(fig, texts)


def km_figure(view: SurvivalView, show_band: bool | None = None) -> go.Figure:
    """Step curves per group with 95% bands (shaded unless the view says not), censoring
    ticks and numbers at risk."""
    show_band = view.show_band if show_band is None else show_band
    curves = view.result.curves
    names = [html.escape(view.group_name(g)) for g in view.groups]
    fig = go.Figure()
    for i, (group, name) in enumerate(zip(view.groups, names, strict=True)):
        curve = curves[curves["group"] == group]
        colour = COLOURS[i % len(COLOURS)]
        if show_band:
            _band(fig, curve, colour, name)
        n = int(curve["n_risk"].iloc[0])
        fig.add_trace(
            go.Scatter(
                x=curve["time"],
                y=curve["survival"],
                mode="lines",
                line={"shape": "hv", "width": 2.5, "color": colour},
                name=f"{name} (n = {n})",
                legendgroup=name,
                hovertext=_hover(view, curve, name),
                hoverinfo="text",
            )
        )
        censored = curve[curve["n_censor"] > 0]
        fig.add_trace(
            go.Scatter(
                x=censored["time"],
                y=censored["survival"],
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 9, "color": colour},
                legendgroup=name,
                showlegend=False,
                hoverinfo="skip",
            )
        )
    ticks = sorted(set(view.result.at_risk["time"]))
    n_rows = len(view.groups) + 1
    title = f"Survival: {html.escape(view.event_text)}"
    p = view.result.fit.logrank_p
    if is_number(p):
        title += f" · log-rank {p_text(p)}"
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=440 + 28 * n_rows,
        margin={"l": 130 if len(names) > 1 else 60, "r": 20, "t": 60, "b": 70 + 28 * n_rows},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "x": 1.0, "xanchor": "right"},
        hoverlabel={"align": "left"},
    )
    fig.update_xaxes(
        title={"text": html.escape(view.time_label), "standoff": 4},
        tickvals=ticks,
        ticktext=[fmt_time(t) for t in ticks],
        range=[0, max(ticks[-1], float(curves["time"].max())) * 1.02],
        showgrid=True,
        gridcolor="#eeeeee",
        zeroline=False,
    )
    fig.update_yaxes(
        title={"text": "Survival probability"},
        range=[0, 1.03],
        tickformat=".0%",
        showgrid=True,
        gridcolor="#eeeeee",
    )
    _risk_rows(fig, view)
    return fig


def forest_rows(view: SurvivalView) -> list[ForestRow]:
    """The hazard table's rows (adjusted, or crude with one covariate), top to bottom."""
    scales = Scales.of(view.result)
    rows = []
    for r in view.hazard_table.itertuples(index=False):
        name = html.escape(scales.heading(view.label(r.variable), r.variable))
        label = f"{name}: {html.escape(str(r.level))}" if str(r.level) else name
        ok = is_number(r.estimate) and float(r.estimate) > 0
        ref = bool(r.is_reference)
        estimate = float(r.estimate) if ok or ref else math.nan
        low, high = float(r.ci_low), float(r.ci_high)
        text = _estimate_text(ref, estimate, low, high, r.p_value)
        rows.append(
            ForestRow(
                label=label,
                estimate=estimate,
                low=low,
                high=high,
                reference=ref,
                p=float(r.p_value) if is_number(r.p_value) else math.nan,
                text=text,
                hover=f"{label}<br>{'HR ' if not ref else ''}{text}",
            )
        )
    return rows


def _estimate_text(reference: bool, estimate, low, high, p) -> str:
    if reference:
        return REFERENCE
    if not is_number(estimate):
        return "not estimable"
    d = readable_decimals(low, high)
    return f"{fmt_ratio(estimate, d)} ({fmt_ci(low, high, d)}), p {fmt_p(p)}"


def forest_figure(view: SurvivalView) -> go.Figure:
    """Hazard ratios with 95% CIs on a bounded log axis; reference levels as open diamonds at 1."""
    rows = forest_rows(view)
    return shared_forest(
        rows,
        ratio_axis(rows),
        title=f"{html.escape(view.model_name)} hazard ratios",
        axis_title="Hazard ratio (95% CI), log scale",
        point_name="Hazard ratio (95% CI)",
        column_heading="HR (95% CI), p",
        right_px=260,
    )


def has_forest(view: SurvivalView) -> bool:
    """True when there is at least one finite hazard ratio to draw."""
    table = view.hazard_table
    return bool(len(table)) and bool(np.isfinite(table["estimate"].to_numpy(dtype=float)).any())
