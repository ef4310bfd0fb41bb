"""Table 1 page builders: display strings, escaping, footnote letters, downloads and the plot."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

import logic
from analyses import table1_tests
from analyses.fit_records import Table1Info
from analyses.results import Table1Result
from analyses.specs import Table1Spec
from analyses.table1 import analyze
from modules.shared.docx_tables import tables_docx
from modules.shared.table_csv import COMMA, SEMICOLON, localise, tables_csv
from modules.table1 import controls as tc
from modules.table1 import document as table1_document
from modules.table1 import export as table1_export
from modules.table1 import plot as table1_plot
from modules.table1 import view as table1_view
from modules.table1.view import Table1View
from tests.unit.modules.shared.docx_reading import (
    cell_texts,
    horizontal_rules,
    open_docx,
    paragraph_before,
    paragraphs_after,
    vertical_lines,
)
from utils import codec, data_io

EVIL = "<img src=x onerror=alert(1)>"
FORMULA = '=HYPERLINK("http://x")'
WHEN = dt.datetime(2026, 3, 14, 9, 30)


def frame(n: int = 120, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    arm = np.repeat(["Placebo", "Drug"], n // 2)
    return pd.DataFrame(
        {
            "arm": arm,
            "age": rng.normal(60, 10, n).round(1),
            "crp": rng.lognormal(2, 1, n).round(2),
            "diabetes": rng.choice(["No", "Yes"], n),
            "sex": rng.choice(["Female", "Male"], n),
            EVIL: rng.choice(["a", FORMULA, "c"], n),
        }
    ).assign(age=lambda d: d.age.where(rng.random(n) > 0.1))


@pytest.fixture
def view() -> Table1View:
    df = frame()
    spec = Table1Spec(
        variables=("age", "crp", "diabetes", "sex", EVIL),
        group="arm",
        categorical=("diabetes", "sex", EVIL),
    )
    labels = {"age": "Age (years)", "arm": "Arm <b>"}
    return Table1View(analyze(df, spec), labels, "trial <2026>.csv")


def test_test_names_cover_every_test_key():
    keys = {
        getattr(table1_tests, k)
        for k in (
            "CHI2",
            "FISHER",
            "FISHER_EXACT_RXC",
            "FISHER_MC",
            "WELCH",
            "MANN_WHITNEY",
            "ANOVA",
            "KRUSKAL",
        )
    }
    assert keys == set(table1_view.TEST_NAMES)


def test_display_rows(view):
    rows = {r.label: r for r in table1_view.display_rows(view)}
    age = rows["Age (years), mean (SD)"]
    result = view.result
    cells = result.cells[result.cells.variable == "age"].set_index("group")
    assert age.cells[0] == f"{cells.loc['Overall', 'mean']:.1f} ({cells.loc['Overall', 'sd']:.1f})"
    assert rows["Missing"].cells[0] == str(int(cells.loc["Overall", "missing"]))
    # A yes/no variable is one row (the Yes level); Female/Male lists both levels.
    assert "diabetes: Yes, n (%)" in rows and "diabetes, n (%)" not in rows
    assert {"sex, n (%)", "Female", "Male"} <= set(rows)
    assert rows["crp, median [IQR]"].cells[1].count("[") == 1  # chosen by the skewness rule
    # Groups in the analysis' order; p with the letter of its test.
    assert [c[0] for c in table1_view.columns(view)] == ["Overall", "Drug", "Placebo"]
    letters = table1_view.test_letters(view)
    assert (
        age.letter == letters["welch"]
        and rows["crp, median [IQR]"].letter == letters["mann_whitney"]
    )
    assert list(letters.values()) == list("abc")[: len(letters)]


def test_table_escapes_user_strings(view):
    html = str(table1_document.table_tag(view))
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Arm &lt;b&gt;" in html and "<b>" not in html
    assert 'id="table1-summary"' in html and "<sup>a</sup>" in html


def test_footnotes_name_the_rule_and_tests(view):
    notes = table1_view.footnotes(view)
    text = " ".join(notes)
    assert "Shapiro–Wilk" in text and "|skewness| > 1" in text
    assert "a Welch two-sample t-test" in notes or "a Pearson's chi-squared test" in notes
    assert "Yang & Dalton" in text


def test_options_hide_columns(view):
    heads = table1_view.headings(view)
    assert heads[0] == "Characteristic" and heads[1] == "Overall (N = 120)"
    assert "Drug (N = 60)" in heads and heads[-2:] == ["p-value", "SMD"]
    bare = view.with_options(show_overall=False, show_p=False, show_smd=False, show_missing=False)
    assert table1_view.headings(bare) == ["Characteristic", "Drug (N = 60)", "Placebo (N = 60)"]
    assert all(r.kind != "missing" for r in table1_view.display_rows(bare))
    assert table1_view.footnotes(bare)[-1].startswith("Numbers")


def expected_rows(view: Table1View) -> list[list[str]]:
    """Every body row as the view's display rows give it: label, cells, p, SMD."""
    return [
        [r.label, *r.cells, *([r.p] if view.has_p else []), *([r.smd] if view.has_smd else [])]
        for r in table1_view.display_rows(view)
    ]


