"""Diagnostic page builders: escaped tables, readable numbers, safe CSV, offline report, figure."""

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses.diagnostic import analyze
from analyses.specs import DiagnosticSpec
from modules.diagnostic import controls as dc
from modules.diagnostic import documents as diagnostic_documents
from modules.diagnostic import report as diagnostic_report
from modules.diagnostic import view as diagnostic_view
from modules.diagnostic.view import DiagnosticView
from modules.shared.status import warnings_block
from modules.shared.table_csv import COMMA, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows
from utils.data_io import dataset_from_frame

EVIL = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'
ASAH = Path(__file__).resolve().parents[3] / "data" / "asah.csv"
WHEN = dt.datetime(2026, 3, 14, 9, 30)


@pytest.fixture(scope="module")
def view() -> DiagnosticView:
    df = pd.read_csv(ASAH).rename(columns={"ndka": FORMULA})
    spec = DiagnosticSpec(
        reference="outcome",
        positive="Poor",
        markers=("s100b", FORMULA),
        binary_tests=(("gender", "Male"),),
    )
    return DiagnosticView(analyze(df, spec), labels={"s100b": EVIL}, dataset_name="a <b>.csv")


def test_auc_table_escapes_labels_and_shows_proc_numbers(view):
    html = str(diagnostic_documents.auc_table(view))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    # pROC: AUC 0.7314, DeLong 95% CI 0.6301-0.8326, shown to 3 decimals.
    assert "0.731 (0.630–0.833)" in html
    assert "higher = positive (automatic)" in html and "binary test" in html


def test_accuracy_row_reads_like_a_paper(view):
    frame = diagnostic_view.accuracy_frame(view)
    row = frame[frame.Test == EVIL].iloc[0]
    assert row["Positive if"] == "≥ 0.205 (Youden)"
    assert row["Sensitivity"].startswith("63.4% (")  # 26 / 41
    assert row["Specificity"].startswith("80.6% (")  # 58 / 72
    assert row["LR+"].startswith("3.26 (")
    binary = frame[frame.Test == "gender"].iloc[0]
    assert binary["Positive if"] == "= Male"
    assert "nan" not in frame.to_string().lower()


def test_infinite_likelihood_ratio_reads_as_infinity():
    assert diagnostic_view.fmt_measure("lr_positive", np.inf, np.nan, np.nan) == "∞"
    assert diagnostic_view.fmt_measure("ppv", np.nan, np.nan, np.nan) == "—"


def test_comparison_and_two_by_two(view):
    frame = diagnostic_view.comparison_frame(view)
    assert len(frame) == 3 and frame.Tests.iloc[0] == f"{EVIL} vs {FORMULA}"
    html = str(diagnostic_documents.comparison_table(view))
    assert EVIL not in html
    cut = view.result.cutoffs.iloc[0]
    table = diagnostic_view.two_by_two_frame(view, cut)
    assert table.iloc[0, 1:].tolist() == [26, 14, 40]
    assert table.iloc[2, 1:].tolist() == [41, 72, 113]
    assert list(table.columns[1:3]) == ["Reference: Poor", "Reference: Good"]


def test_warnings_are_escaped():
    html = str(warnings_block((f"'{EVIL}' was left out.",), element_id="w"))
    assert EVIL not in html and "alert" in html


def test_figure_has_a_curve_and_point_per_test_and_escaped_names(view):
    fig = diagnostic_report.roc_figure(view)
    assert len(fig.data) == 1 + 2 * 3
    names = " ".join(t.name or "" for t in fig.data)
    assert EVIL not in names and "&lt;img" in names
    curve = fig.data[1]
    assert curve.x[0] == 0 and curve.y[-1] == 1 and np.all(np.diff(curve.x) >= 0)


def test_csv_is_tidy_numeric_and_neutralised(view):
    text = diagnostic_report.tables_csv(view)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert set(back.table) == {"auc", "accuracy", "comparison"}
    assert pd.api.types.is_float_dtype(back.estimate)
    row = back[(back.table == "auc") & (back.variable == "s100b")].iloc[0]
    assert row.estimate == pytest.approx(0.731368563685637)
    assert not any(str(v).startswith(("=", "+", "@")) for v in back.to_numpy().ravel())
    assert "'" + FORMULA in set(back.variable)
    assert "inf" not in text.lower()


def test_html_report_is_self_contained_and_escaped(view):
    html = diagnostic_report.html_report(view, WHEN)
    assert html.startswith("<!DOCTYPE html>")
    # The figure as inline SVG (no plotly.js) and no external script (opens offline).
    assert '<div class="medstat-figure"' in html and "* plotly.js v" not in html
    assert not re.search(r"<script[^>]+src=", html)
    assert EVIL not in html and "a &lt;b&gt;.csv" in html
    for heading in ("ROC curves", "Area under the ROC curve", "Comparison of AUCs", "2×2 tables"):
        assert heading in html
    assert "2026-03-14 09:30" in html


def test_file_stem_is_safe(view):
    assert diagnostic_report.file_stem(view) == "medstat_diagnostic_outcome"


def test_spec_from_controls_keeps_valid_choices_and_cutoffs():
    ds = dataset_from_frame(pd.read_csv(ASAH), name="asah.csv")
    assert "s100b" in dc.marker_choices(ds, "outcome")
    assert "gender" in dc.binary_test_choices(ds, "outcome")
    spec = dc.diagnostic_spec(
        ds,
        "outcome",
        "Poor",
        ["s100b", "gender", "nope"],
        {"gender": "Male"},
        cutoffs={"s100b": 0.3, "gender": 1},
    )
    assert spec.markers == ("s100b",) and spec.binary_tests == (("gender", "Male"),)
    assert spec.cutoffs == (("s100b", 0.3),)
    hash(spec)
    with pytest.raises(ValueError, match="at least one"):
        dc.diagnostic_spec(ds, "outcome", "Poor", [], {})
    with pytest.raises(ValueError, match="reference standard"):
        dc.diagnostic_spec(ds, None, None, ["s100b"], {})


def test_negative_differences_read_clearly():
    assert diagnostic_view.fmt_difference(-0.088, -0.171, -0.006) == "−0.088 (−0.171 to −0.006)"


def test_word_and_csv_are_the_tables_on_the_page(view):
    docs = diagnostic_documents.documents(view)
    assert_word_shows(docs)
    screen = {
        "diagnostic_auc": diagnostic_view.auc_frame(view),
        "diagnostic_accuracy": diagnostic_view.accuracy_frame(view),
        "diagnostic_comparison": diagnostic_view.comparison_frame(view),
    }
    for doc in docs:
        if doc.stem in screen:
            frame = screen[doc.stem]
            assert list(doc.header) == list(frame.columns)
            assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    cuts = list(view.result.cutoffs.itertuples(index=False))
    two_by_two = [d for d in docs if d.stem.startswith("diagnostic_2x2")]
    assert len(two_by_two) == len(cuts)
    assert two_by_two[0].rows[0].cells[1] == str(cuts[0].tp)  # true positives, as counted
    data = tables_csv(docs, COMMA)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist()[0] == "diagnostic_auc.csv"
        back = pd.read_csv(io.BytesIO(archive.read("diagnostic_auc.csv")), dtype=str,
                           encoding="utf-8-sig", keep_default_na=False)  # fmt: skip
    assert back["AUC (95% CI)"].tolist() == screen["diagnostic_auc"]["AUC (95% CI)"].tolist()
