"""Pure builders for the server stats panel: the memory sparkline and the data cleaning table."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from modules.stats_panel.measures import MEASURES

# The limit is drawn when it is within this many times the highest use shown; above, the line
# would flatten the use against zero (a budget of half of a 24 GB machine is 12 GB), so the axis
# follows the use and the limit is written at the top instead.
LIMIT_IN_VIEW = 3.0


def memory_sparkline(history: Sequence[tuple[float, float]], limit_mb: float) -> go.Figure:
    """RSS over the last minutes against the limit, small enough for a card."""
    now = time.time()
    minutes = [(now - t) / 60 for t, _ in history]
    rss = [mb for _, mb in history]
    fig = go.Figure(
        go.Scatter(
            x=minutes, y=rss, mode="lines", fill="tozeroy", name="Memory in use (MB)", line_width=2
        )
    )
    highest = max(rss, default=0.0)
    if limit_mb and (not highest or limit_mb <= LIMIT_IN_VIEW * highest):
        fig.add_hline(y=limit_mb, line_dash="dash", line_color="firebrick", annotation_text="limit")
    elif limit_mb:
        fig.update_yaxes(range=[0, 1.5 * highest])
        fig.add_annotation(
            text=f"limit {limit_mb:,.0f} MB, far above",
            xref="paper",
            yref="paper",
            x=1,
            y=1,
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font_color="firebrick",
        )
    fig.update_layout(
        height=180,
        margin=dict(l=40, r=10, t=10, b=30),
        showlegend=False,
        xaxis_title="minutes ago",
        xaxis_autorange="reversed",  # now on the right, as a timeline reads
        yaxis_title="MB",
        yaxis_rangemode="tozero",
    )
    return fig


def cleaning_table(cleaning: dict[str, float], model: dict[str, float]) -> pd.DataFrame:
    """The Data cleaning card: the cascade's work so far and the embedding worker's state."""
    pairs = cleaning.get("pairs", 0.0)
    early = cleaning.get("early_exits", 0.0)
    share = f" ({early / pairs:.1%})" if pairs else ""
    if not model.get("enabled", 1.0):
        state = "turned off (MEDSTAT_EMBEDDINGS=0)"
    elif model.get("running", 0.0):
        state = (
            f"running, {model.get('worker_rss_mb', 0):.0f} MB "
            f"(peak {model.get('worker_peak_rss_mb', 0):.0f} MB)"
        )
    elif model.get("failures", 0.0):
        state = f"not running; failed to start {model['failures']:.0f} time(s), rapidfuzz only"
    else:
        state = "not running (starts when a column needs it, stops when idle)"
    names = {key: m.name for key, m in MEASURES["cleaning"].items()}
    rows = {
        "Embedding model": state,
        names["columns"]: f"{cleaning.get('columns', 0):,.0f}",
        names["pairs"]: f"{pairs:,.0f}",
        names["early_exits"]: f"{early:,.0f}{share}",
        names["embedded_labels"]: f"{cleaning.get('embedded_labels', 0):,.0f}",
        names["columns_with_model"]: f"{cleaning.get('columns_with_model', 0):,.0f}",
    }
    return pd.DataFrame({"Measure": list(rows), "Value": list(rows.values())})
