"""The Bland–Altman plot: differences against means, with the bias, the limits of agreement and
the 95% CI band of each; the proportional-bias line. Text from the user's file is escaped."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from modules.agreement.view import AgreementView
from modules.shared.figures import MUTED, POINT
from modules.shared.formatting import fmt_number, fmt_p, is_number

BIAS = "#1f4e79"
LIMIT = "#c0392b"


def bland_altman_plot(view: AgreementView) -> go.Figure:
    """Differences (second − first) against the means of the two measurements."""
    s, res = view.summary, view.result
    first, second = html.escape(view.rater(s.ba_first)), html.escape(view.rater(s.ba_second))
    fig = go.Figure()
    points = res.points
    fig.add_trace(
        go.Scattergl(x=points["mean"], y=points["difference"], mode="markers", name="Subjects",
                     marker={"color": POINT, "size": 7, "opacity": 0.6},
                     hovertemplate="mean %{x:.3g}, difference %{y:.3g}<extra></extra>")
    )  # fmt: skip
    if len(points) and len(res.limits):
        low, high = float(points["mean"].min()), float(points["mean"].max())
        pad = (high - low) * 0.03 or 1.0
        xs = [low - pad, high + pad]
        for row in res.limits.itertuples(index=False):
            color = BIAS if row.quantity == "bias" else LIMIT
            name = "Bias" if row.quantity == "bias" else "Limits of agreement"
            fig.add_trace(
                go.Scatter(x=xs + xs[::-1], y=[row.ci_high] * 2 + [row.ci_low] * 2,
                           mode="lines", fill="toself", fillcolor=_faint(color), line={"width": 0},
                           hoverinfo="skip", name=f"95% CI of the {name.lower()}",
                           legendgroup=f"ci-{name}", showlegend=row.quantity != "upper")
            )  # fmt: skip
            fig.add_trace(
                go.Scatter(x=xs, y=[row.estimate] * 2, mode="lines", name=name,
                           legendgroup=name, showlegend=row.quantity != "upper",
                           line={"color": color, "width": 2,
                                 "dash": "solid" if row.quantity == "bias" else "dash"},
                           hovertemplate=f"{name}: {fmt_number(row.estimate, 2)}<extra></extra>")
            )  # fmt: skip
        if is_number(s.ba_slope):
            fit = s.ba_intercept + s.ba_slope * np.array(xs)
            fig.add_trace(
                go.Scatter(x=xs, y=fit, mode="lines", line={"color": MUTED, "dash": "dot"},
                           name=f"Proportional bias: slope {fmt_number(s.ba_slope, 3)}, "
                                f"p {_p(s.ba_slope_p)}")
            )  # fmt: skip
    lim = res.limits.set_index("quantity")["estimate"] if len(res.limits) else {}
    title = f"{second} − {first}"
    if len(lim):
        title += (
            f": bias {fmt_number(lim['bias'], 2)}, limits {fmt_number(lim['lower'], 2)} "
            f"to {fmt_number(lim['upper'], 2)}"
        )
    fig.update_layout(
        title={"text": title, "x": 0.0}, height=480, plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 60},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
    )  # fmt: skip
    fig.update_xaxes(title_text=f"Mean of {first} and {second}", gridcolor="#eeeeee",
                     automargin=True)  # fmt: skip
    fig.update_yaxes(title_text=f"Difference ({second} − {first})", gridcolor="#eeeeee",
                     zeroline=True, zerolinecolor="#999999", automargin=True)  # fmt: skip
    return fig


def _faint(color: str) -> str:
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},0.15)"


def _p(p: object) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"
