"""MedStat: the page shell. One line per module; the data module feeds the analysis modules."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from shiny import App, ui

import logic
from modules import data, figures, outcome, stats_panel
from utils.config import settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("medstat")

WWW = Path(__file__).parent / "www"

app_ui = ui.page_navbar(
    ui.nav_panel("Data", data.data_ui("data"), value="data"),
    ui.nav_panel("Outcome analysis", outcome.outcome_ui("outcome"), value="outcome"),
    # analysis tabs (one line each)
    ui.nav_panel("Server stats", stats_panel.stats_ui("stats"), value="stats"),
    ui.nav_spacer(),
    ui.nav_control(stats_panel.stats_badge_ui("badge")),
    title="MedStat",
    id="tabs",
    header=ui.TagList(
        ui.head_content(
            ui.tags.link(rel="stylesheet", href="medstat.css"),
            ui.tags.link(rel="icon", href="data:,"),  # no favicon request to 404
        ),
        figures.plotly_dependency(),  # plotly.js once per page, served locally (no CDN)
    ),
    window_title="MedStat",
    fillable=False,
)


def server(input, output, session):
    # A dropped websocket reconnects to the same session: data and results survive.
    session.allow_reconnect(True)
    dataset = data.data_server("data")
    outcome.outcome_server("outcome", dataset=dataset)
    # analysis servers (one line each)
    stats_panel.stats_server("stats")
    stats_panel.stats_badge_server("badge")


def _settings_for_log() -> dict:
    """Settings as logged at start-up; a Redis URL may carry a password, so only say if set."""
    values = asdict(settings)
    values["redis_url"] = "set" if settings.redis_url else "off"
    return values


log.info("MedStat starting: %s", _settings_for_log())
logic.start()
app = App(app_ui, server, static_assets=WWW)
# Unexpected errors in an output show a generic line in the page (details go to the log).
app.sanitize_errors = True
