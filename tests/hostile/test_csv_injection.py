"""Issue 17 case 8: formulas after a separator. A cell `x;=1+1` written unquoted opens in Excel
with ';' as its separator (most of Europe) as a cell `=1+1`; a codebook label `Outcome;=2+2`
reaches Table 1's headings the same way. Every CSV download of every tab, from a file and a
codebook full of such payloads, is read as a spreadsheet would with each of , ; tab | as the
separator: no cell of any of them starts a formula."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import choose, open_tab, run_tab, upload
from tests.e2e.hostile import csv_text_of, download
from tests.hostile.spreadsheet import SPLIT_PAYLOADS, runnable_cells
from tests.hostile.trust_helpers import app, assert_up_and_serving, open_page

pytestmark = pytest.mark.e2e

OUTCOME = "outcome;=1+1"
AGE = "age|@SUM(1)"
GROUP = "grp,+1+1"
CRP = "crp;-1+A1"
BMI = "bmi;+2"
NOTE = "note"
COLUMNS = ("id", OUTCOME, AGE, GROUP, CRP, BMI, "time", "status", NOTE)
# The codebook's labels: each would start a formula after a split.
LABELS = {OUTCOME: "Outcome;=2+2", AGE: "Age|@SUM(2)", GROUP: "Group,-3+3", CRP: "CRP;+4"}


def write_data(path: Path, rows: int = 160, seed: int = 17) -> Path:
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for i in range(rows):
            age = rng.randint(20, 80)
            group = rng.choice(SPLIT_PAYLOADS[:4])
            event = rng.random() < 0.2 + 0.4 * (age > 50)
            writer.writerow(
                [
                    f"P{i:04d}",
                    "x;=yes" if event else "no|@no",
                    age,
                    group,
                    round(rng.gauss(10 + 5 * event, 4), 1),
                    round(rng.gauss(26, 4), 1),
                    rng.randint(5, 900),
                    int(rng.random() < 0.6),
                    rng.choice(SPLIT_PAYLOADS),
                ]
            )
    return path


def write_codebook(path: Path) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["variable", "label"])
        writer.writerows(LABELS.items())
    return path


def check(page: Page, button: str) -> str:
    """Download, and read it with each separator: no cell a spreadsheet would run."""
    text = csv_text_of(download(page, button))
    assert runnable_cells(text) == {",": [], ";": [], "\t": [], "|": []}, (button, text[:800])
    return text


def test_every_csv_download_is_safe_whatever_the_separator(tmp_path: Path, browser: Browser):
    data = write_data(tmp_path / "split_payloads.csv")
    codebook = write_codebook(tmp_path / "labels.csv")
    with app(tmp_path, embeddings="false") as server:
        page = open_page(browser, server.url)
        upload(page, data)

        open_tab(page, "Data cleaning")
        page.set_input_files("#cleaning-codebook-upload", str(codebook))
        expect(page.locator("#codebook-match-table")).to_be_visible(timeout=60_000)
        page.click("#cleaning-codebook-apply")
        expect(page.locator("#cleaning-history-list li")).to_have_count(1, timeout=15_000)
        cleaned = check(page, "cleaning-download_data")
        assert "x;'=yes" in cleaned and "no|'@no" in cleaned  # kept, neutralised
        assert "Outcome;'=2+2" in check(page, "cleaning-download_map_csv")

        open_tab(page, "Outcome analysis")
        expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
            timeout=30_000
        )
        run_tab(page, "outcome")
        check(page, "outcome-download_csv")
        check(page, "outcome-download_long_csv")

        open_tab(page, "Table 1")
        page.locator("#table1-group").select_option(OUTCOME)
        expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
            timeout=30_000
        )
        run_tab(page, "table1")
        expect(page.locator("table#table1-summary")).to_contain_text("Outcome;=2+2")
        table1 = check(page, "table1-download_csv")
        assert "Outcome;'=2+2" in table1 and "Age|'@SUM(2)" in table1

        open_tab(page, "Survival")
        expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
        page.locator("#survival-group").select_option(GROUP)
        run_tab(page, "survival")
        check(page, "survival-download_csv")
        check(page, "survival-download_long_csv")

        open_tab(page, "Diagnostic accuracy")
        page.locator("#diagnostic-reference").select_option(OUTCOME)
        choose(page, "diagnostic-markers", "CRP;+4")
        run_tab(page, "diagnostic")
        check(page, "diagnostic-download_csv")
        check(page, "diagnostic-download_long_csv")

        open_tab(page, "Correlation")
        expect(page.locator("#correlation-pair_y")).to_be_attached(timeout=20_000)
        run_tab(page, "correlation")
        check(page, "correlation-download_csv")
        check(page, "correlation-download_long_csv")

        open_tab(page, "Regression")
        page.locator("#regression-outcome").select_option(BMI)
        choose(page, "regression-covariates", "CRP;+4")
        run_tab(page, "regression")
        check(page, "regression-download_csv")
        check(page, "regression-download_long_csv")

        open_tab(page, "Agreement")
        choose(page, "agreement-raters", "CRP;+4")
        choose(page, "agreement-raters", BMI)
        run_tab(page, "agreement")
        check(page, "agreement-download_csv")
        assert "CRP;'+4" in check(page, "agreement-download_long_csv")

        page.context.close()
        assert_up_and_serving(server, browser)
