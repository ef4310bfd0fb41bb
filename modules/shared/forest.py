"""The forest plot of every analysis tab, on an axis that stays bounded whatever the data.

An estimate or CI beyond the axis is drawn at its edge (a triangle for the estimate, an arrow
for the CI) and its true value is printed in the estimate column and the hover text. So a
separated fit (OR 1e300, CI to infinity) can no longer stretch a log axis over 600 decades of
ticks, which once froze a page for minutes.

Ratios (odds, hazard, rate ratios) get a log axis that covers 1 and the estimates and CIs but
never more than 0.01–100: beyond a hundredfold an estimate is almost always sparse data or
separation, whose number the table says better than any picture, and four decades keep the
resolution around 1 that readers need (0.5 against 2). Coefficients get a linear axis from 0
and the estimates, widened for the CIs by at most twice the larger of the estimates' spread and
the median CI width, within ±1e100. Ticks: 1-2-5 per decade on log axes (at most 18), at most
8 chosen by plotly on linear ones.

Labels, texts and hovers arrive escaped (html.escape) from the tab's builder.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import plotly.graph_objects as go

from modules.shared.figures import MUTED, POINT, add_annotations
from modules.shared.formatting import REFERENCE, is_number

RATIO_LIMITS = (0.01, 100.0)
COEFFICIENT_LIMIT = 1e100
CI_WIDENING = 2.0  # a linear axis reaches this many "typical widths" beyond the estimates
LINEAR_TICKS = 8
ROW_PX = 30
NOT_ESTIMABLE = "not estimable"
BEYOND = "#b00020"  # markers standing for a value beyond the axis
NAN = float("nan")


@dataclass(frozen=True)
class ForestRow:
    """One line of the plot: a label, the estimate and CI (NaN when not estimable), texts."""

    label: str  # already escaped
    estimate: float
    low: float
    high: float
    reference: bool
    p: float = NAN
    text: str = ""  # the estimate column, with the true values
    hover: str = ""
    heading: bool = False  # a heading line (a subgroup variable's name): nothing drawn


@dataclass(frozen=True)
class Axis:
    """The drawn interval [lo, hi] in data units, and where no effect lies."""

    log: bool
    lo: float
    hi: float
    null: float

    def clip(self, value: float) -> float:
        """A value inside the axis; beyond it (or 0 and below on a log axis) at the edge."""
        if math.isnan(value):
            return value
        if self.log and value <= 0:
            return self.lo
        return min(max(value, self.lo), self.hi)

    def beyond(self, value: float) -> int:
        """-1 below the axis, 1 above it, 0 inside (NaN counts as inside: nothing to draw)."""
        if math.isnan(value):
            return 0
        if value < self.lo or (self.log and value <= 0):
            return -1
        return 1 if value > self.hi else 0

    def plot_range(self) -> list[float]:
        """Plotly's range: log10 limits on a log axis, with a little room either side."""
        if self.log:
            lo, hi = math.log10(self.lo), math.log10(self.hi)
            pad = max(0.1, (hi - lo) * 0.08)
            return [lo - pad, hi + pad]
        pad = (self.hi - self.lo) * 0.05 or 1.0
        return [self.lo - pad, self.hi + pad]

    def ticks(self) -> list[float]:
        """1-2-5 ticks inside a log range (every integer mantissa when that gives fewer than
        three); none on a linear axis, where plotly picks at most LINEAR_TICKS."""
        if not self.log:
            return []
        lo, hi = self.plot_range()
        out: list[float] = []
        for mantissas in ((1, 2, 5), tuple(range(1, 10))):
            out = [
                m * 10.0**e
                for e in range(math.floor(lo), math.ceil(hi) + 1)
                for m in mantissas
                if lo <= math.log10(m * 10.0**e) <= hi
            ]
            if len(out) >= 3:
                break
        return out or [1.0]


def drawable(row: ForestRow, log: bool) -> bool:
    """A row with an estimate to draw: not a reference, finite (and positive for ratios)."""
    if row.reference or not is_number(row.estimate):
        return False
    return row.estimate > 0 or not log


