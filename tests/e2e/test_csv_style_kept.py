"""The CSV style a user picks under a tab's downloads is kept like the tab's settings: through a
dropped connection, a reload, and a project file opened in another browser tab. The Data
cleaning tab's cleaned data follows the same choice, starting as the upload was written."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import EXAMPLE, open_tab, run_tab, upload

pytestmark = pytest.mark.e2e

SEMICOLON = "Semicolon (;), decimal comma"


def run_table1(page: Page) -> None:
    open_tab(page, "Table 1")
    page.locator("#table1-group").select_option("complication")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")


def csv_text(page: Page) -> str:
    open_tab(page, "Table 1")
    # The link of this session (after a reconnect the old one's is drawn again, then replaced).
    session = page.evaluate("Shiny.shinyapp.config.sessionId")
    expect(page.locator(f"#table1-download_csv[href*='{session}']")).to_have_count(
        1, timeout=30_000
    )
    with page.expect_download(timeout=30_000) as info:
        page.locator("#table1-download_csv").click()
    return Path(info.value.path()).read_bytes().decode("utf-8-sig")


def expect_semicolon(page: Page) -> None:
    open_tab(page, "Table 1")
    radio = page.locator("#table1-csv_style")
    expect(radio.locator("input[value=semicolon]")).to_be_checked(timeout=30_000)
    header = csv_text(page).splitlines()[0]
    assert ";" in header and "," not in header


def test_the_csv_style_survives_reconnect_reload_and_project(
    browser: Browser, page: Page, app_url: str, tmp_path: Path
):
    run_table1(page)  # the example file is comma-separated: comma first
    radio = page.locator("#table1-csv_style")
    expect(radio.locator("input[value=comma]")).to_be_checked(timeout=15_000)
    radio.get_by_text(SEMICOLON).click()
    expect_semicolon(page)

    # The connection drops and comes back: the pick stands.
    old = page.evaluate("Shiny.shinyapp.config.sessionId")
    page.evaluate("Shiny.shinyapp.$socket.close()")
    page.wait_for_function(
        "old => Shiny.shinyapp.isConnected() && Shiny.shinyapp.config.sessionId !== old",
        arg=old,
        timeout=30_000,
    )
    expect_semicolon(page)

    # A reload draws the page afresh from the tab's saved state: the pick stands.
    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Table 1")
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=30_000)
    expect_semicolon(page)

    # The project file carries it to another browser tab with the same data.
    open_tab(page, "Paper & project")
    with page.expect_download(timeout=60_000) as info:
        page.locator("#paper-save_project").click()
    project = tmp_path / info.value.suggested_filename
    info.value.save_as(project)
    assert '"csv_style"' in project.read_text()

    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(app_url)
        other.wait_for_selector(".shiny-bound-output", timeout=30_000)
        open_tab(other, "Paper & project")
        with other.expect_navigation(timeout=30_000):  # the project is applied by a reload
            other.set_input_files("#paper-open_project", str(project))
        other.wait_for_selector(".shiny-bound-output", timeout=30_000)
        open_tab(other, "Table 1")
        expect(other.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)
        expect_semicolon(other)
    finally:
        other.context.close()


def test_the_cleaned_data_csv_is_written_as_the_upload_was(page: Page, tmp_path: Path):
    european = tmp_path / "clinical_eu.csv"
    frame = pd.read_csv(EXAMPLE).head(60)
    frame.to_csv(european, sep=";", decimal=",", index=False)
    upload(page, european)
    open_tab(page, "Data cleaning")
    radio = page.locator("#cleaning-csv_style")
    expect(radio.locator("input[value=semicolon]")).to_be_checked(timeout=30_000)

    def cleaned(style: str) -> pd.DataFrame:
        with page.expect_download(timeout=30_000) as info:
            page.locator("#cleaning-download_data").click()
        text = Path(info.value.path()).read_bytes().decode("utf-8-sig")
        sep, decimal = (";", ",") if style == "semicolon" else (",", ".")
        assert text.splitlines()[0].count(sep) == len(frame.columns) - 1
        return pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal)

    numbers = frame.select_dtypes("float").columns
    assert len(numbers) > 0
    for style in ("semicolon", "comma"):  # as uploaded, then the user's pick
        radio.locator(f"input[value={style}]").check()
        back = cleaned(style)
        assert list(back.columns) == list(frame.columns)
        for column in numbers:
            assert back[column].tolist() == pytest.approx(frame[column].tolist(), nan_ok=True)
