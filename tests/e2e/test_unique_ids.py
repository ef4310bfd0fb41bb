"""Every id in the page names one element: a label's `for`, a test's locator and Shiny's own
bindings find the element meant (Table 1's table and its "Numbers shown as" radio group were
both `table1-summary`). Each tab is opened, and the quick ones run, so their outputs are drawn."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_tab, run_outcome, run_tab

pytestmark = pytest.mark.e2e

TABS = (
    "Data", "Data cleaning", "Outcome analysis", "Table 1", "Diagnostic accuracy", "Survival",
    "Correlation", "Regression", "Sample size", "Agreement", "Paper & project",
)  # fmt: skip
DUPLICATES = """() => {
  const seen = {};
  document.querySelectorAll('[id]').forEach(e => { seen[e.id] = (seen[e.id] || 0) + 1; });
  return Object.entries(seen).filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
}"""


def test_no_id_names_two_elements_on_any_tab(page: Page):
    for name in TABS:
        open_tab(page, name)
        assert page.evaluate(DUPLICATES) == [], name
    open_tab(page, "Table 1")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")
    expect(page.locator("table#table1-summary")).to_be_visible(timeout=30_000)
    assert page.evaluate(DUPLICATES) == [], "Table 1 with its table drawn"
    expect(page.locator("input[name='table1-numbers_as'][value='auto']")).to_be_checked()
    run_outcome(page)
    for name in TABS:  # with results drawn
        open_tab(page, name)
        assert page.evaluate(DUPLICATES) == [], name