def _finite(values, log: bool) -> list[float]:
    return [v for v in values if is_number(v) and (v > 0 or not log)]


def ratio_axis(rows: list[ForestRow]) -> Axis:
    """A log axis over 1, the estimates and the CIs, never beyond RATIO_LIMITS."""
    shown = [r for r in rows if drawable(r, log=True)]
    values = [1.0] + _finite([v for r in shown for v in (r.estimate, r.low, r.high)], log=True)
    lo = max(RATIO_LIMITS[0], min(values))
    hi = min(RATIO_LIMITS[1], max(values))
    return Axis(log=True, lo=lo, hi=hi, null=1.0)


def coefficient_axis(rows: list[ForestRow]) -> Axis:
    """A linear axis over 0 and the estimates, widened for the CIs by a bounded amount."""
    cap = COEFFICIENT_LIMIT
    shown = [r for r in rows if drawable(r, log=False)]
    estimates = [min(max(r.estimate, -cap), cap) for r in shown]
    core_lo, core_hi = min([0.0, *estimates]), max([0.0, *estimates])
    widths = sorted(
        min(r.high - r.low, 2 * cap) for r in shown if is_number(r.low) and is_number(r.high)
    )
    typical = widths[len(widths) // 2] if widths else 0.0
    width = max(core_hi - core_lo, typical) or 1.0
    ends = _finite([v for r in shown for v in (r.low, r.high)], log=False)
    lo = max(core_lo - CI_WIDENING * width, -cap, min([core_lo, *ends]))
    hi = min(core_hi + CI_WIDENING * width, cap, max([core_hi, *ends]))
    return Axis(log=False, lo=lo, hi=hi, null=0.0)


def _markers(x, y, symbol, name, hover, size=11, colour=BEYOND, legend=True) -> go.Scatter:
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker={"color": colour, "size": size, "symbol": symbol, "line": {"width": 0}},
        name=name,
        hovertext=hover,
        hoverinfo="text",
        showlegend=legend,
    )


def _edge_symbol(side: int, kind: str) -> str:
    return f"{kind}-{'left' if side < 0 else 'right'}"


def forest_figure(
    rows: list[ForestRow],
    axis: Axis,
    *,
    title: str,
    axis_title: str,
    point_name: str,
    column_heading: str | None,
    right_px: int,
) -> go.Figure:
    """Estimates with 95% CIs top to bottom, references at the null as open diamonds.

    Traces in order: the line of no effect, the whiskers, the estimates inside the axis, the
    references, the not-estimable rows (text), then markers for estimates and CI ends beyond
    the axis (drawn at its edge; their hover and the estimate column give the true values).
    """
    shown = [(i, r) for i, r in enumerate(rows) if drawable(r, axis.log)]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[axis.null, axis.null],
            y=[-0.7, max(len(rows) - 0.3, 0.3)],
            mode="lines",
            line={"color": MUTED, "dash": "dash", "width": 1},
            hoverinfo="skip",
            showlegend=False,
        )
    )
    whisker_x: list[float | None] = []
    whisker_y: list[float | None] = []
    for i, r in shown:
        if not (math.isnan(r.low) or math.isnan(r.high)):
            whisker_x += [axis.clip(r.low), axis.clip(r.high), None]
            whisker_y += [i, i, None]
    fig.add_trace(
        go.Scatter(x=whisker_x, y=whisker_y, mode="lines", line={"color": POINT, "width": 2},
                   hoverinfo="skip", showlegend=False)
    )  # fmt: skip
    inside = [(i, r) for i, r in shown if axis.beyond(r.estimate) == 0]
    fig.add_trace(
        _markers(
            [r.estimate for _, r in inside], [i for i, _ in inside], "square", point_name,
            [r.hover for _, r in inside], size=10, colour=POINT,
        )
    )  # fmt: skip
    refs = [(i, r) for i, r in enumerate(rows) if r.reference]
    if refs:
        fig.add_trace(
            _markers(
                [axis.null] * len(refs), [i for i, _ in refs], "diamond-open", REFERENCE,
                [r.hover for _, r in refs], size=10, colour=MUTED,
            )
        )  # fmt: skip
    lost = [
        (i, r)
        for i, r in enumerate(rows)
        if not (r.reference or r.heading) and not drawable(r, axis.log)
    ]
    if lost:
        fig.add_trace(
            go.Scatter(
                x=[axis.null] * len(lost),
                y=[i for i, _ in lost],
                mode="text",
                text=[NOT_ESTIMABLE] * len(lost),
                textposition="middle right",
                textfont={"color": BEYOND, "size": 11},
                hovertext=[r.hover for _, r in lost],
                hoverinfo="text",
                showlegend=False,
            )
        )
    _add_beyond(fig, shown, axis)
    _add_estimate_column(fig, rows, column_heading)
    _layout(fig, rows, axis, title=title, axis_title=axis_title, right_px=right_px)
    return fig


