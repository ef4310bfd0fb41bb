"""Files a hostile user would upload, made in code (fixed seeds, streamed, small on disk):
workbooks whose sheets unpack to far more than they weigh, very wide CSVs, and a codebook
with thousands of variables. Shared by bench/hostile.py and tests/hostile/."""

from __future__ import annotations

import zipfile
from pathlib import Path

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Data" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def column_letters(index: int) -> str:
    """1 -> A, 27 -> AA (Excel's column names)."""
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_xlsx(
    path: Path,
    rows: int,
    cols: int,
    *,
    strings: int = 0,
    string_length: int = 12,
    dimension: str | None = None,
) -> Path:
    """A workbook of a header row and rows x cols numbers, streamed into a deflated zip.

    `strings` > 0 adds a shared-strings table of that many distinct strings of
    `string_length` characters, and the sheet's cells point into it (a text-heavy sheet).
    `dimension` writes a <dimension ref=...> that may lie about the sheet's extent.
    """
    letters = [column_letters(j + 1) for j in range(cols)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _WORKBOOK)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(f'<sst xmlns="{_MAIN}" count="{strings}" uniqueCount="{strings}">'.encode())
            for k in range(strings):
                text = f"s{k:0{string_length - 1}d}"[:string_length]
                part.write(f"<si><t>{text}</t></si>".encode())
            part.write(b"</sst>")
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(f'<worksheet xmlns="{_MAIN}">'.encode())
            if dimension:
                part.write(f'<dimension ref="{dimension}"/>'.encode())
            part.write(b"<sheetData>")
            header = "".join(
                f'<c r="{letters[j]}1" t="inlineStr"><is><t>v{j}</t></is></c>' for j in range(cols)
            )
            part.write(f'<row r="1">{header}</row>'.encode())
            for i in range(2, rows + 2):
                if strings:
                    cells = "".join(
                        f'<c r="{letters[j]}{i}" t="s"><v>{(i * cols + j) % strings}</v></c>'
                        for j in range(cols)
                    )
                else:
                    cells = "".join(
                        f'<c r="{letters[j]}{i}"><v>{(i + j) % 97}</v></c>' for j in range(cols)
                    )
                part.write(f'<row r="{i}">{cells}</row>'.encode())
            part.write(b"</sheetData></worksheet>")
    return path


def write_wide_csv(path: Path, cols: int, rows: int = 20) -> Path:
    """A CSV of `cols` numeric columns (v0, v1, ...) and a few rows."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(",".join(f"v{j}" for j in range(cols)) + "\n")
        for i in range(rows):
            handle.write(",".join(str((i + j) % 7) for j in range(cols)) + "\n")
    return path


def write_text_csv(path: Path, megabytes: float, seed: int = 3) -> Path:
    """A text-heavy CSV of about `megabytes` MB: short codes in every cell, as a registry
    export of free-text answers would look (the worst case for pandas' memory)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    cols = 12
    header = ",".join(f"q{j}" for j in range(cols)) + "\n"
    words = np.array([f"w{k:03d}" for k in range(1000)], dtype=object)
    target = int(megabytes * 2**20)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header)
        written = len(header)
        while written < target:
            block = rng.choice(words, size=(5000, cols))
            text = "\n".join(",".join(row) for row in block) + "\n"
            handle.write(text)
            written += len(text)
    return path


def write_codebook(path: Path, variables: int) -> Path:
    """A codebook CSV of `variables` variables named like the wide CSV's columns, labelled."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("variable,label,type,values\n")
        for k in range(variables):
            handle.write(f"var_{k},Measurement number {k} (units),numeric,\n")
    return path
