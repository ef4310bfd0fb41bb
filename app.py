"""MedStat: the page shell. One line per module; the data module feeds the analysis modules."""

from __future__ import annotations

import logging
from dataclasses import asdict
from pathlib import Path

from shiny import App, ui
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

import logic
from modules import shiny_patches
from modules.agreement import tab as agreement
from modules.cleaning import tab as cleaning
from modules.correlation import tab as correlation
from modules.data import tab as data
from modules.diagnostic import tab as diagnostic
from modules.outcome import tab as outcome
from modules.paper import tab as paper
from modules.propensity import tab as propensity
from modules.propensity.use_sample import use_sample_server
from modules.regression import tab as regression
from modules.sample_size import tab as sample_size
from modules.shared import figure_warm_up, session_state
from modules.shared.cleaning_steps import CleaningSteps
from modules.shared.figures import plotly_dependency
from modules.shared.session_record import SessionRecord
from modules.shared.uploads import track_uploads
from modules.stats_panel import tab as stats_panel
from modules.survival import tab as survival
from modules.table1 import tab as table1
from utils import debug_memory
from utils.browser_cookie import BrowserCookie
from utils.config import settings
from utils.connection_limit import ConnectionLimit
from utils.dataset import Dataset
from utils.upload_limit import UploadLimit
from utils.upload_store import store as upload_store

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
log = logging.getLogger("medstat")
debug_memory.install()  # off unless MEDSTAT_DEBUG_TRACEMALLOC is set
shiny_patches.install()  # before any session; only on the Shiny version they were written for

WWW = Path(__file__).parent / "www"

app_ui = ui.page_navbar(
    ui.nav_panel("Data", data.data_ui("data"), value="data"),
    ui.nav_panel("Data cleaning", cleaning.cleaning_ui("cleaning"), value="cleaning"),
    ui.nav_panel("Outcome analysis", outcome.TAB.ui("outcome"), value="outcome"),
    ui.nav_panel("Table 1", table1.TAB.ui("table1"), value="table1"),
    ui.nav_panel("Diagnostic accuracy", diagnostic.TAB.ui("diagnostic"), value="diagnostic"),
    ui.nav_panel("Survival", survival.TAB.ui("survival"), value="survival"),
    ui.nav_panel("Correlation", correlation.TAB.ui("correlation"), value="correlation"),
    ui.nav_panel("Regression", regression.TAB.ui("regression"), value="regression"),
    # analysis tabs (one line each)
    ui.nav_panel("Sample size", sample_size.TAB.ui("sample_size"), value="sample_size"),
    ui.nav_panel("Agreement", agreement.TAB.ui("agreement"), value="agreement"),
    ui.nav_panel("Propensity scores", propensity.TAB.ui("propensity"), value="propensity"),
    ui.nav_panel("Paper & project", paper.paper_ui("paper"), value="paper"),
    ui.nav_panel("Server stats", stats_panel.stats_ui("stats"), value="stats"),
    ui.nav_spacer(),
    ui.nav_control(stats_panel.stats_badge_ui("badge")),
    title="MedStat",
    id="tabs",
    header=ui.TagList(
        ui.head_content(
            ui.tags.link(rel="stylesheet", href="medstat.css"),
            ui.tags.link(rel="icon", href="data:,"),  # no favicon request to 404
            ui.tags.script(src="keep_pick.js", defer=True),  # a pick survives its redraw
            ui.tags.script(src="run_shown.js", defer=True),  # a Run uses what the page shows
        ),
        plotly_dependency(),  # plotly.js once per page, served locally (no CDN)
        session_state.token_ui(),
    ),
    window_title="MedStat",
    fillable=False,
)


# The analysis tabs fed the data (Sample size works without it).
ANALYSIS_TABS = (
    outcome.TAB, table1.TAB, diagnostic.TAB, survival.TAB, correlation.TAB, regression.TAB,
    propensity.TAB, agreement.TAB,
)  # fmt: skip


