"""Agreement page builders: escaped names, the answers in words, a neutralised numeric CSV."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pandas as pd
import pytest

from analyses.agreement import analyze
from analyses.specs import AgreementSpec
from modules.agreement import documents as ad
from modules.agreement import figures, report
from modules.agreement import view as av
from modules.agreement.tab import TAB as AGREEMENT
from modules.shared.table_csv import COMMA, SEMICOLON, localise, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows

EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def measured() -> av.AgreementView:
    rng = np.random.default_rng(2)
    truth = rng.normal(100, 15, 80)
    df = pd.DataFrame({"=cmd": truth + rng.normal(0, 4, 80), EVIL: truth + rng.normal(2, 4, 80)})
    result = analyze(df, AgreementSpec(raters=("=cmd", EVIL)))
    return av.AgreementView(result, {"=cmd": "Nurse <A>"}, "data.csv")


@pytest.fixture(scope="module")
def rated() -> av.AgreementView:
    rng = np.random.default_rng(3)
    a = rng.integers(1, 5, 120)
    b = np.where(rng.random(120) < 0.7, a, rng.integers(1, 5, 120))
    df = pd.DataFrame({"reader 1": a, "reader 2": b})
    result = analyze(df, AgreementSpec(raters=("reader 1", "reader 2"), scale="ordinal"))
    return av.AgreementView(result, {}, "grades.csv")


def test_tables_escape_names_and_say_the_answer_in_words(measured):
    html = str(av.key_numbers(measured)) + str(ad.limits_table(measured))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Nurse &lt;A&gt;" in html
    icc = str(ad.icc_table(measured))
    assert "Two-way random, absolute agreement, single rater" in icc
    assert "the same raters rate every subject" in icc
    assert "nan" not in (html + icc).lower()
    assert "Kappa is for categories" in str(ad.kappa_table(measured))


def test_kappa_tables_for_ordered_categories(rated):
    kappa = str(ad.kappa_table(rated))
    assert kappa.count("<td>Cohen's kappa</td>") == 3
    assert "quadratic weights" in kappa and "Percentage agreement" in kappa
    cross = str(ad.crosstab_table(rated))
    assert "reader 1 (rows) by reader 2 (columns)" in cross
    assert "ICC is for measurements" in str(ad.icc_table(rated))


def test_bland_altman_plot_has_lines_bands_and_escaped_titles(measured):
    fig = figures.bland_altman_plot(measured)
    names = [t.name for t in fig.data]
    assert "Bias" in names and "Limits of agreement" in names
    assert "95% CI of the bias" in names and any(n.startswith("Proportional bias") for n in names)
    text = fig.layout.title.text + fig.layout.xaxis.title.text + fig.layout.yaxis.title.text
    assert EVIL not in text and "&lt;img" in text
    limits = measured.result.limits.set_index("quantity")
    bias = next(t for t in fig.data if t.name == "Bias")
    assert bias.y[0] == pytest.approx(limits.loc["bias", "estimate"])


def test_csv_is_numeric_long_form_and_formula_safe(measured, rated):
    text = report.tables_csv(measured)
    assert "\n=cmd" not in text and ",=cmd" not in text
    frame = report.tidy_frame(measured)
    assert set(frame["table"]) == {"icc", "bland_altman"}
    assert frame.loc[frame["statistic"] == "ICC2", "estimate"].iloc[0] == pytest.approx(
        measured.result.icc.set_index("form").loc["ICC2", "estimate"]
    )
    kappas = report.tidy_frame(rated)
    assert list(kappas["detail"][:3]) == ["none", "linear", "quadratic"]
    assert "percentage agreement" in set(kappas["statistic"])


def test_report_holds_tables_and_the_plot(measured, rated):
    html = report.html_report(measured)
    assert "agreement-bland-altman" in html and "Intraclass correlation" in html
    assert EVIL not in html
    assert "Kappa" in report.html_report(rated)


def _screen_is_doc(doc, frame) -> None:
    assert list(doc.header) == list(frame.columns)
    assert [list(r.cells) for r in doc.rows] == frame.values.tolist()


def test_word_and_csv_are_the_measurement_tables_on_the_page(measured):
    docs = AGREEMENT.tables(measured)
    assert [d.stem for d in docs] == ["agreement_icc", "agreement_bland_altman"]
    assert_word_shows(docs)
    _screen_is_doc(docs[0], av.icc_frame(measured))
    _screen_is_doc(docs[1], av.limits_frame(measured))
    icc2 = measured.result.icc.set_index("form").loc["ICC2"]
    (row,) = [r for r in docs[0].rows if r.cells[0] == "ICC2"]
    assert row.cells[2] == f"{icc2['estimate']:.3f}"
    bias = measured.result.limits.set_index("quantity").loc["bias"]
    assert docs[1].rows[0].cells[:2] == ("Bias (mean difference)", f"{bias['estimate']:.2f}")
    assert "Nurse <A>" in docs[1].footnotes[0]  # the user's words, escaped only on the page
    assert "Nurse &lt;A&gt;" in str(ad.limits_table(measured))
    with zipfile.ZipFile(io.BytesIO(tables_csv(docs, SEMICOLON))) as archive:
        assert sorted(archive.namelist()) == ["agreement_bland_altman.csv", "agreement_icc.csv"]
        back = pd.read_csv(io.BytesIO(archive.read("agreement_icc.csv")), sep=";",
                           encoding="utf-8-sig", dtype=str, keep_default_na=False)  # fmt: skip
    assert back["ICC"].tolist() == [localise(r.cells[2], ",") for r in docs[0].rows]
    assert back["Use when"].tolist() == [r.cells[-1] for r in docs[0].rows]


def test_word_and_csv_are_the_category_tables_on_the_page(rated):
    docs = AGREEMENT.tables(rated)
    assert [d.stem for d in docs] == ["agreement_kappa", "agreement_two_raters"]
    assert_word_shows(docs)
    _screen_is_doc(docs[0], av.kappa_frame(rated))
    _screen_is_doc(docs[1], ad.crosstab_frame(rated))
    table = rated.result.crosstab
    assert [r.cells[-1] for r in docs[1].rows] == [str(v) for v in table.sum(axis=1)]
    assert docs[1].title == "reader 1 (rows) by reader 2 (columns)"
    for style in (COMMA, SEMICOLON):
        with zipfile.ZipFile(io.BytesIO(tables_csv(docs, style))) as archive:
            back = pd.read_csv(io.BytesIO(archive.read("agreement_two_raters.csv")),
                               sep=style.sep, encoding="utf-8-sig", dtype=str)  # fmt: skip
        assert back.values.tolist() == [list(r.cells) for r in docs[1].rows]
