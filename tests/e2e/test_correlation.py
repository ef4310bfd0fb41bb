"""Browser: the Correlation tab on the example data shows scipy's r and draws both plots."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from playwright.sync_api import Page, expect
from scipy import stats

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "example_clinical.csv"


def test_correlation_matrix_heatmap_and_scatter(page: Page):
    page.locator("a[data-value='correlation']").click()
    page.locator("#correlation-pair_y").wait_for(state="attached", timeout=20_000)
    page.locator("#correlation-pair_x").select_option("age")
    page.locator("#correlation-pair_y").select_option("crp")
    page.locator("#correlation-run").click()
    status = page.locator("#correlation-status [data-state='done']")
    expect(status).to_be_visible(timeout=20_000)

    df = pd.read_csv(EXAMPLE)
    both = df[["age", "crp"]].dropna()
    reference = stats.pearsonr(both["age"], both["crp"])
    expect(status).to_contain_text(f"Pearson r = {reference.statistic:.2f}")
    expect(status).to_contain_text(f"n = {len(both)}")
    table = page.locator("#correlation-table")
    expect(table).to_contain_text(f"{reference.statistic:.2f}")
    row = table.locator("tr", has_text="crp").filter(has_text="age").first
    expect(row).to_contain_text(f"{reference.pvalue:.3f}")
    expect(page.locator("#correlation-heatmap .main-svg").first).to_be_visible(timeout=10_000)
    expect(page.locator("#correlation-plot .main-svg").first).to_be_visible(timeout=10_000)
    # The heatmap's cells are annotated with r; the diagonal reads 1.00.
    expect(page.locator("#correlation-heatmap")).to_contain_text("1.00")
