"""The Server stats tab speaks to the researcher: each browser tab sees its own analyses in plain
words and never another's; the server's counters wait, readable, under a closed
"Details for administrators"."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import EXAMPLE, open_admin_details, open_tab, run_outcome, upload
from tests.e2e.hostile import run_outcome_after_upload
from tests.e2e.test_sessions import session

pytestmark = pytest.mark.e2e
# A raw counter as logic.stats() names it, or a number in scientific notation.
RAW = re.compile(r"\b[a-z]+_[a-z_]+\b|\d\.\d+e[+-]\d+")


@pytest.fixture
def own_data(tmp_path: Path) -> Path:
    """The example's patients in another order, one column renamed: content no other test runs,
    so this tab's first analysis is computed and its second is the repeat."""
    path = tmp_path / "stats_panel_cohort.csv"
    frame = pd.read_csv(EXAMPLE).sample(frac=1.0, random_state=20260314)
    frame.rename(columns={"age": "age_years"}).to_csv(path, index=False)
    return path


def test_each_tab_sees_only_its_own_analyses(browser: Browser, app_url: str, own_data: Path):
    with session(browser, app_url) as a, session(browser, app_url) as b:
        upload(a, own_data)
        run_outcome_after_upload(a, "age_years")
        run_outcome(a)
        open_tab(a, "Server stats")
        expect(a.locator("#stats-repeats")).to_have_text(
            "1 of your 2 analyses was an instant repeat", timeout=15_000
        )
        rows = a.locator("#stats-recent-table tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.nth(0)).to_contain_text("Outcome analysis")
        expect(rows.nth(0)).to_contain_text("instant repeat")
        expect(rows.nth(1)).to_contain_text(re.compile(r"computed in [\d.]+ (ms|s)"))
        expect(a.locator("#stats-memory")).to_have_text(re.compile(r"^Memory \d+% of the limit$"))
        expect(a.locator("#stats-badge")).to_have_text(re.compile(r"^Memory \d+% · "))

        open_tab(b, "Server stats")
        expect(b.locator("#stats-repeats")).to_have_text("No analyses yet")
        expect(b.locator("#stats-recent-none")).to_be_visible()
        expect(b.locator("#stats-recent-table")).to_have_count(0)
        assert "age_years" not in b.content() and own_data.name not in b.content()


def test_admin_details_are_closed_and_readable(page: Page):
    open_tab(page, "Server stats")
    details = page.locator("#stats-details")
    expect(details.locator("summary")).to_have_text("Details for administrators")
    expect(details).not_to_have_attribute("open", re.compile(".*"))
    expect(page.locator("#stats-admin-cache")).not_to_be_visible()

    open_admin_details(page)
    cache = page.locator("#stats-admin-cache")
    expect(cache).to_be_visible()

    def value(row: str):
        return cache.locator("tr", has_text=row).locator("td").nth(1)

    expect(value("Results kept for")).to_have_text(re.compile(r"^\d+(\.\d+)? (s|min|h)$"))
    expect(value("Cache size")).to_have_text(re.compile(r"^[\d.,]+ (KB|MB) of [\d,]+ MB$"))
    text = details.inner_text()
    for heading in ("Result cache", "Memory", "Retries and fallbacks", "Browser tabs"):
        assert heading in text
    assert not RAW.search(text), RAW.search(text)
