"""Small steps the browser tests share: open a tab, upload a file, pick options, run an analysis."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Error, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example_clinical.csv"


def open_tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name, exact=True).click()


def upload(page: Page, path: Path) -> None:
    """Upload a file on the Data tab and wait until the page shows it as the dataset."""
    open_tab(page, "Data")
    page.set_input_files("#data-upload", str(path))
    expect(page.locator("#dataset-name")).to_contain_text(path.name, timeout=30_000)


def choose(page: Page, select_id: str, text: str, attempts: int = 3) -> None:
    """Pick an option of a selectize input by typing it, and wait until it shows as chosen.

    The server re-renders a tab's selectize controls when an earlier choice (the outcome, the
    data) reaches it, which can replace the control while it is being typed into; each attempt
    therefore starts again on the control that is on the page now."""
    control = f"#{select_id} + .selectize-control"
    chosen = page.locator(f"{control} .item", has_text=text)
    for attempt in range(attempts):
        try:
            box = page.locator(f"{control} input")
            box.click()
            box.fill(text)
            page.locator(f"{control} .option", has_text=text).first.click(timeout=8_000)
            page.keyboard.press("Escape")
            expect(chosen).to_have_count(1, timeout=5_000)
            return
        except (AssertionError, Error):
            if attempt == attempts - 1:
                raise


def select_when_offered(page: Page, select_id: str, value: str, ready: str) -> None:
    """Pick `value` of a plain select whose choices depend on earlier controls, once the select
    offers `ready` (the option the last of those choices adds), and wait until the pick stands.

    Choosing covariates redraws the select (its choices change) once the server has them; a
    pick made in the old element before that redraw was replaced by the server's value (on a
    loaded host the controls the pick reveals then never appeared). With `ready` offered, the
    last redraw has landed."""
    select = page.locator(f"#{select_id}")
    expect(select.locator(f"option[value='{ready}']")).to_have_count(1, timeout=30_000)
    select.select_option(value)
    expect(select).to_have_value(value, timeout=5_000)


def ensure_chosen(page: Page, select_id: str, text: str) -> None:
    """Have `text` among a selectize input's choices, whatever the default pre-selected."""
    items = page.locator(f"#{select_id} + .selectize-control .item", has_text=text)
    page.locator(f"#{select_id} + .selectize-control").wait_for(timeout=20_000)
    page.wait_for_timeout(300)  # the server may still be drawing the default
    if items.count() == 0:
        choose(page, select_id, text)


def run_outcome(page: Page, timeout: float = 60_000) -> None:
    """Press Run on the outcome tab and wait for the analysis to finish."""
    open_tab(page, "Outcome analysis")
    run = page.locator("#outcome-run")
    expect(run).to_be_enabled(timeout=30_000)
    # The covariate list fills in after the outcome is chosen; run once it has.
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    click_run_and_wait(page, "outcome", timeout)


def click_run_and_wait(page: Page, tab: str, timeout: float = 60_000) -> None:
    """Press Run on an analysis tab (module id `tab`) and wait for THIS run's "done".

    The status shown before the click is marked: a "done" left from the previous run must not
    pass for this one (it did, while this run had not yet shown "running", and a slow run then
    read as finished)."""
    status = page.locator(f"#{tab}-status")
    expect(status).not_to_have_class(re.compile(r"\brecalculating\b"))
    status.evaluate(
        "s => s.querySelectorAll('[data-state]').forEach(e => e.dataset.beforeRun = '')"
    )
    page.locator(f"#{tab}-run").click()
    fresh_done = status.locator("[data-state=done]:not([data-before-run])")
    expect(fresh_done).to_have_count(1, timeout=timeout)


# The administrators' details of the Server stats tab: the server-wide result cache counts.
HITS_ROW = "Instant repeats (served from the cache)"
MISSES_ROW = "Computed (not in the cache)"


def open_admin_details(page: Page) -> None:
    """Open the Server stats tab and its "Details for administrators" (closed by default)."""
    open_tab(page, "Server stats")
    details = page.locator("#stats-details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    expect(details).to_have_attribute("open", "")


def _cache_cell(page: Page, row: str) -> Locator:
    return page.locator("#stats-admin-cache tr", has_text=row).locator("td").nth(1)


def cache_counts(page: Page) -> tuple[int, int]:
    """(hits, misses) of the whole server as the Server stats tab shows them now."""
    open_admin_details(page)
    hits, misses = _cache_cell(page, HITS_ROW), _cache_cell(page, MISSES_ROW)
    expect(hits).to_have_text(re.compile(r"^[\d,]+$"), timeout=15_000)
    return tuple(int(cell.inner_text().replace(",", "")) for cell in (hits, misses))


def expect_counts(page: Page, hits: int, misses: int) -> None:
    """Wait for the polled stats panel to show exactly these server-wide counts."""
    open_admin_details(page)
    expect(_cache_cell(page, HITS_ROW)).to_have_text(f"{hits:,}", timeout=15_000)
    expect(_cache_cell(page, MISSES_ROW)).to_have_text(f"{misses:,}", timeout=15_000)


def run_tab(page: Page, tab: str, timeout: float = 60_000) -> None:
    """Press Run on an analysis tab (module id `tab`) and wait for a fresh result."""
    expect(page.locator(f"#{tab}-run")).to_be_enabled(timeout=30_000)
    click_run_and_wait(page, tab, timeout)
    expect_fresh(page, tab)


def expect_stale(page: Page, tab: str, why: str = "Settings changed") -> None:
    """The result is marked out of date and its downloads are off."""
    banner = page.locator(f"#{tab}-stale [data-state=stale]")
    expect(banner).to_be_visible(timeout=15_000)
    expect(banner).to_contain_text(why)
    expect(page.locator(f"#{tab}-downloads [data-state=downloads-off]")).to_be_visible()
    expect(page.locator(f"#{tab}-downloads a.shiny-download-link")).to_have_count(0)


def expect_fresh(page: Page, tab: str) -> None:
    """The result matches the settings on screen: no mark, downloads on."""
    expect(page.locator(f"#{tab}-stale [data-state=stale]")).to_have_count(0, timeout=15_000)
    expect(page.locator(f"#{tab}-downloads a.shiny-download-link").first).to_be_visible(
        timeout=15_000
    )
