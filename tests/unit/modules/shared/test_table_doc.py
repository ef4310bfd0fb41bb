"""The publishable-table model: its shape is checked when it is made."""

from __future__ import annotations

import pytest

from modules.shared.table_doc import Span, abbreviations_line, plain_label, row, table_doc


def test_notes_are_footnotes_then_sorted_abbreviations_once():
    doc = table_doc(
        "t", "T", ("A", "B"), [row("x", "1")],
        footnotes=("a Welch t-test.",),
        abbreviations=(("SMD", "standardised mean difference"), ("CI", "confidence interval"),
                       ("SMD", "standardised mean difference")),
    )  # fmt: skip
    assert doc.notes() == (
        "a Welch t-test.",
        "CI, confidence interval; SMD, standardised mean difference.",
    )


def test_no_abbreviations_no_line():
    assert abbreviations_line([]) == ""
    assert table_doc("t", "T", ("A",), [row("x")]).notes() == ()


@pytest.mark.parametrize(
    "spans", [(Span("S", 1, 3),), (Span("S", 0, 2), Span("U", 1, 1)), (Span("S", 0, 0),)]
)
def test_spans_must_lie_over_distinct_columns(spans):
    with pytest.raises(ValueError):
        table_doc("t", "T", ("A", "B", "C"), [row("x", "1", "2")], spans=spans)


def test_span_of_a_column():
    doc = table_doc("t", "T", ("A", "B", "C"), [], spans=(Span("S", 1, 2),))
    assert doc.span_of(0) is None and doc.span_of(2).text == "S"


def test_plain_label_indents_levels():
    assert plain_label(row("Male", level=1)) == "    Male"
    assert plain_label(row("Sex", bold=True)) == "Sex"


def test_a_table_doc_is_hashable():
    doc = table_doc("t", "T", ["A", "B"], [row("x", 1)])
    assert hash(doc) == hash(table_doc("t", "T", ("A", "B"), [row("x", "1")]))
