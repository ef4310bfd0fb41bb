"""What reading one upload will cost, known before it is read: the file's shape (lines,
columns, values; a workbook's unpacked parts), the limits it must keep, and the memory the read
will take, estimated per format from measurements (bench/read_memory.py, OPTIMIZATION.md).

Every refusal names the limit that applies and its variable, so that a user knows what to
change and an administrator what to raise.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from utils import config, sniff, xlsx_read
from utils.data_error import DataError
from utils.file_types import detect_container, zip_kind
from utils.table_tidy import MISSING_CODES

MB = 2**20
_CHUNK = 1 << 20
HEAD_BYTES = 1 << 20  # sniffing reads at most this much before the whole file is admitted
SAMPLE_ROWS = 20_000  # rows of the head whose values the memory estimate looks at

# Peak RSS growth of data_io.read_table, fitted on bench/read_memory.py (see OPTIMIZATION.md):
# the file's bytes (held while parsing, plus pandas' parse buffers), a number, a text value
# (a Python str object and its pointer while pandas parses; stored compactly afterwards), and
# each character of text; a workbook's cells as openpyxl streams them and its shared strings.
TEXT_BASE_MB = 8.0
TEXT_PER_BYTE = 2.0
TEXT_PER_COLUMN = 4096.0
TEXT_PER_NUMBER = 10.0
TEXT_PER_TEXT = 12.0
TEXT_PER_STRING = 80.0
TEXT_PER_CHAR = 1.0
XLSX_BASE_MB = 12.0
XLSX_PER_CELL = 90.0
XLSX_PER_STRINGS_BYTE = 5.0
XLSX_MIN_CELL_BYTES = 20  # '<c r="A2"><v>3</v></c>': the fewest XML bytes a value takes


@dataclass(frozen=True)
class ReadPlan:
    """An upload's shape and the memory its read is estimated to take."""

    kind: str  # "text" or "xlsx"
    size: int  # bytes of the file
    rows: int  # lines of text below the header (an upper bound: quoted line breaks count)
    columns: int  # columns of the header (0 for a workbook: known only once read)
    cells: int  # values to parse (a workbook: an upper bound from its XML)
    need_mb: float  # estimated peak memory of the read

    def describe(self) -> str:
        """For the log: the shape and the estimate."""
        return (
            f"{self.kind} {self.size / MB:.1f} MB, {self.rows} rows x {self.columns} columns, "
            f"~{self.cells} values, needs ~{self.need_mb:.0f} MB"
        )


def plan_path(path: str | os.PathLike) -> ReadPlan:
    """The plan of a file on disk, reading only its head and streaming its lines (a workbook:
    its ZIP directory), so nothing big is held before the read is admitted."""
    path = Path(path)
    size = path.stat().st_size
    check_size(size)
    with open(path, "rb") as handle:
        head = handle.read(HEAD_BYTES)
    if _is_zip(head):
        return plan_workbook(path, size)
    return _plan_text(_whole_lines(head, size), size, _file_chunks(path))


def plan_bytes(data: bytes) -> ReadPlan:
    """The plan of a file already in memory (data_io.read_table checks every read with it)."""
    check_size(len(data))
    if _is_zip(data[:8]):
        return plan_workbook(data, len(data))
    view = memoryview(data)
    chunks = (view[i : i + _CHUNK] for i in range(0, len(data), _CHUNK))
    return _plan_text(_whole_lines(data[:HEAD_BYTES], len(data)), len(data), chunks)


def _whole_lines(head: bytes, size: int) -> bytes:
    """The head cut after its last line end, so that no character is cut in two (the NULs of a
    UTF-16 or UTF-32 line end are kept with it); the whole head if it is the whole file."""
    end = head.rfind(b"\n") + 1
    if len(head) >= size or end == 0:
        return head
    extra = 0
    while end < len(head) and head[end] == 0 and extra < 3:
        end, extra = end + 1, extra + 1
    return head[:end]


