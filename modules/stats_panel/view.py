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
    rows = {
        "embedding model": state,
        "columns harmonised": f"{cleaning.get('columns', 0):,.0f}",
        "label pairs compared": f"{pairs:,.0f}",
        "decided before any embedding": f"{early:,.0f}{share}",
        "labels embedded": f"{cleaning.get('embedded_labels', 0):,.0f}",
        "columns the model took part in": f"{cleaning.get('columns_with_model', 0):,.0f}",
        "model starts / idle stops": (
            f"{model.get('starts', 0):.0f} / {model.get('idle_stops', 0):.0f}"
        ),
    }
    return pd.DataFrame({"measure": list(rows), "value": list(rows.values())})
