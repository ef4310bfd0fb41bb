"""Browser test: the example's codebook is matched, applied, kept on reload, shown on Table 1,
and undone; a bad codebook is refused with nothing lost."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ROOT, open_tab

pytestmark = pytest.mark.e2e

CODEBOOK = ROOT / "data" / "example_codebook.csv"


def run_table1(page: Page) -> None:
    open_tab(page, "Table 1")
    page.locator("#table1-group").select_option("complication")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    before = page.locator("#table1-status [data-state=done]").count()
    page.locator("#table1-run").click()
    if before:
        expect(page.locator("#table1-status [data-state=running]")).to_have_count(0, timeout=60_000)
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)


def test_codebook_labels_reach_table1_and_undo_removes_them(page: Page) -> None:
    expect(page.locator("#data-summary")).to_contain_text("example", timeout=30_000)
    open_tab(page, "Data cleaning")
    page.set_input_files("#cleaning-codebook-upload", str(CODEBOOK))
    table = page.locator("#codebook-match-table")
    expect(table).to_be_visible(timeout=30_000)
    diabetes = table.locator("tr[data-variable=dm]")
    expect(diabetes.locator("select")).to_have_value("c5")  # the sixth column, 'diabetes'
    expect(diabetes.locator("input[type=checkbox]")).to_be_checked()
    # An unsure proposal is shown but left unticked for the user to decide.
    unsure = table.locator("tr.codebook-unsure")
    for i in range(unsure.count()):
        expect(unsure.nth(i).locator("input[type=checkbox]")).not_to_be_checked()
    # Allowed values of a matched categorical column are listed with their proposals.
    expect(
        page.locator("#codebook-value-list .codebook-values[data-variable=gender]")
    ).to_be_visible()

    # The column is editable: the value editor follows it, and one column for two variables
    # is refused.
    diabetes.locator("select").select_option("c6")  # 'hypertension'
    expect(page.locator(".codebook-values[data-variable=dm]")).to_contain_text("dm → hypertension")
    page.click("#cleaning-codebook-apply")
    expect(page.locator(".shiny-notification-warning")).to_contain_text("chosen for both")
    expect(page.locator("#cleaning-history-list li")).to_have_count(0)
    diabetes.locator("select").select_option("c5")
    expect(page.locator(".codebook-values[data-variable=dm]")).to_contain_text("dm → diabetes")

    page.click("#cleaning-codebook-apply")
    history = page.locator("#cleaning-history-list li")
    expect(history).to_have_count(1, timeout=15_000)
    expect(history.first).to_contain_text("Codebook 'example_codebook.csv'")

    # A reload restores the applied codebook step from the tab's saved state.
    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Data cleaning")
    expect(page.locator("#cleaning-history-list li")).to_have_count(1, timeout=15_000)

    run_table1(page)
    t1 = page.locator("#table1-table")
    expect(t1.locator("tbody tr", has_text="Diabetes mellitus: Yes, n (%)")).to_have_count(1)
    expect(t1).to_contain_text("Age (years)")

    open_tab(page, "Data cleaning")
    page.click("#cleaning-undo")
    expect(page.locator("#cleaning-history-list li")).to_have_count(0, timeout=15_000)
    run_table1(page)
    expect(page.locator("#table1-table tbody tr", has_text="diabetes: Yes, n (%)")).to_have_count(
        1, timeout=30_000
    )


def test_a_bad_codebook_is_refused_and_nothing_is_lost(page: Page, tmp_path) -> None:
    bad = tmp_path / "bad_codebook.csv"
    bad.write_text("label,type\nAge,numeric\n")
    open_tab(page, "Data cleaning")
    page.set_input_files("#cleaning-codebook-upload", str(bad))
    status = page.locator("#codebook-status[data-state=error]")
    expect(status).to_contain_text("no variable column", timeout=20_000)
    expect(page.locator(".shiny-notification-error")).to_contain_text("Codebook not used")
    expect(page.locator("#cleaning-history-list")).to_contain_text("No changes applied yet")
