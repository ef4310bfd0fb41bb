"""TableDocs as CSV files that open everywhere: wide, one header row, a UTF-8 byte-order mark.

A CSV holds the table as the screen shows it: one header row (a spanning heading joins the
heading under it: "Adjusted: OR (95% CI)"), one line per row, the row's name indented by
spaces for a level. No title or notes lines: a file Excel can sort and filter and pandas or R
read as one table (the notes are in the Word file).

Excel on Windows reads a CSV without a byte-order mark in the local code page, which garbles
"χ²" and "–", so every file starts with one. A user in a decimal-comma locale (most of Europe)
gets `;` separators and decimal commas, as their upload had or as they choose: a number's
decimal point becomes a comma and its thousands separator a point, in the number columns only
(never in a variable's or level's name). Several tables are one CSV each in a .zip: each file
is then a clean table (a stacked file would break Excel's sort and filter and every reader's
column types).

Every CSV goes through csv_safety.csv_text: no cell can run as a formula.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from modules.shared import csv_safety
from modules.shared.table_doc import TableDoc, plain_label

BOM = "\ufeff"


@dataclass(frozen=True)
class CsvStyle:
    """A separator and the decimal mark that goes with it."""

    sep: str
    decimal: str
    label: str


COMMA = CsvStyle(",", ".", "Comma (,)")
SEMICOLON = CsvStyle(";", ",", "Semicolon (;), decimal comma")
STYLES = {"comma": COMMA, "semicolon": SEMICOLON}
# A decimal point or a thousands comma between two digits (our formatters write no other).
_NUMBER_MARK = re.compile(r"(?<=\d)[.,](?=\d)")


def style_for_upload(separator: str, decimal: str) -> str:
    """The CSV style that matches how the user's own file was written ('comma' otherwise)."""
    return "semicolon" if decimal == "," or separator == ";" else "comma"


def localise(text: str, decimal: str) -> str:
    """A display number with the decimal mark asked for: '1,204 (3.5%)' -> '1.204 (3,5%)'."""
    if decimal == ".":
        return text
    return _NUMBER_MARK.sub(lambda m: "," if m.group(0) == "." else ".", text)


def csv_header(doc: TableDoc) -> list[str]:
    """One header row: a spanning heading joins the heading under it, a marked column is
    followed by the column of what its marks stand for; names kept unique."""
    marked = doc.marked_columns()
    names: list[str] = []
    for j, heading in enumerate(doc.header):
        span = doc.span_of(j)
        name = f"{span.text}: {heading}" if span and heading else (span.text if span else heading)
        names.append(_unique(name, names))
        if j in marked:
            note = doc.mark_column if len(marked) == 1 else f"{name} {doc.mark_column.lower()}"
            names.append(_unique(note, names))
    return names


def _unique(name: str, taken: list[str]) -> str:
    base, n = name, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    return name


def table_frame(doc: TableDoc, decimal: str = ".") -> pd.DataFrame:
    """The table as a frame of display strings, wide as on screen."""
    marked = set(doc.marked_columns())
    meaning = dict(doc.mark_notes)
    records = []
    for row in doc.rows:
        record = []
        for j, text in enumerate(row.cells):
            if j == 0:
                record.append(plain_label(row))
            else:
                record.append(text if j < doc.text_columns else localise(text, decimal))
            if j in marked:
                mark = row.marks[j] if row.marks else ""
                record.append(meaning.get(mark, mark))
        records.append(record)
    return pd.DataFrame(records, columns=csv_header(doc), dtype=object)


def table_csv(doc: TableDoc, style: CsvStyle = COMMA) -> bytes:
    """One table as CSV bytes: a byte-order mark, formula-safe, in the style asked for."""
    text = csv_safety.csv_text(table_frame(doc, style.decimal), sep=style.sep)
    return (BOM + text).encode("utf-8")


def tables_csv(docs: Sequence[TableDoc], style: CsvStyle = COMMA) -> bytes:
    """One table: its CSV. Several: a .zip of one CSV per table, named by its stem."""
    if len(docs) == 1:
        return table_csv(docs[0], style)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, doc in zip(member_names(docs), docs):
            archive.writestr(name, table_csv(doc, style))
    return out.getvalue()


def member_names(docs: Sequence[TableDoc]) -> list[str]:
    """<stem>.csv for each table, numbered where two stems would collide."""
    names: list[str] = []
    for i, doc in enumerate(docs):
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", doc.stem).strip("_") or f"table_{i + 1}"
        name = f"{stem}.csv"
        if name in names:
            name = f"{stem}_{i + 1}.csv"
        names.append(name)
    return names


def csv_suffix(docs: Sequence[TableDoc]) -> str:
    """The download's suffix: tables.csv for one table, tables.zip for several."""
    if len(docs) == 1:
        return f"{docs[0].stem}.csv"
    return "tables_csv.zip"
