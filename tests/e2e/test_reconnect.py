"""A tab that loses its websocket, or is reloaded, finds its data and last results again; it does
not silently re-run anything, and another tab never gets them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from modules.stats_panel.tab import REFRESH_S
from tests.e2e.helpers import (
    EXAMPLE,
    cache_counts,
    expect_counts,
    open_tab,
    run_outcome,
    upload,
)

pytestmark = pytest.mark.e2e


def session_id(page: Page) -> str:
    return page.evaluate("Shiny.shinyapp.config && Shiny.shinyapp.config.sessionId")


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    path = tmp_path / "reconnect_cohort.csv"
    pd.read_csv(EXAMPLE).head(400).to_csv(path, index=False)
    return path


def test_dropped_websocket_reconnects_with_data_and_results(page: Page, cohort: Path):
    upload(page, cohort)
    run_outcome(page)
    table = page.locator("#table-multivariable")
    before = table.inner_text()
    assert "age" in before
    page.wait_for_timeout(REFRESH_S * 1000 + 500)  # the panel polls: let it show this run
    hits, misses = cache_counts(page)
    old_session = session_id(page)

    page.evaluate("Shiny.shinyapp.$socket.close()")  # the connection drops, the page stays
    # Blank what the old session drew, so that only the new session's outputs can pass below.
    page.evaluate(
        """() => {
        for (const id of ['table-multivariable', 'dataset-name', 'outcome-status'])
            document.getElementById(id).innerHTML = '';
    }"""
    )
    page.wait_for_function(
        "old => Shiny.shinyapp.isConnected() && Shiny.shinyapp.config.sessionId !== old",
        arg=old_session,
        timeout=30_000,
    )

    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=15_000)
    expect(table).to_have_text(before, timeout=15_000)
    open_tab(page, "Data")
    expect(page.locator("#dataset-name")).to_contain_text(cohort.name)
    # Nothing ran again when the page resent its inputs (the Run button's count among them).
    expect_counts(page, hits, misses)

    run_outcome(page)  # the restored session works: the same request is served by the cache
    expect_counts(page, hits + 1, misses)
    assert page.dialogs == []  # type: ignore[attr-defined]


def test_reload_keeps_the_tab_s_work_and_a_new_tab_starts_afresh(
    browser: Browser, page: Page, app_url: str, cohort: Path
):
    upload(page, cohort)
    run_outcome(page)
    before = page.locator("#table-multivariable").inner_text()

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Data")
    expect(page.locator("#dataset-name")).to_contain_text(cohort.name, timeout=15_000)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#table-multivariable")).to_have_text(before, timeout=15_000)

    other = browser.new_context().new_page()
    try:
        other.goto(app_url)
        other.wait_for_selector(".shiny-bound-output", timeout=30_000)
        expect(other.locator("#dataset-name")).to_have_text(EXAMPLE.name, timeout=15_000)
        open_tab(other, "Outcome analysis")
        expect(other.locator("#outcome-status [data-state=idle]")).to_have_count(1)
        assert cohort.name not in other.content()
    finally:
        other.context.close()
