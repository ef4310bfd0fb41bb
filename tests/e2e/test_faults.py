"""Faults seen from the browser: a server whose memory is critical refuses new analyses with a
message that says so. (A dropped websocket: tests/e2e/test_reconnect.py.)

A budget below what the idle program itself takes can never give an analysis room: the message
says so, names the setting and does not send the user back to try again in a minute (the busy
message is for a server that is full now; tests/integration/test_logic_upload.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import serve_app
from tests.e2e.helpers import open_tab

pytestmark = pytest.mark.e2e


@pytest.fixture
def crowded_app_url(tmp_path: Path) -> Iterator[str]:
    """The app started with a memory limit below what it already uses: critical from the start."""
    with serve_app(tmp_path / "server.log", memory_limit_mb="120") as url:
        yield url


def test_a_budget_the_program_fills_refuses_a_new_analysis_for_good_with_a_clear_message(
    browser: Browser, crowded_app_url: str
):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(crowded_app_url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        open_tab(page, "Outcome analysis")
        expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
            timeout=30_000
        )
        page.locator("#outcome-run").click()
        status = page.locator("#outcome-status")
        expect(status.locator("[data-state=error]")).to_have_count(1, timeout=30_000)
        expect(status).to_contain_text("more than this server can ever give one analysis")
        expect(status).to_contain_text("MEDSTAT_MEMORY_LIMIT_MB")
        expect(status).not_to_contain_text("try again in a minute")
        expect(page.locator("#stats-badge")).to_have_class("badge text-bg-danger", timeout=15_000)
    finally:
        context.close()
