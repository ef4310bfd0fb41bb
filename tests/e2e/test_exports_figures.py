"""Figure downloads through the real page: edit an axis title, download SVG and TIFF, check them.

A dedicated app (so its figure browser can be watched): R's lung data by sex on the Survival
tab; the x axis title "time" becomes "Days" and the group "Female (n = 90)" becomes "Women";
the SVG is XML with both words, sized 84 mm; the TIFF is 174 mm at 600 dpi; the words survive
a reload and never mark the result out of date; the server's Chromium ends with the server.
A wide report (Table 1 by four groups) printed to PDF by Chromium fits A4 without overflowing.
"""

from __future__ import annotations

import io
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import psutil
import pytest
from PIL import Image
from playwright.sync_api import expect
from pypdf import PdfReader

import logic
from modules.table1 import export as table1_export
from modules.table1.controls import table1_spec
from modules.table1.view import Table1View
from tests.e2e.conftest import running_app
from tests.e2e.helpers import EXAMPLE, click_run_and_wait, open_tab, upload
from utils.data_io import dataset_from_frame
from utils.dataset_edits import with_label

pytestmark = pytest.mark.e2e
LUNG = Path(__file__).resolve().parents[1] / "data" / "lung.csv"
SVG_NS = "{http://www.w3.org/2000/svg}"


def lung_file(tmp_path: Path) -> Path:
    df = pd.read_csv(LUNG, na_values=".")[["time", "status", "age", "sex"]]
    df["sex"] = df["sex"].map({1: "Male", 2: "Female"})
    path = tmp_path / "lung_figures.csv"
    df.to_csv(path, index=False)
    return path


def chromium_of(pid: int) -> list[psutil.Process]:
    """The Chromium processes the server started (its figure browser), alive."""
    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    alive = []
    for child in children:
        try:
            if "chrom" in child.name().lower() and child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            continue
    return alive


def all_gone(procs: list[psutil.Process], seconds: float = 20) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        alive = []
        for p in procs:
            try:
                if p.is_running() and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.NoSuchProcess:
                continue
        if not alive:
            return True
        time.sleep(0.1)
    return False


def download(page, panel, fmt: str, width: str = "single", dpi: str = "300"):
    panel.locator("select[id$='_format']").select_option(fmt)
    panel.locator("select[id$='_width']").select_option(width)
    resolution = panel.locator("select[id$='_dpi']")
    if fmt in ("png", "tiff"):  # offered for raster files only
        resolution.select_option(dpi)
    else:
        expect(resolution).to_be_hidden()
    with page.expect_download(timeout=90_000) as info:
        panel.get_by_role("link", name="Download figure").click()
    got = info.value
    return got.suggested_filename, Path(got.path()).read_bytes()


def test_edit_axis_title_and_download_svg_and_tiff(browser, tmp_path):
    path = lung_file(tmp_path)
    with running_app(tmp_path / "server.log") as app:
        context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.goto(app.url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        upload(page, path)
        open_tab(page, "Survival")
        expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
        page.select_option("#survival-group", "sex")
        click_run_and_wait(page, "survival")

        panel = page.locator("#survival-plot_out_panel details")
        expect(panel).to_have_count(1, timeout=15_000)
        panel.locator("summary").click()
        x_title = panel.get_by_label("X axis title")
        expect(x_title).to_have_value("time")
        x_title.fill("Days")
        panel.get_by_label("Group").and_(panel.locator("input[value^='Female']")).fill(
            "Women (n = 90)"
        )
        panel.get_by_role("button", name="Apply labels").click()
        # The plot on the page shows the new words, and the result is still current.
        expect(page.locator("#survival-plot .xtitle")).to_have_text("Days", timeout=15_000)
        expect(page.locator("#survival-plot .legendtext").first).to_contain_text("Women")
        expect(page.locator("#survival-stale .medstat-stale")).to_have_count(0)

        name, svg = download(page, panel, "svg")
        assert name == "km_by_sex.svg"
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG_NS}svg" and root.get("width") == "84.00mm"
        assert not list(root.iter(f"{SVG_NS}text")) and b"font-family" not in svg  # outlines
        # The same drawing as the PDF, whose text can be read back: the new words are in it.
        name, pdf = download(page, panel, "pdf")
        assert name == "km_by_sex.pdf"
        words = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
        assert "Days" in words and "Women (n = 90)" in words and "time" not in words.split()

        name, tiff = download(page, panel, "tiff", width="double", dpi="600")
        assert name == "km_by_sex.tiff"
        with Image.open(io.BytesIO(tiff)) as image:
            assert image.format == "TIFF"
            assert image.width == round(174 / 25.4 * 600)
            assert tuple(round(d) for d in image.info["dpi"]) == (600, 600)

        browsers = chromium_of(app.pid)
        assert browsers, "the figure browser runs in the server"

        # A reload brings the words back with the result, which is not out of date.
        page.reload()
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        open_tab(page, "Survival")
        expect(page.locator("#survival-plot .xtitle")).to_have_text("Days", timeout=30_000)
        panel = page.locator("#survival-plot_out_panel details")
        panel.locator("summary").click()
        expect(panel.get_by_label("X axis title")).to_have_value("Days")
        expect(page.locator("#survival-stale .medstat-stale")).to_have_count(0)
        context.close()
    # The server stopped: no Chromium of its figure browser is left behind.
    assert all_gone(browsers)