@pytest.mark.parametrize(
    "options",
    [{}, {"show_overall": False}, {"show_p": False, "show_smd": False}, {"show_missing": False}],
)
def test_every_row_has_a_cell_under_every_heading(view, options):
    """The old Word file's header had a Test column its rows lacked: SMDs sat under Test."""
    shown = view.with_options(**options)
    doc = table1_document.table1_doc(shown)
    assert all(len(r.cells) == len(doc.header) for r in doc.rows)
    (table,) = open_docx(tables_docx(table1_document.tables(shown))).tables
    texts = cell_texts(table)
    assert all(len(r) == len(texts[-1]) for r in texts)
    assert texts[1] == table1_view.headings(shown)
    if shown.has_smd:
        smd = texts[1].index("SMD")
        assert [r[smd] for r in texts[2:]] == [r.smd for r in table1_view.display_rows(shown)]


def test_word_cells_are_the_results_as_shown(view):
    document = open_docx(tables_docx(table1_document.tables(view)))
    (table,) = document.tables
    texts = cell_texts(table)
    # The spanning heading over the two groups, the headings, then every row; p with its
    # test's letter as a superscript.
    assert texts[0] == ["", "", "Arm <b>", "Arm <b>", "", ""]
    assert texts[1] == table1_view.headings(view)
    rows = table1_view.display_rows(view)
    expected = [[*r[:-2], r[-2] + row.letter, r[-1]] for r, row in zip(expected_rows(view), rows)]
    assert texts[2:] == expected
    age = view.result.cells.query("variable == 'age' and group == 'Drug'").iloc[0]
    assert f"{age['mean']:.1f} ({age['sd']:.1f})" in texts[2]
    marked = [
        c for r in table.rows[2:] for c in r.cells if c.paragraphs[0].runs[-1].font.superscript
    ]
    assert len(marked) == sum(1 for r in rows if r.letter)
    assert horizontal_rules(table) == ["top", "under part of row 0", "under row 1", "bottom"]
    assert vertical_lines(table) == []
    assert paragraph_before(document, table) == "Table 1. Baseline characteristics by Arm <b>"
    notes = paragraphs_after(document, table)
    assert notes[:-1] == table1_view.footnotes(view)
    assert notes[-1] == "IQR, interquartile range; SD, standard deviation."