def _is_zip(head: bytes) -> bool:
    return head.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def check_size(size: int) -> None:
    """Refuse a file over MEDSTAT_MAX_UPLOAD_MB, saying its size and the limit."""
    limit = config.settings.max_upload_mb * MB
    if size > limit:
        raise DataError(
            f"The file is {size_text(size)}; MedStat accepts files up to "
            f"{limit / MB:g} MB. Delete the columns and rows the analysis does not need (or "
            "split the file), save it again and upload that. An administrator can raise the "
            "limit with MEDSTAT_MAX_UPLOAD_MB."
        )


def size_text(size: float) -> str:
    return f"{size / MB:.1f} MB" if size >= 0.1 * MB else f"{size / 1024:.0f} KB"


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            yield chunk


# --- text --------------------------------------------------------------------------------


def _plan_text(head: bytes, size: int, chunks: Iterable[bytes]) -> ReadPlan:
    settings = config.settings
    detect_container(head)  # a PDF, an image, a web page: refused by what it is
    encoding = sniff.sniff_encoding(head)
    layout = sniff.sniff_layout(head, encoding)
    columns = len(layout.header)
    if columns > settings.max_columns:
        raise DataError(
            f"This file has {columns:,} columns; MedStat reads files of up to "
            f"{settings.max_columns:,} columns (MEDSTAT_MAX_COLUMNS). Keep the columns the "
            "analysis needs (or split the file by columns) and upload that."
        )
    lines, longest, where = line_shape(chunks)
    if longest > settings.max_line_kb * 1024:
        raise DataError(
            f"Line {where:,} of the file is {size_text(longest)} long; MedStat reads lines of "
            f"up to {settings.max_line_kb:,} KB (MEDSTAT_MAX_LINE_KB). A quote mark that is "
            "never closed, or a file that is not a table, usually causes this."
        )
    rows = max(lines - layout.skip_lines - 1, 0)
    cells = rows * columns
    if cells > settings.max_cells:
        raise DataError(
            f"This file has about {cells:,} values ({rows:,} rows x {columns:,} columns); "
            f"MedStat reads up to {settings.max_cells:,} values from a text file "
            f"(MEDSTAT_MAX_CELLS): about {settings.max_cells // columns:,} rows of these "
            f"{columns:,} columns. Upload only the rows and columns the analysis needs."
        )
    need = text_need_mb(size, rows, layout, head)
    return ReadPlan("text", size, rows, columns, cells, need)


def line_shape(chunks: Iterable[bytes]) -> tuple[int, int, int]:
    """(lines, bytes of the longest line, its line number), counted chunk by chunk with numpy
    (a 50 MB file in ~50 ms, never more than one chunk's positions held)."""
    lines, longest, where = 0, 0, 1
    offset, line_start = 0, 0
    for chunk in chunks:
        ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10) + offset
        if len(ends):
            lengths = np.diff(ends, prepend=line_start - 1) - 1
            k = int(lengths.argmax())
            if lengths[k] > longest:
                longest, where = int(lengths[k]), lines + k + 1
            lines += len(ends)
            line_start = int(ends[-1]) + 1
        offset += len(chunk)
    if offset > line_start:  # a last line without a line end
        lines += 1
        if offset - line_start > longest:
            longest, where = offset - line_start, lines
    return lines, longest, where


def text_need_mb(size: int, rows: int, layout: sniff.TextLayout, head: bytes) -> float:
    """Peak memory of reading a text table: its bytes, each column's own cost, then each value
    by what it is, judged on the file's first MB: a number costs a float; a text value a
    pointer, plus a whole Python string for each distinct one (pandas' parser shares one string
    object among equal values), so a category costs little and an id, a date or free text
    costs a string per row."""
    numbers, texts, strings, chars = _value_mix(layout, _sample_rows(head, layout))
    per_row = (
        numbers * TEXT_PER_NUMBER
        + texts * TEXT_PER_TEXT
        + strings * TEXT_PER_STRING
        + chars * TEXT_PER_CHAR
    )
    columns = len(layout.header) * TEXT_PER_COLUMN
    return TEXT_BASE_MB + (size * TEXT_PER_BYTE + columns + rows * per_row) / MB


