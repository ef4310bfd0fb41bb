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
from modules.table1 import controls as tc
from modules.table1 import export as table1_export
from modules.table1 import plot as table1_plot
from modules.table1 import view as table1_view
from modules.table1.view import Table1View
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
    html = str(table1_view.table_tag(view))
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
    heads = table1_view.headings(view, spanned=False)
    assert heads[0] == "Characteristic" and heads[1] == "Overall (N = 120)"
    assert "Arm <b>: Drug (N = 60)" in heads and heads[-3:] == ["p-value", "Test", "SMD"]
    bare = view.with_options(show_overall=False, show_p=False, show_smd=False, show_missing=False)
    assert table1_view.headings(bare, spanned=False) == [
        "Characteristic",
        "Arm <b>: Drug (N = 60)",
        "Arm <b>: Placebo (N = 60)",
    ]
    assert all(r.kind != "missing" for r in table1_view.display_rows(bare))
    assert table1_view.footnotes(bare)[-1].startswith("Numbers")


def test_csv_is_the_table_and_cannot_run_formulas(view):
    text = table1_export.csv_text(view)
    back = pd.read_csv(io.StringIO(text), keep_default_na=False)
    assert list(back.columns) == table1_view.headings(view, spanned=False)
    assert len(back) == len(table1_view.display_rows(view))
    assert "'" + FORMULA in set(back["Characteristic"])
    assert not any(str(v).startswith(("=", "+", "@")) for v in back.to_numpy().ravel())
    assert "nan" not in text.lower()


def test_word_document_is_plain_inline_styled_html(view):
    doc = table1_export.word_document(view, WHEN)
    assert doc.startswith("<!DOCTYPE html>") and "<script" not in doc and "class=" not in doc
    assert doc.count("<table") == 1 and 'style="border-collapse: collapse;"' in doc
    assert "&lt;img src=x onerror=alert(1)&gt;" in doc and EVIL not in doc
    assert "Table 1. Baseline characteristics by Arm &lt;b&gt;" in doc


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
