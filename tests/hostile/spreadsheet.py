"""A CSV as a spreadsheet could open it: split on each common separator, cells checked for what
a spreadsheet would run as a formula (OWASP "CSV injection"). Shared by the hostile CSV test and
the unit test of modules/shared/csv_safety.py."""

from __future__ import annotations

import csv
import io
import re

SEPARATORS = (",", ";", "\t", "|")  # Excel's in English and most European locales, TSV, pipes
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A number as a table or a spreadsheet writes it: -2.5, 1e-3, and with decimal commas or
# thousands marks (-2,5, 1.204,5): digits and marks only, nothing a formula could call.
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+|\d+(?:[.,]\d+)+)([eE][+-]?\d+)?$")
# Payloads whose formula sits after a separator, not at the start of the cell.
SPLIT_PAYLOADS = ("x;=1+1", "a|@SUM(1)", "b,+1+1", "c\t-1+A1", 'd; "=2+2"', "e\n=3+3")


def cells(text: str, sep: str) -> list[str]:
    """Every cell a reader splitting on sep could make: one that honours quotes opening a cell
    (Excel, Python's csv) and one that splits each line on sep whatever the quotes."""
    honoured = [c for row in csv.reader(io.StringIO(text, newline=""), delimiter=sep) for c in row]
    plain = [piece for line in re.split(r"\r\n|\r|\n", text) for piece in line.split(sep)]
    return honoured + plain


def runnable(cell: str) -> bool:
    """Whether a spreadsheet would run the cell: it starts with a formula character once spaces
    and quotes are trimmed, and is not a plain number (-2.5 is data, -1+A1 a formula)."""
    trimmed = cell.lstrip(' "')
    return trimmed.startswith(FORMULA_START) and not _NUMBER.match(trimmed.rstrip('"'))


def runnable_cells(text: str) -> dict[str, list[str]]:
    """separator -> the cells a spreadsheet splitting on it would run; empty lists when safe."""
    return {sep: [c for c in cells(text, sep) if runnable(c)] for sep in SEPARATORS}
