"""The first sheet of an .xlsx workbook, read within bounds that hold while it is read.

An .xlsx is a ZIP of XML parts: a 741 KB upload can unpack to 200 MB of sheet XML, which
openpyxl parses at about 3 MB of XML per CPU-second (bench/read_memory.py). So the parts are
measured from the ZIP's directory before openpyxl touches them (their sizes are what the ZIP
will decompress: zipfile stops at the declared size and checks the CRC), every byte openpyxl
then decompresses is counted against the same bound and passes a cancellation checkpoint, and
the sheet is streamed (openpyxl's read-only mode) with a budget of cells, so a sheet stops
at the first cell past the limit instead of after the whole file.
"""

from __future__ import annotations

import io
import logging
import os
import posixpath
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO
from xml.etree import ElementTree

import pandas as pd

from analyses.cancellation import checkpoint
from utils.data_error import DataError
from utils.file_types import SAVE_AS

log = logging.getLogger(__name__)

MB = 2**20
# workbook.xml and its relationships name the sheets: a few KB in any real workbook.
INDEX_PART_LIMIT = 2 * MB
FIRST_SHEET = "xl/worksheets/sheet1.xml"
SHEET_HEADS = 16 * MB
# Cells that are errors in Excel (data_type 'e'); pandas reads them as missing, so do we.
ERROR_VALUES = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"))
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# What openpyxl parses when it opens a workbook in read-only mode, besides the first sheet.
_OPENED_AT_LOAD = re.compile(
    r"^(\[Content_Types\]\.xml|_rels/\.rels|xl/workbook\.xml|xl/_rels/workbook\.xml\.rels|"
    r"xl/styles\.xml|xl/theme/[^/]+\.xml|docProps/[^/]+\.xml|xl/[^/]*sharedStrings[^/]*\.xml)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WorkbookShape:
    """What the ZIP's directory says about the parts a read would parse (unpacked bytes)."""

    sheet_part: str
    sheet_bytes: int  # the first sheet's XML
    strings_bytes: int  # the shared-strings table, parsed whole when the workbook opens
    other_bytes: int  # the other parts parsed when the workbook opens (styles, theme, ...)

    @property
    def xml_bytes(self) -> int:
        """Everything a read would decompress and parse."""
        return self.sheet_bytes + self.strings_bytes + self.other_bytes

    @property
    def allowance(self) -> int:
        """What openpyxl may decompress in all: it reads the head of every sheet for its
        dimensions when it opens the workbook, and the first sheet again to stream it."""
        return 2 * self.xml_bytes + SHEET_HEADS


def inspect(source: str | os.PathLike | BinaryIO) -> WorkbookShape:
    """The sizes of the parts a read of the first sheet would parse, from the ZIP's directory
    and the (small, bounded) workbook index; nothing is parsed by openpyxl yet."""
    try:
        with zipfile.ZipFile(source) as archive:
            sizes = {info.filename: info.file_size for info in archive.infolist()}
            sheet = _first_sheet_part(archive, sizes)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError):
        raise DataError(f"This Excel file could not be opened. {SAVE_AS}") from None
    strings = sum(s for n, s in sizes.items() if "sharedstrings" in n.lower())
    other = sum(
        s for n, s in sizes.items() if _OPENED_AT_LOAD.match(n) and "sharedstrings" not in n.lower()
    )
    return WorkbookShape(sheet, sizes.get(sheet, 0), strings, other)


def _first_sheet_part(archive: zipfile.ZipFile, sizes: dict[str, int]) -> str:
    """The ZIP path of the workbook's first sheet, from workbook.xml and its relationships
    (Excel's usual path when those do not say)."""
    if "xl/_rels/workbook.xml.rels" not in sizes and FIRST_SHEET in sizes:
        return FIRST_SHEET
    for name in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if sizes.get(name, 0) > INDEX_PART_LIMIT:
            raise DataError(f"This Excel file's index is larger than any workbook's. {SAVE_AS}")
    # The parser openpyxl itself uses on these parts: expat >= 2.4 bounds entity expansion, and
    # ElementTree never fetches external entities. Both parts are size-checked just above.
    book = ElementTree.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    first = book.find(f"{_MAIN}sheets/{_MAIN}sheet")
    if first is None:
        raise DataError(f"This Excel file has no sheets. {SAVE_AS}")
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels.iter(f"{_PKG_REL}Relationship"):
        if rel.get("Id") == first.get(_REL):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
            return posixpath.normpath(path)
    raise DataError(f"This Excel file's first sheet is missing. {SAVE_AS}")


