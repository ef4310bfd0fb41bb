"""What every figure shares: plotly.js served offline, one plot configuration, HTML fragments.

Plotly renders a subset of HTML in text, so every user string (labels, levels) is passed
through html.escape by the builders before it reaches a figure.
"""

from __future__ import annotations

from pathlib import Path

import plotly
import plotly.graph_objects as go
import plotly.io as pio
from htmltools import HTML, HTMLDependency, Tag, tags

PLOTLY_JS_DIR = Path(plotly.__file__).parent / "package_data"


PLOT_CONFIG = {
    "displaylogo": False,
    "responsive": True,
    "toImageButtonOptions": {"format": "png", "filename": "forest_plot", "scale": 2},
}


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


def figure_html(fig: go.Figure, div_id: str, include_plotlyjs: bool | str = False) -> str:
    """The figure as an HTML fragment; plotly.js comes from the page (False) or inline (True)."""
    return pio.to_html(
        fig,
        full_html=False,
        include_plotlyjs=include_plotlyjs,
        div_id=div_id,
        config=PLOT_CONFIG,
        default_width="100%",
    )


def plot_div(fig: go.Figure, div_id: str, container: str | None = None, **attrs: str) -> Tag:
    """The figure as page content: its fragment and the (once per page) plotly.js dependency."""
    return tags.div(
        HTML(figure_html(fig, div_id=div_id)), plotly_dependency(), id=container, **attrs
    )
