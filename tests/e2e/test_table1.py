"""Table 1 in the browser: group the example data by complication, check numbers and the plot."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import Page, expect
from scipy import stats

from tests.e2e.helpers import EXAMPLE, open_tab

pytestmark = pytest.mark.e2e


def expected_diabetes_row() -> tuple[list[str], str]:
    """'n (%)' of diabetes = Yes overall and per complication group, and the chi-square p."""
    df = pd.read_csv(EXAMPLE)
    table = pd.crosstab(df["diabetes"], df["complication"])
    cells = []
    for counts in (table.sum(axis=1), table["No"], table["Yes"]):
        cells.append(f"{counts['Yes']} ({100 * counts['Yes'] / counts.sum():.1f})")
    p = stats.chi2_contingency(table.to_numpy(), correction=False).pvalue
    return cells, ("<0.001" if p < 0.001 else f"{p:.3f}")


def test_table1_by_complication(page: Page):
    df = pd.read_csv(EXAMPLE)
    sizes = df["complication"].value_counts()
    open_tab(page, "Table 1")
    group = page.locator("#table1-group")
    expect(group).to_be_visible(timeout=30_000)
    group.select_option("complication")
    # The variable list is redrawn for the new group; run once it has items again.
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("#table1-run").click()
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)
    table = page.locator("#table1-table")
    expect(table).to_be_visible()

    heads = table.locator("thead tr").last.inner_text()
    assert f"No (N = {sizes['No']})" in heads
    assert f"Yes (N = {sizes['Yes']})" in heads
    assert f"Overall (N = {len(df)})" in heads

    row = table.locator("tbody tr", has_text="diabetes: Yes, n (%)")
    cells = row.locator("td").all_inner_texts()
    expected, p = expected_diabetes_row()
    assert cells[1:4] == expected
    assert re.sub(r"[a-z]$", "", cells[4].strip()) == p  # the footnote letter follows p
    # The test is named in the footnotes.
    expect(table.locator("tfoot")).to_contain_text("Pearson's chi-squared test")

    # The SMD plot is drawn by plotly (two groups), one marker per variable.
    plot = page.locator("#table1-plot")
    expect(plot.locator(".main-svg").first).to_be_visible(timeout=15_000)
    expect(plot.locator(".scatterlayer .point").first).to_be_attached()
    assert page.dialogs == []  # type: ignore[attr-defined]
