"""The tables' Word and CSV downloads through the real page: every cell is the one on screen.

Outcome and Table 1 run on the example data; the .docx is opened with python-docx and the CSV
with pandas, and both are compared with the tables the page shows. A file written with `;`
and decimal commas gets its CSV back the same way, unless the user picks otherwise.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from playwright.sync_api import Locator, Page, expect

from modules.table1.document import SHORT_TEST_NAMES
from tests.e2e.helpers import EXAMPLE, open_tab, run_outcome, run_tab, upload

pytestmark = pytest.mark.e2e

SEMICOLON = "Semicolon (;), decimal comma"


def download(page: Page, button: str) -> Path:
    with page.expect_download(timeout=30_000) as info:
        page.locator(f"#{button}").click()
    saved = info.value
    assert saved.failure() is None
    return Path(saved.path())


def page_rows(table: Locator, part: str = "tbody") -> list[list[str]]:
    """The texts of a table's cells on the page, row by row (a spanning cell once)."""
    return [r.locator("th, td").all_inner_texts() for r in table.locator(f"{part} tr").all()]


def docx_rows(table) -> list[list[str]]:
    return [[c.text for c in r.cells] for r in table.rows]


def localised(text: str) -> str:
    """A number as the semicolon CSV writes it: decimal comma, point for thousands."""
    return "".join({".": ",", ",": "."}.get(ch, ch) if 0 < i < len(text) - 1
                   and text[i - 1].isdigit() and text[i + 1].isdigit() else ch
                   for i, ch in enumerate(text))  # fmt: skip


def run_table1(page: Page) -> Locator:
    open_tab(page, "Table 1")
    page.locator("#table1-group").select_option("complication")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")
    return page.locator("table#table1-summary")


def test_outcome_tables_download_as_on_screen(page: Page):
    run_outcome(page)
    screen = [page.locator("table#table-combined"), page.locator("table#table-multivariable")]
    expect(screen[0]).to_be_visible()

    word = Document(str(download(page, "outcome-download_word")))
    assert len(word.tables) == 2
    for table, shown in zip(word.tables, screen):
        rows = docx_rows(table)
        assert rows[0] == [h.strip() for h in page_rows(shown, "thead")[0]]
        assert [[c.strip() for c in r] for r in rows[1:]] == [
            [c.strip() for c in r] for r in page_rows(shown)
        ]
    captions = [p.text for p in word.paragraphs if p.text]
    assert captions[0] == screen[0].locator("caption").inner_text().strip()

    zipped = download(page, "outcome-download_csv")
    with zipfile.ZipFile(zipped) as archive:
        names = archive.namelist()
        assert names == ["outcome_crude_adjusted.csv", "outcome_adjusted.csv"]
        for name, shown in zip(names, screen):
            data = archive.read(name)
            assert data.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
            back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str,
                               keep_default_na=False)  # fmt: skip
            assert list(back.columns) == [h.strip() for h in page_rows(shown, "thead")[0]]
            on_page = [[c.strip() for c in r] for r in page_rows(shown)]
            assert [[c.strip() for c in r] for r in back.values.tolist()] == on_page


def test_table1_downloads_as_on_screen_in_the_chosen_style(page: Page):
    table = run_table1(page)
    head = page_rows(table, "thead")
    body = page_rows(table)

    word = Document(str(download(page, "table1-download_word")))
    (doc_table,) = word.tables
    rows = docx_rows(doc_table)
    # Every row has a cell under every heading (the old file's SMDs sat under "Test").
    assert len({len(r) for r in rows}) == 1
    assert rows[1] == head[1]
    spanning = [t for t in head[0] if t.strip()]  # the group's heading over its columns
    assert spanning and [t for t in dict.fromkeys(rows[0]) if t] == spanning
    assert rows[2:] == body
    notes = [p.text for p in word.paragraphs]
    assert any("Pearson's chi-squared test" in n for n in notes)

    # Comma first (the example file is comma-separated), then the user picks semicolons.
    radio = page.locator("#table1-csv_style")
    expect(radio.locator("input[value=comma]")).to_be_checked()
    data = download(page, "table1-download_csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    comma = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(comma) == len(body)
    p_column = list(comma.columns).index("p-value")
    smd_column = list(comma.columns).index("SMD")
    assert comma.iloc[:, 1].tolist() == [r[1] for r in body]
    assert comma.iloc[:, smd_column].tolist() == [r[-1] for r in body]
    assert "Pearson's chi-squared test" in set(comma["Test"])
    assert set(comma["Test"]) - {""} <= set(SHORT_TEST_NAMES.values())
    assert p_column == smd_column - 2

    radio.get_by_text(SEMICOLON).click()
    expect(radio.locator("input[value=semicolon]")).to_be_checked()
    data = download(page, "table1-download_csv").read_bytes()
    text = data.decode("utf-8-sig")
    assert text.splitlines()[0].count(";") == len(comma.columns) - 1
    semi = pd.read_csv(io.StringIO(text), sep=";", dtype=str, keep_default_na=False)
    assert semi.iloc[:, 1].tolist() == [localised(r[1]) for r in body]
    assert semi.iloc[:, 0].tolist() == comma.iloc[:, 0].tolist()  # names unchanged


def test_a_semicolon_upload_gets_semicolon_csv(page: Page, tmp_path: Path):
    european = tmp_path / "clinical_eu.csv"
    pd.read_csv(EXAMPLE).to_csv(european, sep=";", decimal=",", index=False)
    upload(page, european)
    table = run_table1(page)
    body = page_rows(table)
    radio = page.locator("#table1-csv_style")
    expect(radio.locator("input[value=semicolon]")).to_be_checked()
    data = download(page, "table1-download_csv").read_bytes()
    semi = pd.read_csv(
        io.BytesIO(data), sep=";", decimal=",", encoding="utf-8-sig", keep_default_na=False,
        dtype=str,
    )  # fmt: skip
    assert semi.iloc[:, 1].tolist() == [localised(r[1]) for r in body]
