"""Downloads: CSV safe against formula injection with numbers kept numeric; offline HTML report."""

import datetime as dt
import io
import re

import pandas as pd

from modules.outcome import report
from modules.shared.csv_safety import neutralise_cell
from tests.unit.modules.conftest import EVIL_LEVEL

WHEN = dt.datetime(2026, 3, 14, 9, 30)


def test_formula_cells_are_neutralised():
    # OWASP "CSV Injection": cells starting with = + - @ (or tab/CR) are prefixed with '.
    # (After a separator too, and a tab is one: modules/shared/test_csv_safety.py.)
    for cell in ("=1+1", "+1+1", "-2+A1", "@SUM(A1)", "\rx"):
        assert neutralise_cell(cell) == "'" + cell
    assert neutralise_cell("Stage") == "Stage"
    assert neutralise_cell(-2.5) == -2.5


def test_csv_round_trip(view):
    text = report.tables_csv(view)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert len(back) == 14
    # Numbers stay numbers (including a negative-looking value would stay numeric).
    assert pd.api.types.is_float_dtype(back["odds_ratio"])
    row = back[(back.table == "univariable") & (back.level == "II")].iloc[0]
    assert row.odds_ratio == 2.3148 and row.p_value == 0.0012
    # The evil level is text again, but it cannot run as a formula.
    assert "'" + EVIL_LEVEL in set(back["level"])
    assert not any(str(v).startswith(("=", "+", "@")) for v in back.to_numpy().ravel())
    assert "nan" not in text.lower() and "inf" not in text.lower()


def test_file_stem_is_safe(view):
    odd = view.relabel({})
    assert report.file_stem(odd) == "medstat_complication"
    weird = type(view)(view.result, "../<x> y", "Yes", "No")
    assert re.fullmatch(r"medstat_[A-Za-z0-9_-]+", report.file_stem(weird))


def test_html_report_is_self_contained_and_escaped(view):
    html = report.html_report(view, WHEN)
    assert html.startswith("<!DOCTYPE html>")
    # The figure as inline SVG (no plotly.js) and no external script (opens offline).
    assert '<div class="medstat-figure"' in html and "* plotly.js v" not in html
    assert not re.search(r"<script[^>]+src=", html)
    # Headings, tables and warnings present; user strings escaped.
    for text in ("Model fit", "Warnings", "Univariable and multivariable analysis", "Forest plot"):
        assert text in html
    assert "trial &lt;2024&gt;.csv" in html and "trial <2024>" not in html
    assert "<b>bmi</b>" not in html and "&lt;b&gt;bmi&lt;/b&gt;" in html
    assert "2.31 (1.40–3.80, p=0.001)" in html
    assert "2026-03-14 09:30" in html
    assert ">nan<" not in html.lower()
