"""Pure builders for the server stats panel: figures, the memory sparkline, recent runs."""

from __future__ import annotations

import time
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

STATUS_NAMES = {0: "ok", 1: "warn", 2: "critical"}
STATUS_THEMES = {"ok": "success", "warn": "warning", "critical": "danger"}


def status_name(memory: dict[str, float]) -> str:
    return STATUS_NAMES.get(int(memory.get("status", 0)), "ok")


def percent(value: float) -> str:
    return f"{100 * value:.0f}%" if value == value else "—"


def memory_line(memory: dict[str, float]) -> str:
    """'182 of 300 MB (61%)'."""
    return (
        f"{memory.get('rss_mb', 0):.0f} of {memory.get('limit_mb', 0):.0f} MB "
        f"({memory.get('used_pct', 0):.0f}%)"
    )


def badge_text(stats: dict[str, dict[str, float]]) -> str:
    """The compact navbar summary: cache hit rate and memory use."""
    cache, memory = stats["cache"], stats["memory"]
    lookups = cache.get("hits", 0) + cache.get("misses", 0)
    hit = percent(cache.get("hit_rate", 0.0)) if lookups else "—"
    return f"cache {hit} · mem {memory.get('used_pct', 0):.0f}%"


def memory_sparkline(history: Sequence[tuple[float, float]], limit_mb: float) -> go.Figure:
    """RSS over the last minutes against the limit, small enough for a card."""
    now = time.time()
    minutes = [(t - now) / 60 for t, _ in history]
    rss = [mb for _, mb in history]
    fig = go.Figure(
        go.Scatter(x=minutes, y=rss, mode="lines", fill="tozeroy", name="RSS (MB)", line_width=2)
    )
    if limit_mb:
        fig.add_hline(y=limit_mb, line_dash="dash", line_color="firebrick", annotation_text="limit")
    fig.update_layout(
        height=180,
        margin=dict(l=40, r=10, t=10, b=30),
        showlegend=False,
        xaxis_title="minutes ago",
        yaxis_title="MB",
        yaxis_rangemode="tozero",
    )
    return fig


def recent_table(recent: Sequence) -> pd.DataFrame:
    """Recent analyses, newest first, as a small table for the page."""
    rows = [
        {
            "time": time.strftime("%H:%M:%S", time.localtime(t.at)),
            "analysis": t.kind,
            "ms": round(t.ms, 1),
            "served by": "cache" if t.hit else "computed",
        }
        for t in recent
    ]
    return pd.DataFrame(rows, columns=["time", "analysis", "ms", "served by"])
