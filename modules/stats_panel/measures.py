"""Readable names and units for every number logic.stats() returns, for the administrators'
details of the stats panel: "Results kept for 30 min", not `ttl_s 1.8e+03`.

Each (section, key) has a Measure; a unit test checks that every key logic.stats() returns has
one, so a new counter cannot reach the page raw.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from modules.stats_panel.wording import fmt_duration, fmt_span

MB = 2**20


@dataclass(frozen=True)
class Measure:
    """How one number reads: its name, its unit, and optionally the key it is a part of
    (`of`: shown as "3.2 MB of 64 MB") or that it is shown in (`within`: not a row itself)."""

    name: str
    unit: str  # one of UNITS
    of: str | None = None
    within: str | None = None


UNITS = ("count", "ms", "s", "span_s", "mb", "bytes", "share", "percent", "yes/no", "status")


# The sections of the details, in the order shown, with their headings.
SECTIONS = {
    "cache": "Result cache",
    "timings": "Analyses (everyone's)",
    "memory": "Memory",
    "retry": "Retries and fallbacks",
    "sessions": "Browser tabs",
    "embeddings": "Embedding model (label cleaning)",
    "cleaning": "Data cleaning",
    "figures": "Figure export (the figure browser)",
}


MEASURES: dict[str, dict[str, Measure]] = {
    "cache": {
        "hits": Measure("Instant repeats (served from the cache)", "count"),
        "misses": Measure("Computed (not in the cache)", "count"),
        "hit_rate": Measure("Share served from the cache", "share"),
        "shared_hits": Measure("Waited for the same analysis already running", "count"),
        "waiting": Measure("Waiting now for the same analysis", "count"),
        "entries": Measure("Results kept", "count"),
        "mb": Measure("Cache size", "mb", of="max_mb"),
        "max_mb": Measure("Cache size limit", "mb", within="mb"),
        "bytes": Measure("Cache size in bytes", "bytes", within="mb"),
        "ttl_s": Measure("Results kept for", "span_s"),
        "saved_s": Measure("Time saved by instant repeats", "s"),
        "evictions": Measure("Results dropped to make room", "count"),
        "expired": Measure("Results dropped when their time was up", "count"),
        "too_large": Measure("Results too large to keep", "count"),
        "redis_enabled": Measure("Shared cache (Redis) set up", "yes/no"),
        "redis_up": Measure("Shared cache (Redis) reachable", "yes/no"),
        "redis_hits": Measure("Results found in the shared cache", "count"),
        "redis_errors": Measure("Shared cache errors", "count"),
        "redis_rejected": Measure("Shared cache entries refused (computed again)", "count"),
        "redis_rejected_size": Measure("Refused: over the size bound", "count"),
        "redis_rejected_format": Measure("Refused: not a signed value", "count"),
        "redis_rejected_signature": Measure("Refused: wrong signature", "count"),
        "redis_rejected_schema": Measure("Refused: fields of the wrong type", "count"),
    },
    "timings": {
        "analyses": Measure("Analyses answered", "count"),
        "cache_served": Measure("Answered from the cache", "count"),
        "computed": Measure("Computed", "count"),
        "last_ms": Measure("Last analysis took", "ms"),
        "mean_cold_ms": Measure("Average time to compute", "ms"),
        "mean_hit_ms": Measure("Average time of an instant repeat", "ms"),
        "cancelled": Measure("Analyses cancelled by the user", "count"),
    },
    "memory": {
        "rss_mb": Measure("Memory in use", "mb", of="limit_mb"),
        "limit_mb": Measure("Memory limit", "mb", within="rss_mb"),
        "server_mb": Measure("Of which the web server", "mb"),
        "workers_mb": Measure("Of which the embedding model's process", "mb"),
        "used_pct": Measure("Memory in use, share of the limit", "percent"),
        "status": Measure("Memory state", "status"),
        "peak_mb": Measure("Highest memory use since the server started", "mb"),
        "reserved_mb": Measure("Memory set aside for analyses running now", "mb"),
        "admitted": Measure("Analyses let in by the memory guard", "count"),
        "refusals": Measure("Analyses refused for lack of memory", "count"),
        "cleanups": Measure("Memory clean-ups run", "count"),
        "warn_pct": Measure("Memory counts as tight from", "percent"),
        "critical_pct": Measure("Memory counts as full (new analyses refused) from", "percent"),
    },
    "retry": {
        "calls": Measure("Guarded calls (file reads, analyses)", "count"),
        "recovered": Measure("Passing faults recovered by a retry", "count"),
        "failed": Measure("Calls lost after every retry", "count"),
        "success_rate": Measure("Calls not lost to a passing fault", "share"),
        "retried_calls": Measure("Calls that needed a retry", "count"),
        "retries": Measure("Retries", "count"),
        "attempts": Measure("Attempts in all", "count"),
        "errors": Measure("Calls ended by an error that a retry cannot fix", "count"),
        "fallbacks": Measure("Model fits that fell back to another solver", "count"),
        "cancelled": Measure("Calls stopped by a Cancel (not retried)", "count"),
    },
    "sessions": {
        "live": Measure("Open browser tabs", "count"),
        "kept": Measure("Closed tabs kept for their return", "count"),
        "kept_mb": Measure("Memory of the closed tabs kept", "mb"),
        "restored": Measure("Tabs given their work back after a reconnect", "count"),
        "refused": Measure("Restores refused (token from another browser)", "count"),
        "expired": Measure("Closed tabs forgotten after their time", "count"),
        "released": Measure("Closed tabs let go to free memory", "count"),
        # With Redis (utils/shared_tab_store.py): tabs kept for any worker to restore.
        "shared_up": Measure("Tab store in Redis reachable", "yes/no"),
        "shared_fallbacks": Measure("Reconnects decided in this worker (Redis away)", "count"),
        "shared_restored": Measure("Tabs restored through Redis", "count"),
        "shared_unknown": Measure("Tokens Redis did not know (spent or expired)", "count"),
        "shared_refused": Measure("Tokens Redis refused (another browser)", "count"),
        "shared_writes": Measure("Parts of tabs written to Redis", "count"),
        "shared_write_mb": Measure("Written to Redis for tabs", "mb"),
        "shared_frames_written": Measure("Data sets written to Redis", "count"),
        "shared_over_bound": Measure("Data sets too large to keep in Redis", "count"),
        "shared_unstorable": Measure("Parts of tabs that could not be stored", "count"),
        "shared_frames_missing": Measure("Data sets not found in Redis at a restore", "count"),
        "shared_errors": Measure("Redis calls of the tab store that failed", "count"),
        "shared_rejected_size": Measure("Stored tab values refused: too large", "count"),
        "shared_rejected_format": Measure("Stored tab values refused: not ours", "count"),
        "shared_rejected_signature": Measure("Stored tab values refused: bad signature", "count"),
        "shared_rejected_schema": Measure("Stored tab values refused: unreadable", "count"),
    },
    "embeddings": {
        "enabled": Measure("Embedding model turned on", "yes/no"),
        "running": Measure("Embedding model running", "yes/no"),
        "worker_rss_mb": Measure("Embedding model memory", "mb"),
        "worker_peak_rss_mb": Measure("Embedding model highest memory", "mb"),
        "cached_labels": Measure("Labels whose embedding is remembered", "count"),
        "embedded": Measure("Labels embedded", "count"),
        "hits": Measure("Labels found already embedded", "count"),
        "starts": Measure("Model starts", "count"),
        "stops": Measure("Model stops", "count"),
        "idle_stops": Measure("Model stops after being idle", "count"),
        "failures": Measure("Model starts that failed", "count"),
        "refused": Measure("Model starts refused for lack of memory", "count"),
    },
    "cleaning": {
        "columns": Measure("Columns harmonised", "count"),
        "pairs": Measure("Label pairs compared", "count"),
        "early_exits": Measure("Pairs decided before any embedding", "count"),
        "embedded_labels": Measure("Labels embedded", "count"),
        "columns_with_model": Measure("Columns the model took part in", "count"),
    },
    "figures": {
        "running": Measure("Figure browser running", "yes/no"),
        "renders": Measure("Figures drawn (downloads and report figures)", "count"),
        "render_ms": Measure("Last figure drawn in", "ms"),
        "starts": Measure("Figure browser starts", "count"),
        "start_ms": Measure("Last start took", "ms"),
        "stops": Measure("Figure browser stops", "count"),
        "idle_stops": Measure("Figure browser stops after being idle", "count"),
        "failures": Measure("Figures that failed to draw", "count"),
    },
}


STATUS_WORDS = {0: "plenty of room", 1: "tight", 2: "full"}


def fmt_value(unit: str, value: float) -> str:
    """One number in its unit, as a person reads it."""
    if not isinstance(value, int | float) or math.isnan(value):
        return "—"
    if unit == "count":
        return f"{value:,.0f}"
    if unit == "ms":
        return fmt_duration(value)
    if unit == "s":
        return fmt_duration(1000 * value)
    if unit == "span_s":
        return fmt_span(value)
    if unit == "mb":
        if value == 0:
            return "0 MB"
        if value < 1:
            return f"{1024 * value:.0f} KB"
        return f"{value:,.0f} MB" if value >= 10 else f"{value:.1f} MB"
    if unit == "bytes":
        return fmt_value("mb", value / MB)
    if unit == "share":
        return f"{100 * value:.0f}%"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "yes/no":
        return "yes" if value else "no"
    if unit == "status":
        return STATUS_WORDS.get(int(value), f"{value:g}")
    raise ValueError(f"unknown unit {unit!r}")


def readable(section: str, key: str) -> Measure:
    """The key's Measure; an unlisted key (which the unit test forbids) gets its own words."""
    found = MEASURES.get(section, {}).get(key)
    return found or Measure(key.replace("_", " ").capitalize(), "count")


def section_frame(section: str, numbers: dict[str, float]) -> pd.DataFrame:
    """One section's rows (measure, value) in the order of MEASURES, parts folded into wholes."""
    listed = list(MEASURES.get(section, {}))
    keys = [k for k in listed if k in numbers] + [k for k in numbers if k not in listed]
    rows = []
    for key in keys:
        measure = readable(section, key)
        if measure.within is not None and measure.within in numbers:
            continue
        value = fmt_value(measure.unit, numbers[key])
        if measure.of is not None and measure.of in numbers:
            part_of = readable(section, measure.of)
            value = f"{value} of {fmt_value(part_of.unit, numbers[measure.of])}"
        rows.append((measure.name, value))
    return pd.DataFrame(rows, columns=["Measure", "Value"])
