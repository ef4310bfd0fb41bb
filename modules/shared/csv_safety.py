"""The one CSV writer of every download: cells a spreadsheet cannot run as a formula.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula
(OWASP "CSV injection"). It does not matter where the cell starts in our text: Excel in a
';'-separator locale (most of Europe) opens our ','-separated file by splitting each line on
';', so a cell `x;=1+1` yields a cell `=1+1`; '|', tab and a line break split the same way in
other tools. So every place in a text cell where a piece could start after such a split (its
start, and after each , ; | tab CR LF) gets an apostrophe before a formula character (spaces
and quotes skipped, as a spreadsheet trims them), and every text cell is quoted, with its
quotes doubled. Numbers stay bare numbers, so they still open as numbers; a text cell that is
only a number as a table shows it ("-0.50", "-0,50", "1.204") is data, not a formula, and is
left as it is (every piece a split could make of it is a number too).
"""

from __future__ import annotations

import csv
import re

import pandas as pd

# Every CSV download starts with it: Excel on Windows otherwise reads the file in the local code
# page and garbles "χ²" and "–".
BOM = "\ufeff"
# Spreadsheets run a cell starting with these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Where a spreadsheet may start a cell inside our text: the separators of the common locales
# and tools, and line breaks (a quoted line break is a new row to a reader splitting on ';').
SEPARATORS = ",;\t|\r\n"
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_PIECE = re.compile(r"(^|[,;\t|\r\n])(?=[ \"]*[=+\-@]|[\t\r])")


def neutralise_cell(value: object) -> object:
    """A text cell with an apostrophe before every formula start a split could expose."""
    if not isinstance(value, str) or _PLAIN_NUMBER.fullmatch(value):
        return value
    return _PIECE.sub(lambda m: m.group(1) + "'", value)


def safe_csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with text cells and headings neutralised; numeric columns stay numeric."""
    out = frame.copy()
    for column in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[column]) or out[column].dtype == bool):
            out[column] = out[column].map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame, na_rep: str = "", sep: str = ",", decimal: str = ".") -> str:
    """The frame as the CSV text of a download: neutralised, text quoted, no index; `decimal`
    is the mark of its float columns (',' with sep ';', as a decimal-comma locale writes; pandas
    then quotes them, and Excel, LibreOffice, R's read.csv2 and pandas still read numbers)."""
    return safe_csv_frame(frame).to_csv(
        index=False, na_rep=na_rep, quoting=csv.QUOTE_NONNUMERIC, sep=sep, decimal=decimal
    )
