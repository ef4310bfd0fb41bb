"""The Data tab's column editor on a wide file: one page drawn whatever the width, a search that
finds a column, and edits made on one page kept while the user is on another."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from modules.data import column_pages as cp
from modules.data import view as data_view
from modules.data.column_editor import collect_edits, tools
from utils.dataset import ColumnMeta, Dataset
from utils.dataset_edits import with_edits


def wide_dataset(columns: int, rows: int = 5) -> Dataset:
    """`columns` numeric columns c00000... (counts), built directly: no kind detection needed."""
    names = [f"c{i:05d}" for i in range(columns)]
    df = pd.DataFrame(np.arange(rows * columns).reshape(rows, columns) % 7, columns=names)
    meta = {n: ColumnMeta(n, "count", n) for n in names}
    return Dataset(df=df, name="wide.csv", fingerprint=f"fp{columns}", columns=meta)


def keys_of(dataset: Dataset) -> tuple[str, ...]:
    names = list(dataset.columns)
    return cp.search_keys(names, [dataset.label(n) for n in names])


def editor_html(dataset: Dataset, page: int = 1, query: str = "", edits=None) -> str:
    view = cp.page_of(keys_of(dataset), query, page)
    return str(data_view.column_editor(dataset, 1, view.positions, edits))


def rows(html: str) -> int:
    return html.count("<tr>") - 1  # the header row


def test_the_editor_of_a_wide_file_is_one_page_the_size_of_a_narrow_ones():
    narrow, wide = wide_dataset(60), wide_dataset(16_000)
    narrow_html, wide_html = editor_html(narrow), editor_html(wide)
    assert rows(wide_html) == cp.PAGE_SIZE
    # Same page, only the digits of the names differ: the size does not grow with the file.
    assert abs(len(wide_html) - len(narrow_html)) < 0.01 * len(narrow_html)
    assert len(wide_html) < 200_000  # 16,000 rows were 21 MB
    last = editor_html(wide, page=10_000)  # past the end: the last page
    assert rows(last) == cp.PAGE_SIZE and "c15999" in last


def test_a_file_that_fits_on_one_page_is_drawn_whole_without_pager():
    dataset = wide_dataset(cp.PAGE_SIZE)
    view = cp.page_of(keys_of(dataset), "", 1)
    assert view.positions == tuple(range(cp.PAGE_SIZE))
    assert not cp.is_paged(view.total)
    assert tools(view.total) is None
    assert "column_search" in str(tools(cp.PAGE_SIZE + 1))


def test_the_user_is_told_which_columns_are_shown():
    keys = keys_of(wide_dataset(16_000))
    assert cp.showing_text(cp.page_of(keys, "", 1)) == "Showing 1–50 of 16,000 columns"
    second = cp.page_of(keys, "", 2)
    assert cp.showing_text(second) == "Showing 51–100 of 16,000 columns"
    assert (second.page, second.pages) == (2, 320)


def test_search_finds_columns_by_name_or_label_in_any_case():
    dataset = wide_dataset(16_000)
    meta = dict(dataset.columns)
    meta["c12345"] = ColumnMeta("c12345", "count", "Serum Creatinine")
    dataset = Dataset(df=dataset.df, name="w", fingerprint="x", columns=meta)
    by_label = cp.page_of(keys_of(dataset), "  creatinine ", 1)
    assert [list(dataset.columns)[i] for i in by_label.positions] == ["c12345"]
    assert cp.showing_text(by_label) == (
        "Showing 1–1 of 1 column matching 'creatinine' (16,000 in all)"
    )
    by_name = cp.page_of(keys_of(dataset), "C1234", 1)
    assert by_name.matching == 10  # c12340..c12349 (not c01234)
    none = cp.page_of(keys_of(dataset), "nothing", 3)
    assert none.positions == () and "Change or clear the search" in cp.showing_text(none)


@pytest.mark.parametrize("page", ["abc", None, -4, 0, 1e30])
def test_a_page_number_that_makes_no_sense_shows_the_first_page(page):
    view = cp.page_of(keys_of(wide_dataset(200)), "", page)
    assert view.page in (1, view.pages) and len(view.positions) == cp.PAGE_SIZE


def test_edits_on_page_two_persist_while_another_page_is_shown():
    dataset = wide_dataset(16_000)
    keys = keys_of(dataset)
    page2 = cp.page_of(keys, "", 2)
    column = 60  # the 11th column of page 2
    sent = {
        data_view.kind_input_id(1, column): "continuous",
        data_view.label_input_id(1, column): "  Serum   sodium ",
    }
    edits = collect_edits(dataset, 1, page2.positions, sent.get, {})
    assert edits == {"c00060": ("continuous", "Serum sodium")}
    # The user goes to page 3 and changes a label there; page 2's inputs are not read.
    page3 = cp.page_of(keys, "", 3)
    on_page3 = {data_view.label_input_id(1, 120): "Potassium"}
    edits = collect_edits(dataset, 1, page3.positions, on_page3.get, edits)
    assert edits == {"c00060": ("continuous", "Serum sodium"), "c00120": (None, "Potassium")}
    # Back on page 2 the row is drawn as the user left it.
    html = editor_html(dataset, page=2, edits=edits)
    row = re.search(r"<tr>(?:(?!</tr>).)*?c00060.*?</tr>", html, re.S).group(0)
    assert re.search(r'<option value="continuous" selected="">', row)
    assert 'value="Serum sodium"' in row
    # And the edited dataset has both edits, the other 15,998 columns as they were.
    edited, refused = with_edits(dataset, *split(edits))
    assert refused == []
    assert edited.meta("c00060").kind == "continuous"
    assert edited.label("c00060") == "Serum sodium" and edited.label("c00120") == "Potassium"
    assert edited.meta("c00061") == dataset.meta("c00061")
    assert edited.fingerprint != dataset.fingerprint  # a kind changed


def test_a_column_set_back_has_no_edit():
    dataset = wide_dataset(100)
    page = cp.page_of(keys_of(dataset), "", 1)
    edits = {"c00003": ("continuous", "Three")}
    back = {data_view.kind_input_id(1, 3): "count", data_view.label_input_id(1, 3): "c00003"}
    assert collect_edits(dataset, 1, page.positions, back.get, edits) == {}


def split(edits):
    kinds = {n: k for n, (k, _) in edits.items() if k}
    labels = {n: lab for n, (_, lab) in edits.items() if lab}
    return kinds, labels