def _sample_rows(head: bytes, layout: sniff.TextLayout) -> list[list[str]]:
    """The rows below the header in the file's first MB (at most SAMPLE_ROWS)."""
    text = head.decode(layout.encoding, errors="replace").lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.sep, quotechar='"')
    rows: list[list[str]] = []
    try:
        for number, row in enumerate(reader):
            if number > layout.skip_lines:
                rows.append(row)
                if len(rows) >= SAMPLE_ROWS:
                    break
    except csv.Error:
        pass  # an open quote or an overlong field: judge on the rows before it
    if rows and len(head) >= HEAD_BYTES:
        rows.pop()  # the head ends inside the file: its last row may be cut short
    return rows or [list(r) for r in layout.body]


def _value_mix(
    layout: sniff.TextLayout, rows: list[list[str]]
) -> tuple[float, float, float, float]:
    """Per row of the sample, on average: numbers (missing values count as numbers), text
    values, distinct text values (each a string of its own) and their characters. Without
    sample rows every column is taken to be distinct short text (the costliest guess)."""
    columns = len(layout.header)
    if not rows:
        return 0.0, float(columns), float(columns), 8.0 * columns
    n = len(rows)
    numbers = texts = strings = chars = 0.0
    for j in range(columns):
        values = (row[j].strip() for row in rows if j < len(row))
        text = [v for v in values if v.lower() not in MISSING_CODES]
        text = [v for v in text if not _is_number(v, layout.decimal)]
        numbers += (n - len(text)) / n
        distinct = set(text)
        texts += len(text) / n
        strings += len(distinct) / n
        chars += sum(map(len, distinct)) / n
    return numbers, texts, strings, chars


def _is_number(value: str, decimal: str) -> bool:
    try:
        float(value.replace(decimal, ".") if decimal != "." else value)
    except ValueError:
        return False
    return True


# --- workbooks ---------------------------------------------------------------------------


def plan_workbook(source: str | os.PathLike | bytes, size: int) -> ReadPlan:
    """A workbook's parts measured from its ZIP directory; refused when they unpack past
    MEDSTAT_XLSX_MAX_XML_MB. Its cells are bounded while it is read (MEDSTAT_XLSX_MAX_CELLS)."""
    settings = config.settings
    zip_kind(io.BytesIO(source) if isinstance(source, bytes) else source)  # a .docx says so
    shape = xlsx_read.inspect(io.BytesIO(source) if isinstance(source, bytes) else source)
    limit = settings.xlsx_max_xml_mb * MB
    if shape.xml_bytes > limit:
        raise DataError(
            f"This workbook unpacks to {shape.xml_bytes / MB:,.0f} MB of sheet data; MedStat "
            f"opens workbooks up to {settings.xlsx_max_xml_mb:g} MB unpacked "
            "(MEDSTAT_XLSX_MAX_XML_MB). Save the sheet you need as 'CSV UTF-8' (MedStat reads "
            f"up to {settings.max_cells:,} values from a CSV), or delete unneeded columns, and "
            "upload that."
        )
    cells = min(settings.xlsx_max_cells, shape.sheet_bytes // XLSX_MIN_CELL_BYTES + 1)
    need = (
        XLSX_BASE_MB
        + (cells * XLSX_PER_CELL + shape.strings_bytes * XLSX_PER_STRINGS_BYTE + size * 2) / MB
    )
    return ReadPlan("xlsx", size, 0, 0, cells, need)


def too_many_cells(limit: int) -> DataError:
    """The refusal of a sheet found, while reading it, to hold more than `limit` cells."""
    return DataError(
        f"The first sheet has more than {limit:,} cells (rows x columns, empty cells inside "
        f"the table included); MedStat reads workbooks of up to {limit:,} cells "
        "(MEDSTAT_XLSX_MAX_CELLS). Save the sheet as 'CSV UTF-8' (read up to "
        f"{config.settings.max_cells:,} values), or delete unneeded rows and columns, and "
        "upload that."
    )
