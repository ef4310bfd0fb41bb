"""What kind of file an upload is, from its first bytes: a workbook, text, or something else.

Names lie (a PNG renamed .csv, an .xlsx saved as .csv), so only the content decides. Files
that are not tables get a message that says what the file is and what to upload instead.
"""

from __future__ import annotations

import io
import os
import zipfile
from typing import BinaryIO

from utils.data_error import DataError

SAVE_AS = "Open it in Excel or LibreOffice and save it as 'CSV UTF-8' or .xlsx, then upload that."
# Known file signatures that are not tables, with what the user should do instead.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "This is a PNG image, not a table. Upload the data as a CSV or .xlsx file."),
    (b"\xff\xd8\xff", "This is a JPEG image, not a table. Upload the data as a CSV or .xlsx file."),
    (b"GIF8", "This is a GIF image, not a table. Upload the data as a CSV or .xlsx file."),
    (
        b"%PDF",
        "This is a PDF document, not a table. Export the data as CSV or .xlsx and upload it.",
    ),
    (
        b"\x1f\x8b",
        "This is a compressed (gzip) file. Decompress it and upload the CSV or .xlsx inside.",
    ),
    (b"BZh", "This is a compressed (bzip2) file. Decompress it and upload the CSV inside."),
    (b"\xfd7zXZ\x00", "This is a compressed (xz) file. Decompress it and upload the CSV inside."),
    (b"7z\xbc\xaf", "This is a 7-Zip archive. Extract it and upload the CSV or .xlsx inside."),
    (b"Rar!", "This is a RAR archive. Extract it and upload the CSV or .xlsx inside."),
    (
        b"\xd0\xcf\x11\xe0",
        "This is an old-format Excel (.xls) or Office file, or a password-protected workbook. "
        "Open it in Excel or LibreOffice, save it as .xlsx (without a password) or "
        "'CSV UTF-8', and upload that.",
    ),
    (
        b"$FL2",
        "This is an SPSS data file (.sav). In SPSS use File > Export to save it as CSV or "
        "Excel, then upload that.",
    ),
    (b"$FL3", "This is an SPSS data file (.sav). Export it from SPSS as CSV or Excel first."),
    (b"<stata_dta>", "This is a Stata data file (.dta). In Stata use `export delimited`."),
    (b"SQLite format 3\x00", "This is an SQLite database. Export the table you need as CSV."),
    (b"PAR1", "This is a Parquet file. Convert it to CSV first."),
    (b"{\\rtf", "This is a Word/RTF document. Copy the table into Excel and save it as .xlsx."),
)


def detect_container(data: bytes) -> str:
    """'xlsx' or 'text' from the content (not the name); DataError for anything else."""
    head = data[:64]
    for magic, message in _SIGNATURES:
        if head.startswith(magic):
            raise DataError(message)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return zip_kind(io.BytesIO(data))
    start = _markup_start(data[:4096])
    if start.startswith(_HTML_STARTS):
        raise DataError(
            "This is a web page (HTML), not a table. If you saved it from a browser, download "
            "the data itself as CSV or .xlsx and upload that."
        )
    if start.startswith(b"<?xml"):
        raise DataError(f"This is an XML file, not a table. {SAVE_AS}")
    return "text"


# How a saved web page begins, once a BOM, blank lines and <!-- comments --> are skipped.
_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<table", b"<meta", b"<title")


def _markup_start(head: bytes) -> bytes:
    """The head lower-cased, without a BOM, leading blanks and leading HTML comments.

    Browsers save pages with a "<!-- saved from url=... -->" line first.
    """
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    while text.startswith(b"<!--") and b"-->" in text:
        text = text[text.index(b"-->") + 3 :].lstrip(b" \t\r\n")
    return text


def zip_kind(source: str | os.PathLike | BinaryIO) -> str:
    """'xlsx' for a workbook; DataError saying what any other ZIP is (read from its directory)."""
    try:
        with zipfile.ZipFile(source) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise DataError(f"This looks like a damaged ZIP or Excel file. {SAVE_AS}") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if any(name.startswith("word/") for name in names):
        raise DataError("This is a Word document. Copy the table into Excel and save as .xlsx.")
    if "content.xml" in names:
        raise DataError(f"This is an OpenDocument (LibreOffice) file. {SAVE_AS}")
    raise DataError("This is a ZIP archive. Extract it and upload the CSV or .xlsx inside.")