@pytest.mark.parametrize("style", [COMMA, SEMICOLON])
def test_csv_is_the_table_as_shown_and_cannot_run_formulas(view, style):
    data = tables_csv(table1_document.tables(view), style)
    assert data.startswith(b"\xef\xbb\xbf")
    back = pd.read_csv(
        io.BytesIO(data), sep=style.sep, encoding="utf-8-sig", keep_default_na=False, dtype=str
    )
    assert list(back.columns) == [
        "Characteristic",
        "Overall (N = 120)",
        "Arm <b>: Drug (N = 60)",
        "Arm <b>: Placebo (N = 60)",
        "p-value",
        "Test",
        "SMD",
    ]
    rows = table1_view.display_rows(view)
    assert len(back) == len(rows)
    shown = [localise(r.cells[1], style.decimal) for r in rows]
    assert back.iloc[:, 2].tolist() == shown
    assert back["p-value"].tolist() == [localise(r.p, style.decimal) for r in rows]
    tests = {"a", "b", "c"} & {r.letter for r in rows}
    assert set(back["Test"]) - {""} == {
        table1_document.SHORT_TEST_NAMES[t]
        for t, letter in table1_view.test_letters(view).items()
        if letter in tests
    }
    names = back["Characteristic"]
    assert "'    " + FORMULA in set(names)  # a level, indented, made safe before its indent
    assert all(
        v.lstrip("'").startswith("    ") for v, r in zip(names, rows) if r.kind != "variable"
    )
    assert not any(str(v).startswith(("=", "+", "@")) for v in back.to_numpy().ravel())
    assert not any((back[c] == "").all() for c in back.columns)  # no sparse column


def test_html_report_is_self_contained(view):
    report = table1_export.html_report(view, WHEN)
    assert report.startswith("<!DOCTYPE html>") and 'src="http' not in report
    assert '<div class="medstat-figure"' in report and "trial &lt;2026&gt;.csv" in report
    assert EVIL not in report
    assert table1_export.file_stem(view) == "medstat_table1_by_arm"


def test_love_plot_escapes_labels_and_needs_two_groups(view):
    fig = table1_plot.love_plot(view)
    ticks = list(fig.layout.yaxis.ticktext)
    assert "&lt;img src=x onerror=alert(1)&gt;" in ticks and EVIL not in ticks
    smd = view.result.variables.set_index("variable").smd
    assert list(fig.data[0].x) == pytest.approx(smd.dropna().tolist())
    df = frame().assign(arm=lambda d: np.resize(["A", "B", "C"], len(d)))
    three = analyze(df, Table1Spec(variables=("age",), group="arm"))
    assert table1_plot.love_plot(Table1View(three)) is None
    assert "two groups" in str(table1_view.plot_note(Table1View(three)))


def test_spec_from_controls_and_the_logic_door():
    ds = data_io.dataset_from_frame(frame().assign(pid=[f"P{i}" for i in range(120)]), "t.csv")
    assert "pid" not in tc.variable_choices(ds, "arm") and "arm" in tc.group_choices(ds)
    spec = tc.table1_spec(ds, ["age", "arm", "sex", "crp"], "arm", "auto", ["crp", "sex"])
    assert spec.variables == ("age", "sex", "crp") and spec.categorical == ("sex",)
    assert spec.median_variables == ("crp",)  # only numbers can be forced to a median
    with pytest.raises(ValueError, match="cannot be described"):
        tc.table1_spec(ds, ["pid"], None)
    with pytest.raises(ValueError, match="cannot group"):
        tc.table1_spec(ds, ["sex"], "age")
    result = logic.run("table1", ds, spec)
    assert logic.run("table1", ds, spec) is result  # cached by fingerprint and spec
    back = codec.from_json(codec.to_json(result), [Table1Result, Table1Info])  # shared tier
    pd.testing.assert_frame_equal(back.cells, result.cells)
    assert back.info == result.info


def test_a_constant_number_is_a_row_not_a_crash():
    """A column every patient has the same value of (a matched sample's weights, all 1):
    its SD is 0, and its decimals come from its mean."""
    df = frame().assign(weight=1.0)
    spec = Table1Spec(variables=("age", "weight"), group="arm", categorical=())
    rows = {r.label: r for r in table1_view.display_rows(Table1View(analyze(df, spec), {}, ""))}
    assert rows["weight, mean (SD)"].cells[0].startswith("1.0")
