"""The live server stats tab and navbar badge: cache, memory, retries, recent analyses and the
cleaning cascade."""

from __future__ import annotations

import pandas as pd
from shiny import module, reactive, render, ui

import logic
from modules.shared.figures import figure_html
from modules.shared.tables import html_table
from modules.shiny_patches.refresh import invalidate_later
from modules.stats_panel import view as stats_view

REFRESH_S = 3.0


@module.ui
def stats_badge_ui():
    return ui.output_ui("badge")


@module.server
def stats_badge_server(input, output, session):
    @render.ui
    def badge():
        invalidate_later(REFRESH_S)
        stats = logic.stats()
        theme = stats_view.STATUS_THEMES[stats_view.status_name(stats["memory"])]
        return ui.span(
            stats_view.badge_text(stats),
            class_=f"badge text-bg-{theme}",
            id="stats-badge",
            title="Server stats: result cache hit rate and memory in use",
        )


@module.ui
def stats_ui():
    return ui.div(
        ui.p(
            "How the server is coping, refreshed every few seconds. Shared by everyone "
            "using this server: repeat analyses are served from the cache, memory is kept "
            "under its limit, and passing faults are retried.",
            class_="text-muted",
        ),
        ui.output_ui("boxes"),
        ui.layout_columns(
            ui.card(ui.card_header("Memory over the last minutes"), ui.output_ui("memory_chart")),
            ui.card(ui.card_header("Recent analyses"), ui.output_ui("recent")),
            col_widths=(6, 6),
        ),
        ui.layout_columns(
            ui.card(ui.card_header("Result cache"), ui.output_ui("cache_detail")),
            ui.card(ui.card_header("Retries and fallbacks"), ui.output_ui("retry_detail")),
            ui.card(ui.card_header("Data cleaning"), ui.output_ui("cleaning_detail")),
            col_widths=(4, 4, 4),
        ),
    )


@module.server
def stats_server(input, output, session):
    @reactive.calc
    def current():
        invalidate_later(REFRESH_S)
        return logic.stats()

    @render.ui
    def boxes():
        stats = current()
        cache, memory, retry = stats["cache"], stats["memory"], stats["retry"]
        tabs = stats.get("sessions", {})
        status = stats_view.status_name(memory)
        return ui.layout_columns(
            ui.value_box(
                "Cache hit rate",
                ui.span(stats_view.percent(cache.get("hit_rate", 0.0)), id="stats-hit-rate"),
                f"{cache.get('hits', 0):.0f} hits · {cache.get('misses', 0):.0f} misses · "
                f"{cache.get('saved_s', 0):.1f} s saved",
            ),
            ui.value_box(
                "Memory",
                ui.span(stats_view.memory_line(memory), id="stats-memory"),
                f"status {status} · peak {memory.get('peak_mb', 0):.0f} MB · "
                f"{tabs.get('live', 0):.0f} open tabs, {tabs.get('kept', 0):.0f} closed kept",
                theme=stats_view.STATUS_THEMES[status],
            ),
            ui.value_box(
                "Retry success",
                ui.span(stats_view.percent(retry.get("success_rate", 1.0)), id="stats-retry"),
                f"{retry.get('recovered', 0):.0f} recovered · {retry.get('failed', 0):.0f} failed"
                f" · {retry.get('fallbacks', 0):.0f} fallbacks",
            ),
            col_widths=(4, 4, 4),
        )

    @render.ui
    def memory_chart():
        stats = current()
        fig = stats_view.memory_sparkline(
            logic.memory_history(), stats["memory"].get("limit_mb", 0)
        )
        return ui.HTML(figure_html(fig, div_id="stats-memory-chart"))

    @render.ui
    def recent():
        current()
        frame = stats_view.recent_table(logic.recent_analyses()[:10])
        return html_table(frame.astype(str), table_id="stats-recent-table")

    @render.ui
    def cache_detail():
        return html_table(_two_columns(current()["cache"]))

    @render.ui
    def retry_detail():
        return html_table(_two_columns(current()["retry"]))

    @render.ui
    def cleaning_detail():
        stats = current()
        frame = stats_view.cleaning_table(stats["cleaning"], stats["embeddings"])
        return html_table(frame, table_id="stats-cleaning-table")


def _two_columns(numbers: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"measure": list(numbers), "value": [f"{v:,.3g}" for v in numbers.values()]}
    )