def _add_beyond(fig: go.Figure, shown: list[tuple[int, ForestRow]], axis: Axis) -> None:
    """Triangles for estimates beyond the axis, arrows where a CI leaves it."""
    out = [(i, r, axis.beyond(r.estimate)) for i, r in shown if axis.beyond(r.estimate)]
    if out:
        fig.add_trace(
            _markers(
                [axis.clip(r.estimate) for _, r, _ in out], [i for i, _, _ in out],
                [_edge_symbol(side, "triangle") for _, _, side in out],
                "Estimate beyond the axis (value in the column)",
                [f"{r.hover}<br>Drawn at the edge of the axis" for _, r, _ in out], size=13,
            )
        )  # fmt: skip
    ends = [
        (i, r, side)
        for i, r in shown
        if not (math.isnan(r.low) or math.isnan(r.high))
        for side in {axis.beyond(r.low), axis.beyond(r.high)} - {0}
    ]
    if ends:
        fig.add_trace(
            _markers(
                [axis.lo if side < 0 else axis.hi for _, _, side in ends],
                [i for i, _, _ in ends],
                [_edge_symbol(side, "arrow") for _, _, side in ends],
                "CI continues beyond the axis",
                [f"{r.hover}<br>The CI continues beyond the axis" for _, r, _ in ends],
                size=10, colour=POINT,
            )
        )  # fmt: skip


def _add_estimate_column(fig: go.Figure, rows: list[ForestRow], heading: str | None) -> None:
    """Each row's estimate (95% CI) as text right of the plot, as finalfit's or_plot prints."""
    texts = [
        {"x": 1.02, "xref": "paper", "y": i, "yref": "y", "text": row.text, "showarrow": False,
         "xanchor": "left", "font": {"size": 12, "color": MUTED if row.reference else "#212529"}}
        for i, row in enumerate(rows)
    ]  # fmt: skip
    if heading:
        texts.append(
            {"x": 1.02, "xref": "paper", "y": 1.0, "yref": "paper", "yanchor": "bottom",
             "text": f"<b>{heading}</b>", "showarrow": False, "xanchor": "left",
             "font": {"size": 12}}
        )  # fmt: skip
    add_annotations(fig, texts)


def _layout(fig: go.Figure, rows, axis: Axis, *, title, axis_title, right_px) -> None:
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=max(260, 140 + ROW_PX * len(rows)),
        margin={"l": 10, "r": right_px, "t": 60, "b": 60},
        plot_bgcolor="white",
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0},
        hoverlabel={"align": "left"},
    )
    ticks = axis.ticks()
    fig.update_xaxes(
        type="log" if axis.log else "linear",
        range=axis.plot_range(),
        autorange=False,
        title={"text": axis_title},
        showgrid=True,
        gridcolor="#eeeeee",
        zeroline=False,
        **(
            {"tickvals": ticks, "ticktext": [f"{t:g}" for t in ticks]}
            if axis.log
            else {"nticks": LINEAR_TICKS}
        ),
    )
    fig.update_yaxes(
        tickvals=list(range(len(rows))),
        ticktext=[r.label for r in rows],
        range=[len(rows) - 0.4, -0.6],  # first variable on top
        showgrid=False,
        zeroline=False,
        automargin=True,
    )
