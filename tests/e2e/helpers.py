"""Small steps the browser tests share: open a tab, upload a file, pick options, run an analysis."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Error, Page, expect

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


def run_outcome(page: Page, timeout: float = 60_000) -> None:
    """Press Run on the outcome tab and wait for the analysis to finish."""
    open_tab(page, "Outcome analysis")
    run = page.locator("#outcome-run")
    expect(run).to_be_enabled(timeout=30_000)
    # The covariate list fills in after the outcome is chosen; run once it has.
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    # Mark the status shown now: a "done" left from the previous run must not pass for this one
    # (it did, while this run had not yet shown "running", and a slow run then read as finished).
    expect(page.locator("#outcome-status")).not_to_have_class(re.compile(r"\brecalculating\b"))
    page.evaluate(
        "() => document.querySelectorAll('#outcome-status [data-state]')"
        ".forEach(e => e.setAttribute('data-before-run', ''))"
    )
    run.click()
    fresh_done = page.locator("#outcome-status [data-state=done]:not([data-before-run])")
    expect(fresh_done).to_have_count(1, timeout=timeout)


def cache_counts(page: Page) -> tuple[int, int]:
    """(hits, misses) as the Server stats tab shows them now."""
    open_tab(page, "Server stats")
    box = page.locator(".bslib-value-box", has=page.locator("#stats-hit-rate"))
    expect(box).to_contain_text("hits", timeout=15_000)
    found = re.search(r"(\d+) hits · (\d+) misses", box.inner_text())
    assert found, box.inner_text()
    return int(found[1]), int(found[2])


def expect_counts(page: Page, hits: int, misses: int) -> None:
    """Wait for the polled stats panel to show exactly these counts."""
    open_tab(page, "Server stats")
    box = page.locator(".bslib-value-box", has=page.locator("#stats-hit-rate"))
    expect(box).to_contain_text(f"{hits} hits · {misses} misses", timeout=15_000)
