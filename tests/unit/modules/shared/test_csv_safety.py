"""The one CSV writer: no cell a spreadsheet would run, however it splits the lines; numbers stay
numbers and text keeps its content."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest

from modules.shared.csv_safety import csv_text, neutralise_cell
from tests.hostile.spreadsheet import SPLIT_PAYLOADS, runnable_cells

STARTS = ("=1+1", "+1+1", "-2+A1", "@SUM(A1)", "\t=x", "\rx", " =1", '"=1"')


@pytest.mark.parametrize("cell", STARTS)
def test_a_formula_at_the_start_gets_an_apostrophe(cell):
    safe = neutralise_cell(cell)
    assert safe.startswith("'") and safe.replace("'", "") == cell
    if cell != "\t=x":  # a tab is also a separator: '\t'=x
        assert safe == "'" + cell


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("x;=1+1", "x;'=1+1"),
        ("a|@SUM(1)", "a|'@SUM(1)"),
        ("b,+1+1", "b,'+1+1"),
        ("c\t-1+A1", "c\t'-1+A1"),
        ('d; "=2+2"', 'd;\' "=2+2"'),
        ("e\n=3+3", "e\n'=3+3"),
        ("Outcome;=2+2", "Outcome;'=2+2"),
        ("=a;=b", "'=a;'=b"),
    ],
)
def test_a_formula_after_any_separator_gets_an_apostrophe(cell, safe):
    assert neutralise_cell(cell) == safe


@pytest.mark.parametrize("cell", ["Stage", "a; b", "3-4 cm", "x=1", "e-mail", "", "a|b"])
def test_other_text_is_unchanged(cell):
    assert neutralise_cell(cell) == cell


@pytest.mark.parametrize("cell", ["-2", "+1", "-0.50", "-0,50", "1.204", "-1,204.5"])
def test_a_number_as_a_table_shows_it_is_data_not_a_formula(cell):
    assert neutralise_cell(cell) == cell
    assert runnable_cells(csv_text(pd.DataFrame({"r": [cell]}))) == dict.fromkeys(
        (",", ";", "\t", "|"), []
    )


def test_non_text_is_unchanged():
    assert neutralise_cell(-2.5) == -2.5
    assert neutralise_cell(None) is None


def hostile_frame() -> pd.DataFrame:
    payloads = [*SPLIT_PAYLOADS, *STARTS]
    return pd.DataFrame(
        {
            "level": payloads,
            "Outcome;=2+2": range(len(payloads)),  # a codebook label as a heading
            "estimate": [
                -2.5,
                1e-300,
                math.nan,
                -0.1,
                3.0,
                0.0,
                -1.0,
                2.0,
                7.0,
                -8.5,
                1.5,
                4.0,
                5.0,
                6.0,
            ],
        }
    )


def test_no_cell_of_a_download_runs_whichever_separator_a_spreadsheet_splits_on():
    text = csv_text(hostile_frame())
    assert runnable_cells(text) == {",": [], ";": [], "\t": [], "|": []}


def test_text_is_quoted_and_numbers_stay_numbers():
    frame = hostile_frame()
    text = csv_text(frame)
    first = text.splitlines()[1]
    assert first.startswith('"x;\'=1+1",0,-2.5')
    back = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    assert pd.api.types.is_float_dtype(back["estimate"])
    assert back["estimate"].iloc[0] == -2.5 and math.isnan(back["estimate"].iloc[2])
    assert list(back.columns) == ["level", "Outcome;'=2+2", "estimate"]
    assert back["level"].str.replace("'", "").tolist() == [
        v.replace("'", "") for v in frame["level"]
    ]
