"""The wide CSV: byte-order mark, one header row, separators and decimal commas round-trip."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pandas as pd
import pytest

from modules.shared.table_csv import (
    COMMA,
    SEMICOLON,
    csv_header,
    localise,
    style_for_upload,
    table_csv,
    tables_csv,
)
from modules.shared.table_doc import Span, row, table_doc


def sample(stem="t1", spans=()):
    return table_doc(
        stem,
        "Table 1. Baseline",
        ("Characteristic", "n", "Mean", "Summary", "p"),
        (
            row("Sex", "1,204", "3.52", "", "0.031", bold=True),
            row("Male; v1.2", "35", "10.00", "60 (60.0%)", "", level=1),
            row("=cmd", "2", "-0.50", "2.31 (1.40–3.80, p=0.001)", "<0.001", level=1),
        ),
        spans=spans,
    )


def read_back(data: bytes, style, **kw) -> pd.DataFrame:
    return pd.read_csv(
        io.BytesIO(data), sep=style.sep, decimal=style.decimal, encoding="utf-8-sig",
        keep_default_na=False, **kw,
    )  # fmt: skip


@pytest.mark.parametrize("style", [COMMA, SEMICOLON])
def test_starts_with_a_byte_order_mark_and_has_one_header_row(style):
    data = table_csv(sample(), style)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 3  # one header, one line per row: no title, notes or blank lines
    frame = read_back(data, style, dtype=str)
    assert list(frame.columns) == ["Characteristic", "n", "Mean", "Summary", "p"]
    assert frame.shape == (3, 5)


def test_comma_style_reads_back_as_the_screen_shows():
    doc = sample()
    frame = read_back(table_csv(doc, COMMA), COMMA, dtype=str)
    expected = [[c for c in r.cells] for r in doc.rows]
    expected[1][0], expected[2][0] = "    Male; v1.2", "'    =cmd"  # indent; formula-safe
    assert frame.values.tolist() == expected


def test_semicolon_style_has_decimal_commas_in_numbers_only():
    frame = read_back(table_csv(sample(), SEMICOLON), SEMICOLON, dtype=str)
    assert frame["Mean"].tolist() == ["3,52", "10,00", "-0,50"]
    assert frame["Summary"].tolist() == ["", "60 (60,0%)", "2,31 (1,40–3,80, p=0,001)"]
    assert frame["p"].tolist() == ["0,031", "", "<0,001"]
    assert frame["n"].tolist() == ["1.204", "35", "2"]
    assert frame["Characteristic"].tolist()[1] == "    Male; v1.2"  # names are never changed


def test_number_columns_read_back_as_the_numbers_shown():
    for style in (COMMA, SEMICOLON):
        thousands = "," if style is COMMA else "."
        frame = read_back(table_csv(sample(), style), style, thousands=thousands)
        assert frame["n"].tolist() == [1204, 35, 2]
        assert frame["Mean"].tolist() == pytest.approx([3.52, 10.0, -0.5])


def test_no_sparse_columns():
    frame = read_back(table_csv(sample(), COMMA), COMMA)
    assert not any((frame[c].astype(str) == "").all() for c in frame.columns)


def test_spanning_headings_join_the_header():
    doc = sample(spans=(Span("Adjusted", 3, 2),))
    assert csv_header(doc) == ["Characteristic", "n", "Mean", "Adjusted: Summary", "Adjusted: p"]


def test_duplicate_headings_are_made_unique():
    doc = table_doc("d", "T", ("A", "p", "p"), [row("x", "1", "2")])
    assert csv_header(doc) == ["A", "p", "p (2)"]


def test_several_tables_are_one_csv_each_in_a_zip():
    data = tables_csv([sample("crude"), sample("adjusted")], SEMICOLON)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["crude.csv", "adjusted.csv"]
        assert archive.read("crude.csv") == table_csv(sample("crude"), SEMICOLON)


def test_one_table_is_a_plain_csv():
    assert tables_csv([sample()], COMMA) == table_csv(sample(), COMMA)


def test_localise_swaps_marks_between_digits_only():
    assert localise("1,204 (3.5%), p=0.01", ",") == "1.204 (3,5%), p=0,01"
    assert localise("1,204 (3.5%)", ".") == "1,204 (3.5%)"


@pytest.mark.parametrize(
    ("sep", "decimal", "style"),
    [(",", ".", "comma"), (";", ",", "semicolon"), ("\t", ",", "semicolon"), ("\t", ".", "comma")],
)
def test_style_follows_the_upload(sep, decimal, style):
    assert style_for_upload(sep, decimal) == style


def marked():
    return table_doc(
        "m", "T", ("Characteristic", "p"),
        [row("Age", "0.031", marks=("", "a")), row("Sex", "<0.001", marks=("", "b")),
         row("Site", "0.5")],
        mark_notes=(("a", "Welch two-sample t-test"), ("b", "Pearson's chi-squared test")),
        mark_column="Test",
    )  # fmt: skip


def test_marks_are_named_in_a_column_beside_their_cells():
    frame = read_back(table_csv(marked(), COMMA), COMMA, dtype=str)
    assert list(frame.columns) == ["Characteristic", "p", "Test"]
    assert frame["Test"].tolist() == ["Welch two-sample t-test", "Pearson's chi-squared test", ""]
    assert frame["p"].tolist() == ["0.031", "<0.001", "0.5"]


def test_upload_style_is_the_csv_default_until_the_user_picks():
    from modules.shared.table_downloads import style_key
    from utils.data_io import dataset_from_frame

    ds = dataset_from_frame(pd.DataFrame({"a": [1.5]}))
    assert style_key(None, None) == "comma" and style_key(ds, None) == "comma"
    european = dataclasses.replace(ds, separator=";", decimal=",")
    assert style_key(european, None) == "semicolon"
    assert style_key(european, "comma") == "comma"
    assert style_key(european, ["semicolon"]) == "semicolon"  # a bad value is not a choice


def test_a_default_echoed_back_is_not_a_pick():
    from modules.shared.table_downloads import shown_style
    from utils.data_io import dataset_from_frame

    comma = dataset_from_frame(pd.DataFrame({"a": [1.5]}))
    european = dataclasses.replace(comma, separator=";", decimal=",")
    assert shown_style(european, "comma", drawn="comma") == "semicolon"  # new data, its default
    assert shown_style(european, "comma", drawn="semicolon") == "comma"  # the user's pick
    assert shown_style(comma, None, drawn=None) == "comma"


def test_a_pick_is_kept_with_the_settings_and_read_back_from_them():
    from modules.shared.table_downloads import STYLE_ID, restored_pick, style_pick

    assert style_pick("semicolon", drawn="comma") == "semicolon"  # the user's pick
    assert style_pick("comma", drawn="comma") is None  # the default, echoed back
    assert style_pick("tab", drawn="comma") is None and style_pick(None, drawn=None) is None
    # A reload, a reconnect or an opened project finds it in the tab's saved settings.
    assert restored_pick({"group": "sex", STYLE_ID: "semicolon"}) == "semicolon"
    assert restored_pick({"group": "sex"}) is None and restored_pick(None) is None
    assert restored_pick({STYLE_ID: "<script>"}) is None  # a damaged file: no pick


def test_a_semicolon_upload_is_remembered_through_cleaning(tmp_path):
    from prep.values import derived
    from utils.data_io import read_table

    path = tmp_path / "eu.csv"
    path.write_text("age;crp\n61,5;3,2\n70,1;4,4\n55,0;1,0\n", encoding="utf-8")
    ds = read_table(path)
    assert (ds.separator, ds.decimal) == (";", ",")
    cleaned = derived(ds, "a step", {"crp2": ds.df["crp"] * 2})
    assert (cleaned.separator, cleaned.decimal) == (";", ",")
