"""The Word writer: every cell, the journal rules, the caption and notes, the append API."""

from __future__ import annotations

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Pt

from modules.shared.docx_tables import (
    CELL_MARGINS,
    TABLE_SIZE,
    append_table,
    column_widths,
    tables_docx,
    text_width,
)
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


def test_property_elements_keep_the_schemas_order():
    """Word refuses a file whose table or cell properties are out of order."""
    table = open_docx(tables_docx([sample(spans=(Span("Crude", 2, 2),))])).tables[0]
    names = [el.tag.split("}")[1] for el in table._tbl.tblPr]
    assert names.index("tblBorders") < names.index("tblLook")
    assert names.index("tblW") < names.index("tblBorders")
    for table_row in table.rows:
        for cell in table_row.cells:
            order = [el.tag.split("}")[1] for el in cell._tc.tcPr]
            if "tcBorders" in order:
                assert order.index("tcW") < order.index("tcBorders")
                assert all(
                    order.index(x) < order.index("tcBorders") for x in ("gridSpan",) if x in order
                )


def test_the_names_column_is_wider_and_a_span_covers_its_columns():
    table = open_docx(tables_docx([sample(spans=(Span("Crude", 2, 2),))])).tables[0]
    head, body = table.rows[0].cells, table.rows[2].cells
    assert body[0].width > body[1].width
    assert head[2].width == body[2].width + body[3].width


def test_columns_follow_their_text_and_fill_the_line():
    """'2.31 (1.40–3.80)' needs more room than '<0.001': the widths read back from the file
    give it more, each column holds its longest text on one line, and together they fill
    the line exactly."""
    doc = sample()
    document = open_docx(tables_docx([doc]))
    section = document.sections[0]
    line = section.page_width - section.left_margin - section.right_margin
    widths = [cell.width for cell in document.tables[0].rows[0].cells]
    assert widths[2] > widths[3] and widths[2] > widths[1]
    assert line - len(widths) <= sum(widths) <= line
    for j, width in enumerate(widths):
        texts = [doc.header[j], *(r.cells[j] for r in doc.rows)]
        assert width >= Pt(max(text_width(t, bold=True) for t in texts) + CELL_MARGINS.pt)


def test_a_long_label_wraps_and_the_numbers_do_not():
    label = "Estimated glomerular filtration rate at admission, mL/min/1.73 m² " * 3
    doc = table_doc("l", "T", ("Characteristic", "n", "p"), [row(label, "1,204", "0.031")])
    line = Pt(432)
    widths = column_widths(doc, line)
    assert widths[0] < Pt(text_width(label))
    assert widths[1] >= Pt(text_width("1,204") + CELL_MARGINS.pt)
    assert widths[2] >= Pt(text_width("0.031") + CELL_MARGINS.pt)
    assert sum(widths) <= line


def test_text_width_grows_with_the_text_and_bold():
    assert text_width("0.94 [0.77, 1.13]") > text_width("<0.001") > 0
    assert text_width("SMD", bold=True) > text_width("SMD")


def test_every_cell_line_is_the_table_size_even_when_empty():
    """An empty cell's paragraph mark would take the document's 10 pt and 10 pt of space
    after: the rows with an empty p-value would stand further apart than the others."""
    doc = sample(spans=(Span("Crude", 2, 2),))
    table = open_docx(tables_docx([doc])).tables[0]
    empty = [c for r in table.rows for c in r.cells if not c.text]
    assert len(empty) > 3
    for cell in (c for r in table.rows for c in r.cells):
        paragraph = cell.paragraphs[0]
        mark = paragraph._p.pPr.find(qn("w:rPr"))
        assert mark.find(qn("w:sz")).get(qn("w:val")) == str(int(TABLE_SIZE.pt * 2))
        assert paragraph.paragraph_format.space_after == Pt(0)


def test_headings_sit_on_the_rule_under_them():
    table = open_docx(tables_docx([sample()])).tables[0]
    assert {c.vertical_alignment for c in table.rows[0].cells} == {
        WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    }


def test_a_footnote_letter_under_the_table_is_superscript_like_the_mark():
    doc = table_doc(
        "m",
        "T",
        ("A", "p"),
        [row("Age", "0.031", marks=("", "a"))],
        footnotes=("a Welch two-sample t-test", "b plain: no row has this mark"),
        mark_notes=(("a", "Welch"),),
    )
    document = open_docx(tables_docx([doc]))
    first, second = [p for p in document.paragraphs if "Welch" in p.text or "plain" in p.text]
    assert first.text == "a Welch two-sample t-test"
    assert [r.text for r in first.runs] == ["a", " Welch two-sample t-test"]
    assert first.runs[0].font.superscript and not first.runs[1].font.superscript
    assert [r.text for r in second.runs] == ["b plain: no row has this mark"]


def test_a_table_whose_numbers_would_wrap_gets_a_landscape_page():
    """Six columns of medians [IQR] do not fit across a portrait page; four short ones do."""
    header = (
        "Characteristic",
        "Overall (N = 2,000)",
        *[f"High dose {i} (N = 687)" for i in range(3)],
    )
    wide = table_doc(
        "w", "T", (*header, "p-value"), [row("crp", *["1.02 [0.79, 1.27]"] * 4, "0.03")]
    )
    assert len(wide.header) < 7
    assert open_docx(tables_docx([wide])).sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert open_docx(tables_docx([sample()])).sections[0].orientation == WD_ORIENT.PORTRAIT


def test_on_a_short_line_the_names_give_way_before_the_numbers():
    doc = table_doc(
        "s", "T", ("Characteristic", "A", "B"),
        [row("creatinine at admission, median [IQR]", "1.02 [0.79, 1.27]", "0.99 [0.76, 1.23]")],
    )  # fmt: skip
    numbers = Pt(text_width("1.02 [0.79, 1.27]") + CELL_MARGINS.pt)
    widths = column_widths(doc, int(numbers * 2 + Pt(100)))
    assert widths[1] >= numbers and widths[2] >= numbers
    assert widths[0] < Pt(text_width("creatinine at admission, median [IQR]"))
