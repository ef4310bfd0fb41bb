"""Browser: a Run runs with what the page shows, or not at all.

With each click on Run the page sends what its controls stand at (www/run_shown.js); the
server runs only once its settings agree, and says so when they cannot. Here the page is made
to show a covariate the server has not been sent (as a control redrawn on a lagging server
could), and one the server cannot take."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_tab, upload
from tests.e2e.test_survival import lung_file

pytestmark = pytest.mark.e2e
COVARIATES = "#survival-covariates"
# Shown in the covariates control without the page telling the server (no change event).
SHOW_ONLY = """([value]) => {
  const sel = document.querySelector('#survival-covariates').selectize;
  sel.addOption({value: value, label: value});
  sel.addItem(value, true);
}"""
SEND = "() => window.jQuery('#survival-covariates').trigger('change')"


def survival_by_sex(page: Page, tmp_path) -> None:
    upload(page, lung_file(tmp_path))
    open_tab(page, "Survival")
    expect(page.locator("#survival-event_level")).to_have_value("2", timeout=30_000)
    page.select_option("#survival-group", "sex")
    page.wait_for_function(  # the covariates redrawn without the group
        "() => { const s = document.querySelector('#survival-covariates').selectize;"
        " return s && 'age' in s.options && !('sex' in s.options); }",
        timeout=15_000,
    )


def test_run_waits_for_what_the_page_shows(page, tmp_path):
    survival_by_sex(page, tmp_path)
    page.evaluate(SHOW_ONLY, ["age"])
    page.locator("#survival-run").click()
    expect(page.locator("#survival-status [data-state=waiting]")).to_be_visible(timeout=15_000)
    expect(page.locator("#survival-table")).to_have_count(0)  # nothing ran with the server's []

    page.evaluate(SEND)  # the page's value arrives
    expect(page.locator("#survival-status [data-state=done]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#survival-table")).to_contain_text("df = 2")  # sex and age
    expect(page.locator("#survival-stale [data-state=stale]")).to_have_count(0)


def test_run_refused_when_the_server_cannot_take_what_the_page_shows(page, tmp_path):
    survival_by_sex(page, tmp_path)
    page.evaluate(SHOW_ONLY, ["time"])  # the follow-up time: not a covariate
    page.evaluate(SEND)
    page.locator("#survival-run").click()
    error = page.locator("#survival-status [data-state=error]")
    expect(error).to_contain_text("Nothing was run", timeout=30_000)
    expect(error).to_contain_text("Cox model covariates")
    expect(page.locator("#survival-table")).to_have_count(0)
