"""What every figure shares: plotly.js served offline, one plot configuration, HTML fragments.

Patient data never leaves the server: every figure the app draws, on a page or in a downloaded
report, is turned into HTML by figure_html() or ReportFigures here and nowhere else (a unit
test walks modules/ to keep it so). Its configuration removes what plotly.js 4 would
otherwise offer or fetch:
- showSendToCloud: plotly.js 4 DEFAULTS IT TO TRUE, which puts a modebar button that posts the
  figure's data (every point, every label) to cloud.plotly.com; off. (showLink and
  showEditInChartStudio no longer exist in plotly.js 4; plotly.py warns on them, so they are
  not sent.) plotly.py drops plotlyServerURL from the page when sending is off.
- displaylogo: the "Produced with Plotly" link to plotly.com; off.
- typesetMath: LaTeX typesetting through a MathJax the page would have to load; off, which
  also keeps a label such as "$5-$10" as the text it is.
- topojsonURL: maps fetch their outlines from cdn.plot.ly; we draw no maps, and if one ever
  came it would ask this server (which has none) instead.
plotly.js itself comes from the installed plotly package (plotly_dependency on a page), never
from a CDN. A downloaded report carries its figures as inline SVG drawn by the figure browser
(ReportFigures: ~50-300 KB a report instead of plotly.js's 4.8 MB each); if the browser cannot
draw, the report falls back to plotly.js inline, once per report. figure_html refuses map
traces and remote layout images, the only figure parts that make plotly.js fetch from elsewhere.

Plotly renders a subset of HTML in text, so every user string (labels, levels) is passed
through html.escape by the builders before it reaches a figure.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from htmltools import HTML, HTMLDependency, Tag, tags

log = logging.getLogger(__name__)

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"
REPORT_WIDTH_PX = 900  # a report's figures are drawn this wide, then fit the page (and A4)


# Read-only: a builder cannot switch one of these back on for everyone by accident.
PLOT_CONFIG = MappingProxyType(
    {
        "displaylogo": False,
        "showSendToCloud": False,
        "typesetMath": False,
        "topojsonURL": "topojson-not-served/",
        "responsive": True,
        "toImageButtonOptions": MappingProxyType({"format": "png", "scale": 2}),
    }
)


# Trace types that load map tiles, styles or outlines from third-party servers.
REMOTE_TRACE_TYPES = frozenset(
    {
        "choropleth",
        "choroplethmap",
        "choroplethmapbox",
        "densitymap",
        "densitymapbox",
        "scattergeo",
        "scattermap",
        "scattermapbox",
    }
)


POINT = "#1f4e79"


MUTED = "#7f7f7f"


def plotly_dependency() -> HTMLDependency:
    """plotly.js served from the installed plotly package (no CDN); Shiny loads it once per page."""
    return HTMLDependency(
        "plotly",
        plotly.__version__,
        source={"subdir": str(PLOTLY_JS_DIR)},
        script={"src": "plotly.min.js"},
        all_files=False,
    )


def plot_config(filename: str) -> dict[str, Any]:
    """The shared configuration, with the PNG download named after the figure."""
    config = {k: dict(v) if isinstance(v, MappingProxyType) else v for k, v in PLOT_CONFIG.items()}
    config["toImageButtonOptions"]["filename"] = filename
    return config


def add_annotations(fig: go.Figure, annotations: list[dict[str, Any]]) -> None:
    """Append text annotations in one assignment. plotly's add_annotation validates the whole
    tuple of annotations again on each call, so one per row is quadratic: 40 rows took 246 ms
    of the event loop against 9 ms for the same list given at once."""
    if annotations:
        fig.layout.annotations = (*fig.layout.annotations, *annotations)


def check_offline(fig: go.Figure) -> None:
    """Raise ValueError if drawing the figure would make plotly.js fetch from another server."""
    remote = sorted({t.type for t in fig.data if t.type in REMOTE_TRACE_TYPES})
    if remote:
        raise ValueError(f"map traces load tiles from third-party servers: {', '.join(remote)}")
    for image in fig.layout.images:
        source = image.source
        if isinstance(source, str) and not source.startswith("data:"):
            raise ValueError("layout images must be embedded (data: URLs), not fetched")


def figure_html(fig: go.Figure, div_id: str, include_plotlyjs: bool = False) -> str:
    """The figure as an HTML fragment with the shared configuration; the only way figures become
    HTML. plotly.js comes from the page (False) or inline from the installed package (True)."""
    if include_plotlyjs is not True and include_plotlyjs is not False:
        raise ValueError("include_plotlyjs must be True or False: plotly.js is never fetched")
    check_offline(fig)
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        include_mathjax=False,
        div_id=div_id,
        config=plot_config(div_id),
        default_width="100%",
    )


def plot_div(fig: go.Figure, div_id: str, container: str | None = None, **attrs: str) -> Tag:
    """The figure as page content: its fragment and the (once per page) plotly.js dependency."""
    return tags.div(
        HTML(figure_html(fig, div_id=div_id)), plotly_dependency(), id=container, **attrs
    )


def _draw_svg(fig: go.Figure, width: int, height: int) -> bytes:
    from modules.shared.figure_export import renderer  # the browser, started on first need

    return renderer().render(fig.to_dict(), "svg", width, height)


def _safe_svg(data: bytes) -> str:
    """The drawn SVG as text for a page, refused (ValueError) if it holds anything active."""
    text = data.decode("utf-8")
    # Our own browser's output, not a user's file; expat fetches no external entity.
    root = ET.fromstring(text)  # noqa: S314
    if not root.tag.endswith("}svg"):
        raise ValueError("not an SVG")
    for node in root.iter():
        tag = node.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "object", "embed"}:
            raise ValueError(f"an SVG with <{tag}>")
        for name, value in node.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (
                local == "href" and not value.startswith(("data:image/", "#"))
            ):
                raise ValueError(f"an SVG with {local}=")
    return text[text.index("<svg") :]


class ReportFigures:
    """The figures of one downloaded report, as inline SVG (small, crisp in print, no script).

    If the figure browser cannot draw (missing, failed, memory short), the figure is embedded
    as before, plotly.js inline, once in the report, so the download still works offline."""

    def __init__(self, draw: Callable[[go.Figure, int, int], bytes] = _draw_svg) -> None:
        self._draw = draw
        self._js_sent = False

    def html(self, fig: go.Figure, div_id: str) -> str:
        check_offline(fig)
        height = int(fig.layout.height or 450)
        try:
            svg = _safe_svg(self._draw(fig, REPORT_WIDTH_PX, height))
        except Exception as exc:  # noqa: BLE001 - any failure: the interactive figure instead
            log.warning("report figure %s drawn with plotly.js instead of SVG: %s", div_id, exc)
            fragment = figure_html(fig, div_id=div_id, include_plotlyjs=not self._js_sent)
            self._js_sent = True
            return fragment
        return f'<div class="medstat-figure" id="{div_id}">{svg}</div>'
