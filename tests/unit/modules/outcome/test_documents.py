"""The outcome tables as Word and CSV: every cell is the result's number as the page shows it."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from modules.outcome import documents, tables
from modules.shared.csv_safety import neutralise_cell
from modules.shared.docx_tables import tables_docx
from modules.shared.formatting import (
    NOT_ESTIMABLE,
    REFERENCE,
    fmt_ci,
    fmt_count,
    fmt_or_cell,
    fmt_p,
    fmt_ratio,
    is_number,
    readable_decimals,
)
from modules.shared.table_csv import COMMA, SEMICOLON, localise, tables_csv
from tests.unit.modules.shared.docx_reading import (
    cell_texts,
    horizontal_rules,
    open_docx,
    paragraph_before,
    paragraphs_after,
    vertical_lines,
)


def test_word_holds_both_tables_as_the_page_shows_them(view):
    document = open_docx(tables_docx(documents.tables(view)))
    combined, multi = document.tables
    screen = [tables.combined_frame(view), tables.multivariable_frame(view)]
    for table, frame, doc in zip((combined, multi), screen, documents.tables(view)):
        assert cell_texts(table) == [list(frame.columns), *frame.astype(str).values.tolist()]
        assert horizontal_rules(table) == ["top", "under row 0", "bottom"]
        assert vertical_lines(table) == []
        assert paragraph_before(document, table) == doc.title
        assert paragraphs_after(document, table)[: len(doc.notes())] == list(doc.notes())
    assert "CI, confidence interval; OR, odds ratio." in paragraphs_after(document, multi)


def test_word_cells_are_the_results_numbers(view):
    """Each OR, CI, p and count in the Word file is the result's value, formatted as shown."""
    (combined, multi) = open_docx(tables_docx(documents.tables(view))).tables
    uni = view.result.univariable
    crude = [r[4] for r in cell_texts(combined)[1:] if r[1] != tables.OVERALL_P]
    expected = [
        REFERENCE if r.is_reference else fmt_or_cell(r.estimate, r.ci_low, r.ci_high, r.p_value)
        for r in uni.itertuples(index=False)
    ]
    assert crude == expected
    m = view.result.multivariable
    rows = cell_texts(multi)[1:]
    assert [r[2] for r in rows] == [fmt_count(n) for n in m["n"]]
    for cells, r in zip(rows, m.itertuples(index=False)):
        if r.is_reference:
            assert cells[4:7] == [REFERENCE, "", ""]
        else:
            finite = is_number(r.estimate) and r.estimate > 0
            d = readable_decimals(r.ci_low, r.ci_high)
            assert cells[4] == (fmt_ratio(r.estimate, d) if finite else NOT_ESTIMABLE)
            assert cells[5] == fmt_ci(r.ci_low, r.ci_high)
            assert cells[6] == fmt_p(r.p_value)


def test_csv_is_a_zip_of_the_two_tables_as_shown(view):
    for style in (COMMA, SEMICOLON):
        with zipfile.ZipFile(io.BytesIO(tables_csv(documents.tables(view), style))) as archive:
            assert archive.namelist() == ["outcome_crude_adjusted.csv", "outcome_adjusted.csv"]
            screen = [tables.combined_frame(view), tables.multivariable_frame(view)]
            for name, frame in zip(archive.namelist(), screen):
                data = archive.read(name)
                assert data.startswith(b"\xef\xbb\xbf")
                back = pd.read_csv(
                    io.BytesIO(data), sep=style.sep, encoding="utf-8-sig", dtype=str,
                    keep_default_na=False,
                )  # fmt: skip
                assert list(back.columns) == list(frame.columns)  # one header row
                shown = frame.astype(str).copy()
                for column in shown.columns[2:]:  # numbers, not names, get decimal commas
                    shown[column] = shown[column].map(lambda t: localise(t, style.decimal))
                assert back.values.tolist() == shown.map(neutralise_cell).values.tolist()
                assert not any((back[c] == "").all() for c in back.columns)  # no sparse column
