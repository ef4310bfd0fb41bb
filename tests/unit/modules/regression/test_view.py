"""Regression page builders: escaped labels and levels, neutralised CSV, readable numbers."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from analyses.regression import analyze
from analyses.specs import RegressionSpec
from modules.regression import figures as regression_figures
from modules.regression import tables as regression_tables
from modules.regression.view import RegressionView, fit_boxes, fit_rows, fmt_interval
from modules.shared.formatting import fmt_p as fmt_p_value
from modules.shared.table_csv import COMMA, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows

EVIL = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = 200
    group = rng.choice(["low", FORMULA, "high"], n)
    x = rng.normal(size=n)
    counts = rng.negative_binomial(2, 1 / (1 + np.exp(1 + 0.3 * x) / 2))
    return pd.DataFrame({"y": 3 + x + rng.normal(size=n), EVIL: group, "x": x, "n": counts})


@pytest.fixture(scope="module")
def linear(data) -> RegressionView:
    spec = RegressionSpec("y", (EVIL, "x"), screen_p=None, categorical=(EVIL,))
    return RegressionView(analyze(data, spec), {"x": f"dose {EVIL}"}, "trial.csv")


@pytest.fixture(scope="module")
def count(data) -> RegressionView:
    spec = RegressionSpec("n", (EVIL, "x"), model="count", screen_p=None, categorical=(EVIL,))
    return RegressionView(analyze(data, spec), {}, "trial.csv")


def test_tables_escape_names_levels_and_labels(linear):
    for html in (
        str(regression_tables.combined_table(linear)),
        str(regression_tables.multivariable_table(linear)),
        str(fit_boxes(linear)),
    ):
        assert EVIL not in html
    html = str(regression_tables.combined_table(linear))
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "dose &lt;img" in html
    assert "Coefficient (multivariable)" in html and "nan" not in html.lower()


def test_coefficient_cells_show_negative_intervals_with_to(linear):
    assert fmt_interval(-2.0, -0.4, ratio=False) == "-2.00 to -0.40"
    assert fmt_interval(0.5, 1.5, ratio=True) == "0.50–1.50"
    row = linear.result.multivariable.set_index("variable").loc["x"]
    text = str(regression_tables.multivariable_table(linear))
    assert f"{row['estimate']:.2f}" in text


def test_count_view_reports_rate_ratios_and_dispersion(count):
    headings = [h for h, _, _ in fit_rows(count)]
    assert "Poisson dispersion (χ²/df)" in headings
    html = str(regression_tables.combined_table(count))
    assert "IRR (univariable)" in html and "Overall p (LR test)" in html


def test_csv_is_tidy_and_neutralised(linear):
    text = regression_tables.tables_csv(linear)
    frame = pd.read_csv(pd.io.common.StringIO(text))
    assert list(frame.columns[:4]) == ["table", "variable", "label", "level"]
    assert "coefficient" in frame.columns
    assert set(frame["table"]) == {"univariable", "multivariable"}
    assert "'" + FORMULA in set(frame["level"])
    assert not any(str(v).startswith("=") for v in frame["level"])


def test_figures_escape_user_text(linear, count):
    for fig in (regression_figures.forest_plot(linear), regression_figures.forest_plot(count)):
        ticks = " ".join(fig.layout.yaxis.ticktext)
        assert EVIL not in ticks and "&lt;img" in ticks
    assert regression_figures.forest_plot(count).layout.xaxis.type == "log"
    diag = regression_figures.diagnostics_plot(linear)
    assert len(diag.data[0].x) == linear.result.fit.n_used


def test_report_is_self_contained_and_escaped(linear):
    html = regression_tables.html_report(linear)
    assert html.startswith("<!DOCTYPE html>")
    assert EVIL not in html
    assert "regression-forest-plot" in html and "regression-diagnostics-plot" in html
    assert html.count('<div class="medstat-figure"') == 2 and len(html) < 1_000_000  # SVG


def test_word_and_csv_are_the_tables_on_the_page(linear, count):
    for view in (linear, count):
        docs = regression_tables.documents(view)
        assert_word_shows(docs)
        screen = [
            pd.DataFrame([r for r, _ in regression_tables.combined_rows(view)]),
            pd.DataFrame([r for r, _ in regression_tables.multivariable_rows(view)]),
        ]
        for doc, frame in zip(docs, screen):
            assert list(doc.header) == list(frame.columns)
            assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    # The adjusted estimate of x is the result's, to the decimals shown.
    multi = regression_tables.multivariable_doc(linear)
    x = linear.result.multivariable.set_index("variable").loc["x"]
    (row,) = [r for r in multi.rows if r.cells[0] == f"dose {EVIL}"]
    assert row.cells[3] == f"{x['estimate']:.2f}" and row.cells[5] == fmt_p_value(x["p_value"])
    data = tables_csv(regression_tables.documents(linear), COMMA)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        back = pd.read_csv(io.BytesIO(archive.read("regression_adjusted.csv")), dtype=str,
                           encoding="utf-8-sig", keep_default_na=False)  # fmt: skip
    assert list(back.columns) == list(multi.header)
    assert len(back) == len(multi.rows)
