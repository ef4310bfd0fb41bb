"""The flow of rows through the filters, as a CONSORT / STROBE diagram: a table, a plotly
figure for the paper (drawn through figures.figure_html like every figure) and the downloads.

Conditions and reasons hold column names and levels from users' files: the table is built with
htmltools tags, and every text that reaches the figure goes through html.escape (plotly renders
a subset of HTML in text).
"""

from __future__ import annotations

import datetime as dt
import html

import plotly.graph_objects as go
from htmltools import HTML, Tag, tags

from modules.shared.figures import MUTED, POINT, ReportFigures
from modules.shared.report import REPORT_CSS
from prep.flow import Flow

ROW_PX = 62  # height of half a stage: a box and the gap to the next
MAIN_X, SIDE_X = 0.0, 1.15


def flow_table(flow: Flow) -> Tag:
    """Stage by stage: the condition, rows excluded (missing among them) and rows remaining."""
    head = tags.tr(
        *(tags.th(h) for h in ("", "Kept rows where", "Excluded", "of which missing", "Remain"))
    )
    rows = [
        tags.tr(
            tags.td("Start"),
            tags.td(f"all rows of {flow.source}"),
            tags.td(""),
            tags.td(""),
            tags.td(f"{flow.start:,}", class_="text-end"),
        )
    ]
    for i, step in enumerate(flow.steps, 1):
        rows.append(
            tags.tr(
                tags.td(str(i)),
                tags.td(step.condition),
                tags.td(f"{step.excluded:,} ({step.reason})"),
                tags.td(f"{step.missing:,}", class_="text-end"),
                tags.td(f"{step.after:,}", class_="text-end"),
            )
        )
    return tags.table(
        tags.thead(head),
        tags.tbody(*rows),
        class_="table table-sm w-auto medstat-table",
        id="flow-table",
    )


def _box(text: str, x: float, y: float, anchor: str, strong: bool = False) -> dict:
    return dict(
        x=x,
        y=y,
        text=text,
        showarrow=False,
        xanchor=anchor,
        align="center" if anchor == "center" else "left",
        bordercolor=POINT if strong else MUTED,
        borderwidth=1.5 if strong else 1,
        borderpad=8,
        bgcolor="white",
        font=dict(size=13, color="#212529"),
    )


def _arrow(x0: float, y0: float, x1: float, y1: float) -> dict:
    return dict(
        x=x1,
        y=y1,
        ax=x0,
        ay=y0,
        xref="x",
        yref="y",
        axref="x",
        ayref="y",
        text="",
        showarrow=True,
        arrowhead=2,
        arrowsize=1.2,
        arrowwidth=1.2,
        arrowcolor="#444",
    )


def flow_figure(flow: Flow) -> go.Figure:
    """Boxes of the rows remaining down the middle, one exclusion box per filter beside."""
    k = len(flow.steps)
    notes, points = [], []
    start = f"Rows in {html.escape(flow.source)}<br><b>n = {flow.start:,}</b>"
    notes.append(_box(start, MAIN_X, 0, "center", strong=True))
    points.append((MAIN_X, 0, f"{flow.start:,} rows at the start"))
    for i, step in enumerate(flow.steps, 1):
        side_y, main_y = -2 * i + 1, -2 * i
        said = step.missing == step.excluded and step.reason.endswith(" missing")
        missing = f"<br>of which {step.missing:,} with the value missing" if step.missing else ""
        missing = "" if said else missing
        excluded = f"Excluded <b>n = {step.excluded:,}</b><br>{html.escape(step.reason)}{missing}"
        notes.append(_box(excluded, SIDE_X, side_y, "left"))
        last = i == k
        remain = f"{'Rows analysed' if last else 'Remaining'}<br><b>n = {step.after:,}</b>"
        notes.append(_box(remain, MAIN_X, main_y, "center", strong=last))
        notes.append(_arrow(MAIN_X, main_y + 2 - 0.42, MAIN_X, main_y + 0.42))
        notes.append(_arrow(MAIN_X, side_y, SIDE_X - 0.02, side_y))
        points.append((SIDE_X, side_y, f"{step.excluded:,} excluded: {html.escape(step.reason)}"))
        points.append((MAIN_X, main_y, f"{step.after:,} rows remain"))
    fig = go.Figure(
        go.Scatter(
            x=[p[0] for p in points],
            y=[p[1] for p in points],
            mode="markers",
            marker=dict(size=1, opacity=0),
            hovertext=[p[2] for p in points],
            hoverinfo="text",
            showlegend=False,
        )
    )
    fig.update_layout(
        annotations=notes,
        height=int(ROW_PX * (2 * k + 1.6)),
        margin=dict(l=10, r=10, t=10, b=10),
        xaxis=dict(visible=False, range=[-1.3, 3.3], fixedrange=True),
        yaxis=dict(visible=False, range=[-2 * k - 0.8, 0.8], fixedrange=True),
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def flow_report(flow: Flow, when: dt.datetime | None = None) -> str:
    """A self-contained HTML page: the flow diagram (inline SVG) and its table."""
    when = when or dt.datetime.now()
    figure = ReportFigures().html(flow_figure(flow), "flow-diagram")
    doc = tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title("MedStat – Flow of rows"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1("Flow of rows"),
            tags.p(
                f"Dataset: {flow.source} · {flow.start:,} rows at the start, {flow.final:,} "
                f"after {len(flow.steps)} filter(s) · Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            HTML(figure),
            flow_table(flow),
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
