"""No patient data leaves the server: with analyses drawn in two tabs, the stats panel open and a
downloaded report opened (its figures inline SVG, no script), the browser asks nothing of any
host but the app's own, and no plot offers a link to plotly's cloud."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import open_tab, run_outcome
from tests.e2e.hostile import download, open_report

pytestmark = pytest.mark.e2e

# What a plot's modebar would hold if the cloud or plotly's logo were switched back on.
CLOUD_WORDS = ("cloud", "chart studio", "plotly", "edit in")
LOCAL = ("data", "blob")


def record_requests(page: Page) -> list[str]:
    """Every URL the page requests from now on, websockets included."""
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.on("websocket", lambda socket: urls.append(socket.url))
    return urls


def run_correlation(page: Page) -> None:
    open_tab(page, "Correlation")
    page.locator("#correlation-pair_y").wait_for(state="attached", timeout=20_000)
    page.locator("#correlation-pair_x").select_option("age")
    page.locator("#correlation-pair_y").select_option("crp")
    page.locator("#correlation-run").click()
    expect(page.locator("#correlation-status [data-state='done']")).to_be_visible(timeout=30_000)
    expect(page.locator("#correlation-plot .main-svg").first).to_be_visible(timeout=10_000)


def assert_plot_is_offline(page: Page, div_id: str) -> None:
    plot = page.locator(f"#{div_id}")
    expect(plot.locator(".main-svg").first).to_be_visible(timeout=15_000)
    context = page.evaluate(
        """id => { const c = document.getElementById(id)._context;
            return {cloud: c.showSendToCloud, logo: c.displaylogo, math: c.typesetMath}; }""",
        div_id,
    )
    assert context == {"cloud": False, "logo": False, "math": False}, (div_id, context)
    plot.hover()  # the modebar shows on hover
    buttons = plot.locator(".modebar-btn")
    expect(buttons.first).to_be_attached(timeout=5_000)
    titles = [(t or "").lower() for t in buttons.evaluate_all("bs => bs.map(b => b.dataset.title)")]
    assert titles and not [t for t in titles if any(w in t for w in CLOUD_WORDS)], titles
    assert plot.locator(".modebar-btn--logo, a[href^='http']").count() == 0


def test_figures_ask_only_the_app_s_own_host(browser: Browser, app_url: str):
    own = urlsplit(app_url).netloc
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    try:
        urls = record_requests(page)
        page.goto(app_url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)

        run_outcome(page)
        assert_plot_is_offline(page, "forest-plot")
        saved = download(page, "outcome-download_html")

        run_correlation(page)
        for div_id in ("correlation-heatmap", "correlation-plot"):
            assert_plot_is_offline(page, div_id)

        open_tab(page, "Server stats")
        assert_plot_is_offline(page, "stats-memory-chart")

        # data: and blob: URLs are the page's own bytes, not requests to a host.
        elsewhere = [
            u for u in urls if urlsplit(u).netloc != own and urlsplit(u).scheme not in LOCAL
        ]
        assert urls and elsewhere == [], elsewhere

        report = open_report(page, saved)
        report_urls = record_requests(report)
        report.reload()
        # The report's figure is an inline SVG: drawn, with no script and no link at all.
        expect(report.locator("#forest-plot > svg.main-svg")).to_be_visible(timeout=15_000)
        assert report.locator("script").count() == 0
        assert report.locator("#forest-plot a[href]").count() == 0
        assert [u for u in report_urls if urlsplit(u).scheme not in ("file", *LOCAL)] == []
    finally:
        context.close()
