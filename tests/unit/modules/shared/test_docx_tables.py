"""The Word writer: every cell, the journal rules, the caption and notes, the append API."""

from __future__ import annotations

import pytest
from docx import Document

from modules.shared.docx_tables import append_table, tables_docx
from modules.shared.table_doc import Span, row, table_doc
from tests.unit.modules.shared.docx_reading import (
    cell_texts,
    horizontal_rules,
    open_docx,
    paragraph_before,
    paragraphs_after,
    vertical_lines,
)


def sample(title="Table 2. Odds ratios", spans=()):
    return table_doc(
        "sample",
        title,
        ("Characteristic", "n (%)", "OR (95% CI)", "p"),
        (
            row("Sex", "", "", "0.031", bold=True),
            row("Female", "40 (40.0%)", "Reference", "", level=1),
            row("Male <b>&", "60 (60.0%)", "2.31 (1.40–3.80)", "", level=1),
            row("Age, years", "1,204", "1.02 (1.00–1.04)", "<0.001"),
        ),
        spans=spans,
        footnotes=("p: Pearson's chi-squared test.",),
        abbreviations=(("OR", "odds ratio"), ("CI", "confidence interval")),
    )


def test_every_cell_is_the_table_docs_text():
    doc = sample()
    document = open_docx(tables_docx([doc]))
    (table,) = document.tables
    assert cell_texts(table) == [list(doc.header), *[list(r.cells) for r in doc.rows]]


def test_journal_rules_three_horizontal_no_vertical():
    document = open_docx(tables_docx([sample()]))
    (table,) = document.tables
    assert horizontal_rules(table) == ["top", "under row 0", "bottom"]
    assert vertical_lines(table) == []


def test_caption_above_and_notes_below():
    doc = sample()
    document = open_docx(tables_docx([doc]))
    (table,) = document.tables
    assert paragraph_before(document, table) == doc.title
    assert paragraphs_after(document, table) == [
        "p: Pearson's chi-squared test.",
        "CI, confidence interval; OR, odds ratio.",
    ]


def test_group_rows_bold_and_levels_indented():
    document = open_docx(tables_docx([sample()]))
    (table,) = document.tables
    group, level = table.rows[1].cells[0].paragraphs[0], table.rows[2].cells[0].paragraphs[0]
    assert group.runs[0].bold and not level.runs[0].bold
    assert level.paragraph_format.left_indent and not group.paragraph_format.left_indent


def test_spanning_heading_is_merged_over_its_columns_with_a_partial_rule():
    doc = sample(spans=(Span("Crude", 2, 2),))
    document = open_docx(tables_docx([doc]))
    (table,) = document.tables
    texts = cell_texts(table)
    assert texts[0] == ["", "", "Crude", "Crude"]  # one merged cell over columns 2-3
    assert table.rows[0].cells[2]._tc is table.rows[0].cells[3]._tc
    assert texts[1] == list(doc.header)
    assert horizontal_rules(table) == ["top", "under part of row 0", "under row 1", "bottom"]
    assert vertical_lines(table) == []


def test_several_tables_in_order_each_with_its_caption():
    first, second = sample("Table 2. Crude"), sample("Table 3. Adjusted")
    document = open_docx(tables_docx([first, second]))
    assert [paragraph_before(document, t) for t in document.tables] == [first.title, second.title]


def test_append_table_adds_to_an_existing_document():
    document = Document()
    document.add_heading("Results", level=1)
    append_table(document, sample())
    append_table(document, sample("Table 3. Again"))
    assert len(document.tables) == 2
    assert document.paragraphs[0].text == "Results"
    assert paragraph_before(document, document.tables[1]) == "Table 3. Again"


def test_user_text_is_kept_as_text_not_markup():
    document = open_docx(tables_docx([sample()]))
    assert document.tables[0].rows[3].cells[0].text == "Male <b>&"


def test_a_wide_table_gets_a_landscape_page():
    wide = table_doc("w", "Wide", [f"c{i}" for i in range(8)], [row(*["x"] * 8)])
    section = open_docx(tables_docx([wide])).sections[0]
    assert section.page_width > section.page_height


@pytest.mark.parametrize("bad", [("a", "b"), ("a", "b", "c", "d", "e")])
def test_a_row_that_does_not_line_up_cannot_be_made(bad):
    with pytest.raises(ValueError, match="line up"):
        table_doc("x", "T", ("A", "B", "C"), [row(*bad)])


def test_a_footnote_mark_is_a_superscript_after_the_text():
    doc = table_doc("m", "T", ("A", "p"), [row("Age", "0.031", marks=("", "a"))])
    cell = open_docx(tables_docx([doc])).tables[0].rows[1].cells[1]
    runs = cell.paragraphs[0].runs
    assert cell.text == "0.031a" and [r.font.superscript for r in runs] == [None, True]