def wide_table1_report() -> str:
    """Table 1 of the example data by surgery type (4 groups, p, SMD): the widest table."""
    df = pd.read_csv(EXAMPLE)
    ds = dataset_from_frame(df, "example_clinical.csv")
    ds = with_label(ds, "albumin", "Serum albumin before surgery (g/dL), lowest of the week")
    variables = ("age", "sex", "bmi", "smoking", "diabetes", "asa_class", "albumin", "crp")
    spec = table1_spec(ds, variables, "surgery_type")
    view = Table1View(logic.run("table1", ds, spec), ds.labels(), ds.name)
    return table1_export.html_report(view)


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const over = [...document.querySelectorAll('table, svg, .medstat-figure')]
    .filter(e => e.getBoundingClientRect().right > width + 1)
    .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right));
  return {width, scroll: document.documentElement.scrollWidth, over};
}"""
A4_CONTENT_PX = round((210 - 2 * 12) / 25.4 * 96)  # A4 less the report's @page margins


def test_a_wide_report_prints_on_a4_without_overflowing(browser, tmp_path):
    path = tmp_path / "table1_report.html"
    path.write_text(wide_table1_report(), encoding="utf-8")
    page = browser.new_page(viewport={"width": A4_CONTENT_PX, "height": 1000})
    try:
        page.goto(path.as_uri())
        # On screen the table keeps its numbers on one line and runs past an A4 width ...
        screen = page.evaluate(OVERFLOW)
        assert screen["over"], screen
        # ... printed, it wraps and shrinks to the page.
        page.emulate_media(media="print")
        printed = page.evaluate(OVERFLOW)
        assert printed["over"] == [] and printed["scroll"] <= printed["width"], printed
        pdf = PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
        assert pdf.pages
        for sheet in pdf.pages:  # A4: 595 x 842 points
            assert float(sheet.mediabox.width) == pytest.approx(595.3, abs=1)
            assert float(sheet.mediabox.height) == pytest.approx(841.9, abs=1)
        text = "".join(sheet.extract_text() for sheet in pdf.pages)
        # Every column is on the page: the last group and the p-values, words unbroken.
        assert "Hepatobiliary" in text and "Upper GI" in text and "0.045" in text
    finally:
        page.close()


def test_the_flow_diagram_downloads_as_pdf(page):
    """The Data cleaning tab's CONSORT/STROBE diagram has the same panel: a vector PDF."""
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-filters-column").select_option("age")
    page.locator("#cleaning-filters-op").select_option(">=")
    page.locator("#cleaning-filters-value").fill("40")
    page.locator("#cleaning-filters-reason").fill("younger than 40")
    expect(page.locator("#filter-preview")).to_contain_text("remain", timeout=15_000)
    page.locator("#cleaning-filters-apply").click()
    panel = page.locator("#cleaning-filters-flow_figure_panel details")
    expect(panel).to_have_count(1, timeout=15_000)
    panel.locator("summary").click()
    name, pdf = download(page, panel, "pdf", width="double")
    assert name == "flow_diagram.pdf"
    reader = PdfReader(io.BytesIO(pdf))
    assert float(reader.pages[0].mediabox.width) / 72 * 25.4 == pytest.approx(174, abs=0.5)
    assert "younger than 40" in reader.pages[0].extract_text()
