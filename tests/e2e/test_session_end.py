"""Tabs closed in the middle of an analysis leave a clean server log: no traceback, no error.

Four tabs rarely hit the moment when a closing session's timer waits for the reactive lock;
tests/unit/modules/shiny_patches/test_refresh.py reproduces that moment exactly. This test
guards the whole path: every session ending mid-run, with its extended task and its timers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import serve_app
from tests.e2e.helpers import open_tab

pytestmark = pytest.mark.e2e


def test_closing_tabs_mid_analysis_leaves_no_traceback(browser: Browser, tmp_path: Path):
    log_path = tmp_path / "server.log"
    with serve_app(log_path) as url:
        contexts = [browser.new_context() for _ in range(4)]
        for context in contexts:
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(".shiny-bound-output", timeout=30_000)
            open_tab(page, "Outcome analysis")
            expect(
                page.locator("#outcome-covariates + .selectize-control .item").first
            ).to_be_visible(timeout=30_000)
        for context in contexts:
            page = context.pages[0]
            page.locator("#outcome-run").click()
            # The server took the click (its status left idle) before any tab closes: closing
            # at once could drop a click still in the socket, and the count below miss it.
            started = "[data-state=running], [data-state=waiting], [data-state=done]"
            expect(page.locator("#outcome-status").locator(started).first).to_be_attached()
        for context in contexts:  # closed while the analyses run and the badges' timers wait
            context.close()
        # The stats badge's 3 s timer of every closed session would have fired by now.
        time.sleep(7)
    log = log_path.read_text()
    assert log.count("outcome analysis requested") == 4, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
    assert " ERROR " not in log, log[-3000:]
