"""Hostile files in a real browser: markup in names, levels and cells is shown as text everywhere
(page, selects, plots, notifications, downloads, the downloaded report opened in the browser),
and no CSV download holds a cell a spreadsheet would run as a formula."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose, open_tab, upload
from tests.e2e.hostile import (
    AGE,
    ANCHOR,
    FORMULA,
    FORMULA_LEVELS,
    GROUP,
    IMG,
    JS_LINK,
    NOTE,
    OUTCOME,
    SCRIPT,
    SVG,
    assert_nothing_ran,
    csv_cells,
    csv_text_of,
    download,
    formula_cells,
    open_report,
    run_outcome_after_upload,
    write_hostile_csv,
)

pytestmark = pytest.mark.e2e
ESCAPED_SCRIPT = "&lt;script&gt;window.__xss=1&lt;/script&gt;"


def hostile_upload(page: Page, tmp_path: Path) -> Path:
    # The file name itself is markup: it is echoed in the summary and the "Loaded" notification.
    path = write_hostile_csv(tmp_path / f"cohort {IMG}.csv")
    upload(page, path)
    return path


def check_report(page: Page, path: Path, *shown: str) -> None:
    """The downloaded HTML escapes the payloads and, opened in the browser, runs none of them."""
    html = path.read_text(encoding="utf-8")
    assert SCRIPT not in html and IMG not in html and SVG not in html
    report = open_report(page, path)
    try:
        assert_nothing_ran(report)
        for text in shown:
            expect(report.locator("body")).to_contain_text(text)
    finally:
        report.close()


def check_csv(path: Path, *neutralised: str) -> str:
    """No formula cell; the payloads that reached the file carry the leading apostrophe."""
    text = csv_text_of(path)
    assert formula_cells(text) == []
    cells = csv_cells(text)
    for payload in neutralised:
        assert any(c.startswith(f"'{payload}") for c in cells), (payload, text[:600])
    return text


def run_tab(page: Page, tab: str) -> None:
    page.locator(f"#{tab}-run").click()
    expect(page.locator(f"#{tab}-status [data-state=done]")).to_have_count(1, timeout=60_000)


def test_markup_in_a_file_is_shown_as_text_and_never_runs(page: Page, tmp_path: Path):
    path = hostile_upload(page, tmp_path)
    notifications = page.locator("#shiny-notification-panel")
    expect(notifications).to_contain_text(f"Loaded '{path.name}'")
    table = page.locator("#column-table")
    for name in (OUTCOME, AGE, GROUP, FORMULA, NOTE):
        expect(table).to_contain_text(name)
    expect(table).to_contain_text(SCRIPT)  # a level listed under Values
    expect(page.locator("#data-preview")).to_contain_text(ANCHOR)
    # A refused kind change echoes the column name and a cell in a notification.
    page.select_option("#data-kind_1_9", "continuous")
    expect(notifications).to_contain_text(f"'{NOTE}' holds text (for example '{ANCHOR}')")
    assert_nothing_ran(page)

    run_outcome_after_upload(page, AGE)
    assert IMG in page.locator("#outcome-event option").all_text_contents()
    results = page.locator("#outcome-results")
    for text in (AGE, GROUP, SCRIPT, SVG, JS_LINK, FORMULA, *FORMULA_LEVELS):
        expect(results).to_contain_text(text)
    expect(page.locator("#outcome-status")).to_contain_text(OUTCOME)
    expect(page.locator("#forest-container .main-svg").first).to_be_visible(timeout=15_000)
    expect(page.locator("#forest-container")).to_contain_text(AGE)
    check_csv(download(page, "outcome-download_csv"), "=1+1", FORMULA)
    check_report(page, download(page, "outcome-download_html"), AGE, GROUP, SVG)
    assert_nothing_ran(page)

    open_tab(page, "Table 1")
    page.locator("#table1-group").select_option(OUTCOME)
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")
    table1 = page.locator("table#table1-summary")
    for text in (AGE, GROUP, SCRIPT, SVG, JS_LINK, IMG, FORMULA):
        expect(table1).to_contain_text(text)
    check_csv(download(page, "table1-download_csv"), FORMULA)
    report = download(page, "table1-download_html")
    assert ESCAPED_SCRIPT in report.read_text(encoding="utf-8")
    check_report(page, report, AGE, IMG)
    word = Document(str(download(page, "table1-download_word")))  # text in cells, no markup
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert all(any(text in c for c in cells) for text in (AGE, IMG)), cells[:20]
    assert_nothing_ran(page)


def test_csv_downloads_of_every_tab_neutralise_formulas(page: Page, tmp_path: Path):
    hostile_upload(page, tmp_path)

    open_tab(page, "Data cleaning")
    data = check_csv(download(page, "cleaning-download_data"), FORMULA, *FORMULA_LEVELS)
    assert "'@crp" in csv_cells(data.splitlines()[0])  # headings too
    check_csv(download(page, "cleaning-download_map_csv"))

    run_outcome_after_upload(page, AGE)
    check_csv(download(page, "outcome-download_csv"), FORMULA)

    open_tab(page, "Table 1")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")
    check_csv(download(page, "table1-download_csv"), FORMULA, "@crp", "+bmi")

    open_tab(page, "Survival")
    expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
    page.locator("#survival-group").select_option(FORMULA)
    run_tab(page, "survival")
    check_csv(download(page, "survival-download_csv"), *FORMULA_LEVELS)
    check_csv(download(page, "survival-download_long_csv"), *FORMULA_LEVELS)

    open_tab(page, "Diagnostic accuracy")
    expect(page.locator("#diagnostic-reference")).to_have_value(OUTCOME, timeout=30_000)
    choose(page, "diagnostic-markers", "@crp")
    choose(page, "diagnostic-markers", "+bmi")
    run_tab(page, "diagnostic")
    check_csv(download(page, "diagnostic-download_csv"), "@crp", "+bmi")

    open_tab(page, "Correlation")
    expect(page.locator("#correlation-pair_y")).to_be_attached(timeout=20_000)
    run_tab(page, "correlation")
    check_csv(download(page, "correlation-download_csv"), "@crp", "+bmi")

    open_tab(page, "Regression")
    # No column is named like a regression outcome: the select waits for a choice.
    expect(page.locator("#regression-outcome")).to_have_value("", timeout=20_000)
    page.locator("#regression-outcome").select_option(AGE)
    choose(page, "regression-covariates", "@crp")
    choose(page, "regression-covariates", "=HYPERLINK")
    run_tab(page, "regression")
    check_csv(download(page, "regression-download_csv"), "@crp", FORMULA)
    assert_nothing_ran(page)
