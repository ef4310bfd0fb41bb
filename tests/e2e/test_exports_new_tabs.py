"""The new tabs' exports through the real page: the Agreement tab's Word file holds the ICC and
Bland–Altman tables cell for cell as on screen, its Bland–Altman plot downloads as an SVG named
for the two methods compared, and the Sample size tab's Word file holds its table as shown.
The Outcome tab's calibration plot has its own download panel, and its Word file gains the
calibration table when calibration was asked for."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from tests.e2e.helpers import (
    EXAMPLE,
    choose,
    click_run_and_wait,
    open_tab,
    run_tab,
    upload,
)

pytestmark = pytest.mark.e2e

DATA = Path(__file__).resolve().parents[1] / "data" / "agreement.csv"
SVG_NS = "{http://www.w3.org/2000/svg}"
DRAWN_MS = 30_000  # a result card is drawn after "done"; slower on a loaded host


def download(page: Page, locator: Locator, timeout: float = 30_000) -> tuple[str, Path]:
    with page.expect_download(timeout=timeout) as info:
        locator.click()
    saved = info.value
    assert saved.failure() is None
    return saved.suggested_filename, Path(saved.path())


def page_rows(table: Locator, part: str) -> list[list[str]]:
    return [[t.strip() for t in r.locator("th, td").all_inner_texts()]
            for r in table.locator(f"{part} tr").all()]  # fmt: skip


def docx_rows(table) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in table.rows]


def assert_word_is_screen(word_table, screen: Locator) -> None:
    assert docx_rows(word_table) == page_rows(screen, "thead") + page_rows(screen, "tbody")


def svg_words(page: Page, panel: Locator, path: Path) -> str:
    """The words of a downloaded SVG (its letters are outlines): those of the panel's PDF."""
    root = ET.fromstring(path.read_bytes())
    assert root.tag == f"{SVG_NS}svg"
    assert not list(root.iter(f"{SVG_NS}text"))
    panel.locator("select[id$='_format']").select_option("pdf")
    _, pdf = download(page, panel.get_by_role("link", name="Download figure"), 90_000)
    return PdfReader(pdf).pages[0].extract_text()


def download_svg(page: Page, panel: Locator) -> tuple[str, Path]:
    expect(panel).to_have_count(1, timeout=DRAWN_MS)
    panel.locator("summary").click()
    panel.locator("select[id$='_format']").select_option("svg")
    return download(page, panel.get_by_role("link", name="Download figure"), 90_000)


def test_agreement_word_and_bland_altman_svg(page: Page):
    upload(page, DATA)
    open_tab(page, "Agreement")
    choose(page, "agreement-raters", "wright")
    choose(page, "agreement-raters", "mini")
    click_run_and_wait(page, "agreement")
    icc = page.locator("table#agreement-icc-table")
    limits = page.locator("table#agreement-limits-table")
    expect(icc).to_be_visible(timeout=DRAWN_MS)
    expect(limits).to_be_visible(timeout=DRAWN_MS)

    name, path = download(page, page.locator("#agreement-download_word"))
    assert name.startswith("medstat_agreement_") and name.endswith("_tables.docx")
    word = Document(str(path))
    assert len(word.tables) == 2
    assert_word_is_screen(word.tables[0], icc)
    assert_word_is_screen(word.tables[1], limits)
    captions = [p.text for p in word.paragraphs]
    assert "Intraclass correlation coefficients" in captions
    assert "Bland–Altman limits of agreement" in captions

    panel = page.locator("#agreement-bland_altman_panel details")
    name, path = download_svg(page, panel)
    assert name == "bland_altman_wright_vs_mini.svg"
    words = svg_words(page, panel, path)
    assert "Limits of agreement" in words and "Mean of wright and mini" in words


def test_sample_size_word_is_the_table_on_screen(page: Page):
    open_tab(page, "Sample size")
    family = page.locator("#sample_size-family")
    family.wait_for(state="attached", timeout=20_000)
    family.select_option("proportions")
    expect(page.locator("#sample_size-p1")).to_have_value("0.4", timeout=15_000)
    page.locator("#sample_size-p2").fill("0.25")
    page.locator("#sample_size-p2").press("Tab")
    run_tab(page, "sample_size")
    table = page.locator("table#sample-size-table")
    expect(table).to_contain_text("152 per group", timeout=DRAWN_MS)

    name, path = download(page, page.locator("#sample_size-download_word"))
    assert name.startswith("medstat_sample_size_proportions_")
    word = Document(str(path))
    assert len(word.tables) == 1
    assert_word_is_screen(word.tables[0], table)
    assert "Assumptions and results" in [p.text for p in word.paragraphs]


def test_outcome_calibration_plot_and_table_download(page: Page):
    upload(page, EXAMPLE)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("#outcome-calibration").check()
    click_run_and_wait(page, "outcome", timeout=90_000)
    expect(page.locator("#calibration-plot .main-svg").first).to_be_attached(timeout=DRAWN_MS)
    expect(page.locator("#outcome-decision_figure_panel details")).to_have_count(1)

    panel = page.locator("#outcome-calibration_figure_panel details")
    name, path = download_svg(page, panel)
    assert name == "calibration_complication.svg"
    assert "Smoothed (lowess)" in svg_words(page, panel, path)

    _, path = download(page, page.locator("#outcome-download_word"))
    word = Document(str(path))
    assert len(word.tables) == 3  # crude and adjusted, adjusted, then the calibration measures
    rows = docx_rows(word.tables[2])
    assert rows[0] == ["Measure", "Apparent", "95% CI"]
    brier = page.locator("#outcome-cal_brier .value-box-value").inner_text().strip()
    assert ["Brier score", brier, ""] in rows
