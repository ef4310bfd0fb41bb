"""Diagnostic accuracy in a real browser: the example data, two markers, AUCs, plot, comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect
from scipy import stats

from tests.e2e.helpers import EXAMPLE, choose, open_tab

pytestmark = pytest.mark.e2e


def expected_auc(df: pd.DataFrame, marker: str) -> float:
    """Mann-Whitney U / (m n) on complete cases, read the way pROC's direction="auto" does."""
    rows = df[[marker, "complication"]].dropna()
    pos = rows.loc[rows.complication == "Yes", marker]
    neg = rows.loc[rows.complication == "No", marker]
    auc = stats.mannwhitneyu(pos, neg).statistic / (len(pos) * len(neg))
    return auc if np.median(neg) <= np.median(pos) else 1 - auc


def test_two_markers_against_complication(page):
    expect(page.locator("#dataset-shape")).to_contain_text("500 rows")
    open_tab(page, "Diagnostic accuracy")
    expect(page.locator("#diagnostic-reference")).to_have_value("complication", timeout=30_000)
    expect(page.locator("#diagnostic-positive")).to_have_value("Yes")
    choose(page, "diagnostic-markers", "crp")
    choose(page, "diagnostic-markers", "albumin")
    page.locator("#diagnostic-run").click()
    expect(page.locator("#diagnostic-status [data-state=done]")).to_have_count(1, timeout=60_000)

    df = pd.read_csv(EXAMPLE)
    table = page.locator("#diagnostic-auc-table")
    for marker in ("crp", "albumin"):
        expect(table).to_contain_text(f"{expected_auc(df, marker):.3f}")
    # Albumin is lower in patients with a complication: the automatic direction says so.
    expect(table).to_contain_text("lower = positive (automatic)")
    expect(page.locator("#diagnostic-compare-table")).to_contain_text("vs")
    accuracy = page.locator("#diagnostic-accuracy-table")
    expect(accuracy).to_contain_text("(Youden)")
    expect(accuracy).to_contain_text("%")

    plot = page.locator("#diagnostic-plot")
    expect(plot.locator(".main-svg").first).to_be_attached(timeout=15_000)
    # The diagonal plus a curve and a cut-off point per marker.
    assert plot.locator(".scatterlayer .trace").count() == 5
    assert page.dialogs == []
