"""Correlation page builders: escaped labels, a fixed -1..1 heatmap scale, neutralised CSV."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from analyses.correlation import analyze
from analyses.specs import CorrelationSpec
from modules.correlation import view as cv
from modules.shared.table_csv import COMMA, SEMICOLON, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def view() -> cv.CorrelationView:
    rng = np.random.default_rng(4)
    a = rng.normal(size=80)
    df = pd.DataFrame({"a": a, EVIL: a + rng.normal(size=80), "=cmd": rng.normal(size=80)})
    result = analyze(df, CorrelationSpec(("a", EVIL, "=cmd"), adjust="holm", pair=("a", EVIL)))
    return cv.CorrelationView(result, {"a": "Age <years>"}, "data.csv")


def test_table_escapes_labels_and_shows_adjusted_p(view):
    html = str(cv.pairs_table(view))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Age &lt;years&gt;" in html
    assert "p (Holm)" in html and "nan" not in html.lower()


def test_heatmap_scale_is_fixed_and_cells_annotated(view):
    fig = cv.heatmap(view)
    trace = fig.data[0]
    assert (trace.zmin, trace.zmax, trace.zmid) == (-1, 1, 0)
    assert EVIL not in " ".join(trace.x)
    r = view.result.pairs.iloc[0]["estimate"]
    assert trace.text[0][1].startswith(f"{r:.2f}")
    assert trace.text[0][0] == "1.00"


def test_scatter_has_points_line_band_and_r_in_title(view):
    fig = cv.scatter_plot(view)
    assert [t.name for t in fig.data] == ["Patients", "95% CI of the mean", "Least-squares line"]
    assert EVIL not in fig.layout.title.text
    assert f"Pearson r = {view.summary.pair_estimate:.2f}" in fig.layout.title.text


def test_csv_neutralises_formula_names(view):
    frame = pd.read_csv(pd.io.common.StringIO(cv.tables_csv(view)))
    assert "'=cmd" in set(frame["variable_2"]) and "=cmd" not in set(frame["variable_2"])
    assert frame["estimate"].between(-1, 1).all()


def test_report_has_both_plots_and_no_raw_markup(view):
    html = cv.html_report(view)
    assert "correlation-heatmap" in html and "correlation-scatter" in html
    assert EVIL not in html


def test_the_p_value_method_is_named_in_the_footnote_the_scatter_and_the_csv():
    # 8 patients, no ties: R's cor.test gives Spearman's exact p (AS 89).
    df = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7, 8], "y": [2, 1, 4, 3, 6, 8, 5, 7]})
    result = analyze(df, CorrelationSpec(("x", "y"), method="spearman"))
    view = cv.CorrelationView(result, {}, "small.csv")
    assert "exact (AS 89) for Spearman with up to 9 pairs and no ties" in str(cv.pairs_table(view))
    assert "(exact (AS 89))" in cv.pair_text(view)
    assert list(cv.tidy_frame(view)["p_method"]) == ["exact (AS 89)"]


def test_word_and_csv_are_the_pairs_on_the_page(view):
    (doc,) = cv.tables(view)
    assert_word_shows([doc])
    frame = cv.pairs_frame(view)
    assert list(doc.header) == list(frame.columns)
    assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    first = view.result.pairs.iloc[0]
    assert doc.rows[0].cells[3] == f"{first['estimate']:.2f}"
    for style in (COMMA, SEMICOLON):
        back = pd.read_csv(io.BytesIO(tables_csv([doc], style)), sep=style.sep,
                           decimal=style.decimal, encoding="utf-8-sig")  # fmt: skip
        # A coefficient reads back as the number shown, negative ones too (no apostrophe).
        assert back.iloc[:, 3].tolist() == pytest.approx([float(r.cells[3]) for r in doc.rows])
