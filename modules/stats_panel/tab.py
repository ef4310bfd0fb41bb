"""The stats tab and navbar badge: the researcher's own analyses, the server's memory and faults in
plain words, and the operational counters under a closed "Details for administrators"."""

from __future__ import annotations

import time

from shiny import module, reactive, render, ui

import logic
from modules.shared.figures import figure_html
from modules.shared.session_state import TabState
from modules.shared.tables import html_table
from modules.shiny_patches.refresh import invalidate_later
from modules.stats_panel import measures, wording
from modules.stats_panel import view as stats_view

REFRESH_S = 3.0
RECENT_ROWS = 10


@module.ui
def stats_badge_ui():
    return ui.output_ui("badge")


@module.server
def stats_badge_server(input, output, session):
    @render.ui
    def badge():
        invalidate_later(REFRESH_S)
        memory = logic.stats()["memory"]
        theme = wording.STATUS_THEMES.get(int(memory.get("status", 0)), "success")
        return ui.span(
            wording.badge_text(memory),
            class_=f"badge text-bg-{theme}",
            id="stats-badge",
            title="The server's memory in use, as a share of its limit. Server stats says more.",
        )


@module.ui
def stats_ui():
    return ui.div(
        ui.p(
            "Your analyses in this browser tab, and how the server is coping, refreshed every "
            "few seconds. Only you see your analyses; the server's figures are totals for "
            "everyone using it.",
            class_="text-muted",
        ),
        ui.output_ui("cards"),
        ui.layout_columns(
            ui.card(ui.card_header("Your recent analyses"), ui.output_ui("recent")),
            ui.card(ui.card_header("Server memory, last minutes"), ui.output_ui("memory_chart")),
            col_widths=(6, 6),
        ),
        ui.tags.details(
            ui.tags.summary("Details for administrators", class_="h6"),
            ui.output_ui("admin"),
            id="stats-details",
            class_="mt-3",
        ),
    )


def _card(card: wording.Card, value_id: str):
    return ui.value_box(
        card.title,
        ui.span(card.headline, id=value_id, class_="fs-5"),
        card.detail,
        theme=card.theme,
    )


@module.server
def stats_server(input, output, session, tab: TabState):
    @reactive.calc
    def current():
        invalidate_later(REFRESH_S)
        return logic.stats()

    @reactive.calc
    def mine():
        current()  # refreshed with the rest
        return logic.analyses_of(tab.owner)

    @render.ui
    def cards():
        stats = current()
        return ui.layout_columns(
            _card(wording.repeats_card(mine()), "stats-repeats"),
            _card(wording.memory_card(stats["memory"], stats["embeddings"]), "stats-memory"),
            _card(wording.faults_card(stats["retry"]), "stats-retry"),
            col_widths=(4, 4, 4),
        )

    @render.ui
    def recent():
        history = mine()
        if not history.recent:
            return ui.p("You have not run an analysis in this tab yet.", id="stats-recent-none")
        frame = wording.own_runs_frame(history, time.time()).head(RECENT_ROWS)
        return html_table(frame, table_id="stats-recent-table")

    @render.ui
    def memory_chart():
        stats = current()
        fig = stats_view.memory_sparkline(
            logic.memory_history(), stats["memory"].get("limit_mb", 0)
        )
        return ui.HTML(figure_html(fig, div_id="stats-memory-chart"))

    @render.ui
    def admin():
        stats = current()
        cards = []
        for section, heading in measures.SECTIONS.items():
            if section == "cleaning":
                frame = stats_view.cleaning_table(stats["cleaning"], stats["embeddings"])
                table = html_table(frame, table_id="stats-cleaning-table")
            else:
                frame = measures.section_frame(section, stats.get(section, {}))
                table = html_table(frame, table_id=f"stats-admin-{section}")
            cards.append(ui.card(ui.card_header(heading), table))
        return ui.layout_column_wrap(*cards, width="22rem", heights_equal="row")
