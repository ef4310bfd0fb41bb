"""The stats panel shows a cache hit after the same analysis runs twice in the browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import open_tab, run_outcome

pytestmark = pytest.mark.e2e


def test_second_identical_run_is_a_cache_hit(page):
    run_outcome(page)
    run_outcome(page)
    open_tab(page, "Server stats")
    # Polled every few seconds; a hit has been recorded, so the rate is above 0%.
    expect(page.locator("#stats-hit-rate")).to_have_text(re.compile(r"^[1-9]\d*%$"), timeout=15_000)
    # The newest analysis (first row) is the repeat, served from the cache.
    newest = page.locator("#stats-recent-table tbody tr").first
    expect(newest).to_contain_text("outcome")
    expect(newest).to_contain_text("cache")
    expect(page.locator("#stats-badge")).to_contain_text("cache")