class _MeteredZip(zipfile.ZipFile):
    """A ZipFile whose members count every byte read against one shared allowance and pass a
    cancellation checkpoint on each read: openpyxl parses through it."""

    def __init__(self, file: io.BytesIO, allowance: int) -> None:
        super().__init__(file)
        self.allowance = allowance
        self.read_bytes = 0

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):  # type: ignore[override]
        member = super().open(name, mode, pwd, force_zip64=force_zip64)
        return _MeteredMember(member, self) if mode == "r" else member


class _MeteredMember(io.RawIOBase):
    def __init__(self, member, owner: _MeteredZip) -> None:
        self._member = member
        self._owner = owner

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        checkpoint()
        chunk = self._member.read(size)
        self._owner.read_bytes += len(chunk)
        if self._owner.read_bytes > self._owner.allowance:
            raise _OverAllowance
        return chunk

    def readinto(self, buffer) -> int:
        chunk = self.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._member.close()
        super().close()


class _OverAllowance(Exception):
    """openpyxl decompressed more than the directory announced for the parts it reads."""


def read_first_sheet(
    data: bytes,
    shape: WorkbookShape,
    *,
    max_cells: int,
    too_many: Callable[[int], DataError],
) -> tuple[pd.DataFrame, list[str]]:
    """The first sheet as pandas reads it (header=None, keep_default_na=False), and the sheet
    names. Streams the rows; past `max_cells` cells (empty ones and the padding of short rows
    count: each costs as much to build) it stops and raises too_many(max_cells)."""
    from openpyxl.reader.excel import ExcelReader

    try:
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        reader.archive.close()
        reader.archive = _MeteredZip(io.BytesIO(data), allowance=shape.allowance)
        reader.valid_files = reader.archive.namelist()
        reader.read()
        book = reader.wb
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # a declared extent may lie; read what is there
        rows = _bounded_rows(sheet, max_cells, too_many)
        names = list(book.sheetnames)
        book.close()
    except DataError:
        raise
    except _OverAllowance:
        log.info("xlsx refused: opening it unpacked over %d bytes", shape.allowance)
        raise DataError(
            "Opening this workbook unpacks far more than its first sheet (other sheets or "
            f"parts hold large data before their cells). {SAVE_AS}"
        ) from None
    except Exception as exc:  # openpyxl raises many types on damaged or unusual files
        log.info("xlsx not readable: %s", type(exc).__name__)
        raise DataError(f"This Excel file could not be opened. {SAVE_AS}") from None
    return _frame(rows), names


def _bounded_rows(sheet, max_cells: int, too_many: Callable[[int], DataError]) -> list[list]:
    """The sheet's rows converted as pandas converts cells; trailing empties trimmed."""
    rows: list[list] = []
    cells = 0
    last_filled = -1
    for number, row in enumerate(sheet.iter_rows(values_only=True)):
        cells += max(1, len(row))
        if cells > max_cells:
            raise too_many(max_cells)
        if number % 1024 == 0:
            checkpoint()
        converted = [_cell(v) for v in row]
        while converted and converted[-1] == "":
            converted.pop()
        if converted:
            last_filled = number
        rows.append(converted)
    del rows[last_filled + 1 :]
    return rows


def _cell(value: object) -> object:
    """pandas' openpyxl conversion: empty -> '', errors -> NaN, whole floats -> int."""
    if value is None:
        return ""
    if type(value) is float:
        return int(value) if value.is_integer() else value
    if type(value) is str and value in ERROR_VALUES:
        return float("nan")
    return value


def _frame(rows: list[list]) -> pd.DataFrame:
    """The rows as pandas.read_excel(header=None, keep_default_na=False) builds its frame."""
    from pandas.io.parsers import TextParser

    if not rows:
        return pd.DataFrame()
    width = max(len(r) for r in rows)
    for r in rows:
        if len(r) < width:
            r.extend([""] * (width - len(r)))
    return TextParser(rows, header=None, skip_blank_lines=False, keep_default_na=False).read()