def _prepare_tabs(dataset: Dataset) -> None:
    """In the worker that read a file: what the cleaning and analysis tabs' controls offer."""
    cleaning.warm(dataset)
    for analysis in ANALYSIS_TABS:
        analysis.warm(dataset)


def server(input, output, session):
    # A dropped websocket reconnects ("force": also under plain `shiny run`) into a new session,
    # which gets the tab's data and last results back from its saved state.
    session.allow_reconnect("force")
    logic.warm_up()  # the statistics stack, imported while the first page is being read
    figure_warm_up.warm_up()  # plotly's validators, loaded before the first figure is drawn
    track_uploads(session)  # its upload folder under the disk bounds
    tab = session_state.open_tab_state(input, session)
    steps = CleaningSteps(tab)  # one undoable history: the Data tab's labels, cleaning's steps
    record = SessionRecord(tab)  # what the analysis tabs ran: methods text, paper, project file
    dataset = data.data_server("data", tab=tab, steps=steps, prepare=_prepare_tabs)
    data_file = dataset  # the Data tab's data, before the cleaning steps: a project's fingerprint
    dataset = cleaning.cleaning_server(
        "cleaning", dataset=dataset, tab=tab, steps=steps, record=record
    )
    outcome.TAB.server("outcome", dataset=dataset, tab=tab, record=record)
    # analysis servers (one line each)
    sample_size.TAB.server("sample_size", dataset=dataset, tab=tab, record=record)  # no data
    agreement.TAB.server("agreement", dataset=dataset, tab=tab, record=record)
    survival.TAB.server("survival", dataset=dataset, tab=tab, record=record)
    correlation.TAB.server("correlation", dataset=dataset, tab=tab, record=record)
    regression.TAB.server("regression", dataset=dataset, tab=tab, record=record)
    table1.TAB.server("table1", dataset=dataset, tab=tab, record=record)
    diagnostic.TAB.server("diagnostic", dataset=dataset, tab=tab, record=record)
    propensity.TAB.server("propensity", dataset=dataset, tab=tab, record=record)
    use_sample_server("propensity", record=record, steps=steps)  # its result as a cleaning step
    paper.paper_server(
        "paper", record=record, steps=steps, data_file=data_file, tab=tab, dataset=dataset
    )
    stats_panel.stats_server("stats", tab=tab)
    stats_panel.stats_badge_server("badge")


def _settings_for_log() -> dict:
    """Settings as logged at start-up; a Redis URL may carry a password and the secret is one,
    so of these only say whether they are set."""
    values = asdict(settings)
    values["redis_url"] = "set" if settings.redis_url else "off"
    values["redis_secret"] = "set" if settings.redis_secret else "off"
    return values


log.info("MedStat starting: %s", _settings_for_log())
logic.start()
shiny_app = App(app_ui, server, static_assets=WWW)
# Unexpected errors in an output show a generic line in the page (details go to the log).
shiny_app.sanitize_errors = True


async def health(request: Request) -> JSONResponse:
    """A cheap liveness check for the container's HEALTHCHECK: no session, no analysis."""
    memory = logic.stats()["memory"]
    return JSONResponse({"status": "ok", "memory_pct": round(memory["used_pct"], 1)})


# Upload bodies are bounded before Shiny writes them to disk (the Data tab checks again), and
# so is the disk they take, per browser tab and in all. The page sets a browser cookie that a
# tab's reconnect token is bound to (utils/browser_cookie.py). Sessions are bounded in number,
# per address and in all, and paced per address.
app = ConnectionLimit(
    UploadLimit(
        BrowserCookie(Starlette(routes=[Route("/healthz", health), Mount("/", app=shiny_app)])),
        max_bytes=int(settings.max_upload_mb * 2**20),
        store=upload_store,
        body_timeout_s=settings.upload_body_timeout_s,
    ),
    total=settings.max_sessions,
    per_address=settings.address_sessions,
    burst=settings.session_open_burst,
    every_s=settings.session_open_every_s,
    proxy_hops=settings.proxy_hops,
    memory_full=lambda: logic.memory.refusing,  # ~5 MB a full session: none while critical
)
