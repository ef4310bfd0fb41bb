"""The HTML reports' style as a browser draws it: a table's notes in its foot are plain text,
a level is plain and indented under its variable's bold name, as on the page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Browser

from analyses.specs import Table1Spec
from analyses.table1 import analyze
from modules.table1 import export as table1_export
from modules.table1.view import Table1View

pytestmark = pytest.mark.e2e

STYLE = """cells => cells.map(c => {
  const s = getComputedStyle(c);
  return [c.textContent.trim(), s.fontWeight, parseFloat(s.paddingLeft)];
})"""


def report() -> str:
    """A Table 1 report of three arms (no SMD plot, so no figure to draw): notes and levels."""
    rng = np.random.default_rng(3)
    n = 90
    df = pd.DataFrame(
        {
            "arm": np.resize(["A", "B", "C"], n),
            "age": rng.normal(60, 10, n).round(1),
            "sex": rng.choice(["Female", "Male"], n),
        }
    )
    spec = Table1Spec(variables=("age", "sex"), group="arm", categorical=("sex",))
    return table1_export.html_report(Table1View(analyze(df, spec), {}, "trial.csv"))


def test_footnotes_are_plain_and_levels_plain_and_indented(browser: Browser):
    page = browser.new_page()
    try:
        page.set_content(report())
        notes = page.locator("table tfoot td").evaluate_all(STYLE)
        assert notes and all(text for text, _, _ in notes)
        assert {weight for _, weight, _ in notes} == {"400"}  # not bold like a row's name
        firsts = page.locator("table tbody tr td:first-child").evaluate_all(STYLE)
        by_text = {text: (weight, pad) for text, weight, pad in firsts}
        assert by_text["sex, n (%)"][0] == "600"  # a variable's name: bold
        for level in ("Female", "Male"):
            weight, pad = by_text[level]
            assert weight == "400" and pad > by_text["sex, n (%)"][1]  # a level: plain, indented
    finally:
        page.close()
