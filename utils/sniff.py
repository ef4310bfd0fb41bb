"""Look at a text file's bytes and decide how to read it: encoding, separator, decimal mark.

Everything here works on the bytes already in memory, never on a decoded copy of the whole
file: decoding is checked chunk by chunk and byte statistics come from a numpy view.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np

from utils import config
from utils.data_error import DataError
from utils.file_types import SAVE_AS
from utils.table_tidy import MISSING_CODES

SAMPLE_BYTES = 1 << 20  # byte statistics and the Thai test look at the first 1 MB
TEXT_SAMPLE_BYTES = 64 * 1024  # separator and decimal sniffing read the first 64 KB
SAMPLE_LINES = 6  # ... or the header and five rows whole, when those are longer (wide files)
_CHUNK = 1 << 20
SEPARATORS = (",", ";", "\t", "|")
SEPARATOR_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}
ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 (with byte-order mark)",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16",
    "utf-16-be": "UTF-16",
    "utf-32": "UTF-32",
    "cp874": "Thai (Windows-874)",
    "cp1252": "Windows-1252",
    "latin-1": "Latin-1",
}


@dataclass(frozen=True)
class TextLayout:
    """How to parse a text table: encoding, separator, decimal mark, lines before the header."""

    encoding: str
    sep: str
    decimal: str
    skip_lines: int  # lines above the header: blank ones, or Excel's "sep=;" hint
    header: tuple[str, ...]  # the header row as written (before cleaning)
    text_columns: tuple[int, ...]  # positions whose values have leading zeros: keep as text
    missing_codes: frozenset[str]  # missing-value codes seen in the sample, as written
    # The rows below the header in the sample, as split (for the memory estimate).
    body: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# Bytes a code page leaves undefined; a file holding them is not in that code page.
_CP874_UNDEFINED = frozenset(b for b in range(0x80, 0x100) if not _decodes(bytes([b]), "cp874"))
_CP1252_UNDEFINED = frozenset(b for b in range(0x80, 0x100) if not _decodes(bytes([b]), "cp1252"))


def sniff_encoding(data: bytes) -> str:
    """The text encoding: a BOM if any, else UTF-8 if valid, else Thai or Western single-byte."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            _check_decodes(data, encoding)
            return encoding
    unmarked = _utf16_without_bom(data[:4096])
    if unmarked:
        _check_decodes(data, unmarked)
        return unmarked
    counts = byte_counts(data)
    _reject_binary(counts)
    failed_at = _utf8_error_position(data)
    if failed_at is None:
        return "utf-8"
    # Valid UTF-8 letters well before the first bad byte mean the file mixes encodings:
    # guessing a single-byte code page would garble the part that was right.
    before = np.frombuffer(memoryview(data)[max(0, failed_at - SAMPLE_BYTES) : failed_at], np.uint8)
    if int(np.count_nonzero(before >= 0x80)) >= 40:
        line = data.count(b"\n", 0, failed_at) + 1
        raise DataError(
            f"The text on line {line} is not in the same encoding as the lines before it "
            f"(parts of the file were saved with different settings). {SAVE_AS}"
        )
    present = {b for b in range(0x80, 0x100) if counts[b]}
    if _looks_thai(data[:SAMPLE_BYTES]) and not present & _CP874_UNDEFINED:
        return "cp874"
    return "latin-1" if present & _CP1252_UNDEFINED else "cp1252"


def byte_counts(data: bytes) -> np.ndarray:
    """How often each byte value occurs, counted by chunks (bincount widens to 8 bytes each)."""
    counts = np.zeros(256, dtype=np.int64)
    view = np.frombuffer(data, dtype=np.uint8)
    for start in range(0, len(view), _CHUNK):
        counts += np.bincount(view[start : start + _CHUNK], minlength=256)
    return counts


def _utf16_without_bom(head: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark shows as a NUL in every other byte."""
    if len(head) < 8:
        return None
    even, odd = head[0::2], head[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _reject_binary(counts: np.ndarray) -> None:
    # Text tables hold no NULs and almost no control characters besides tab/newline/CR/FF/^Z.
    control = int(counts[:32].sum() - counts[[9, 10, 12, 13, 26]].sum())
    if counts[0] or control > 0.01 * max(int(counts.sum()), 1):
        raise DataError(
            "This file is not a text table (it holds binary data). Upload the data as a CSV "
            "or .xlsx file."
        )


def _utf8_error_position(data: bytes) -> int | None:
    """Offset of the first byte that is not valid UTF-8, or None; decodes in 1 MB chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        pending = len(decoder.getstate()[0])  # bytes of a character split across chunks
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            return start - pending + exc.start
    return None


def _check_decodes(data: bytes, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    view = memoryview(data)
    for start in range(0, len(data), _CHUNK):
        try:
            decoder.decode(view[start : start + _CHUNK], final=start + _CHUNK >= len(data))
        except UnicodeDecodeError:
            raise DataError(
                f"The file says it is {ENCODING_NAMES[encoding]} text but part of it cannot be "
                f"read that way (it may be damaged or cut short). {SAVE_AS}"
            ) from None


def _looks_thai(sample: bytes) -> bool:
    """Thai in cp874 is runs of bytes in the Thai block; Western accents are single bytes."""
    raw = np.frombuffer(sample, dtype=np.uint8)
    high = raw >= 0x80
    n_high = int(np.count_nonzero(high))
    if n_high == 0:
        return False
    thai = ((raw >= 0xA1) & (raw <= 0xDA)) | ((raw >= 0xDF) & (raw <= 0xFB))
    paired = np.zeros_like(high)
    paired[1:] |= high[1:] & high[:-1]
    paired[:-1] |= high[:-1] & high[1:]
    return np.count_nonzero(thai) >= 0.95 * n_high and np.count_nonzero(paired) >= 0.6 * n_high


def sample_length(data: bytes) -> int:
    """Bytes to sniff: the first 64 KB, or the first SAMPLE_LINES lines whole when they are
    longer (a header of 20,000 columns is ~130 KB), never more than SAMPLE_LINES lines of the
    longest line allowed (MEDSTAT_MAX_LINE_KB)."""
    line_limit = config.settings.max_line_kb * 1024
    end = 0
    for _ in range(SAMPLE_LINES):
        newline = data.find(b"\n", end, end + line_limit + 1)
        if newline < 0:
            break
        end = newline + 1
    return max(min(len(data), TEXT_SAMPLE_BYTES), end)


def text_sample(data: bytes, encoding: str) -> str:
    """The first ~64 KB (or first lines, see sample_length) decoded, cut at a line end when
    the file is longer."""
    length = sample_length(data)
    whole = len(data) <= length
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(data[:length], final=whole)
    end = max(text.rfind("\n"), text.rfind("\r"))  # old Mac files end lines with CR alone
    if not whole and end >= 0:
        text = text[: end + 1]
    return text


def sniff_layout(data: bytes, encoding: str) -> TextLayout:
    """Separator, decimal mark, header and leading-zero columns from the start of the text."""
    text = text_sample(data, encoding).lstrip("\ufeff")
    skip = 0
    hint = re.match(r"\s*sep=(.)[ \t]*(\r\n|\r|\n)", text)
    if hint:
        sep, skip, text = hint.group(1), 1, text[hint.end() :]
    else:
        sep = _best_separator(text)
    records = _records(text, sep, 200)
    filled = [i for i, row in enumerate(records) if any(cell.strip() for cell in row)]
    if not filled:
        raise DataError("The file is empty. Upload a table with column names in the first row.")
    skip += filled[0]  # blank lines above the header
    header, body = records[filled[0]], [records[i] for i in filled[1:]]
    decimal = "," if sep != "," and _decimal_comma(body) else "."
    text_columns = tuple(i for i in range(len(header)) if _fixed_width_code(body, i))
    cells = {cell.strip() for row in body for cell in row}
    return TextLayout(
        encoding,
        sep,
        decimal,
        skip,
        tuple(header),
        text_columns,
        frozenset(c for c in cells if c and c.lower() in MISSING_CODES),
        tuple(tuple(row) for row in body),
    )


def _fixed_width_code(rows: list[list[str]], position: int) -> bool:
    """Digits of one width with leading zeros (HN 000123): a code whose zeros must stay."""
    values = [r[position].strip() for r in rows if position < len(r)]
    values = [v for v in values if v and v.lower() not in MISSING_CODES]
    return (
        bool(values)
        and all(v.isdigit() and v.isascii() and len(v) == len(values[0]) > 1 for v in values)
        and any(v.startswith("0") for v in values)
    )


def _records(text: str, sep: str, limit: int) -> list[list[str]]:
    # newline="": lines may end in \n, \r\n or a lone \r (Excel for Mac), as for a csv file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"')
    rows = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        pass  # a quote left open in the sample: judge on the rows before it
    return rows


def _best_separator(text: str) -> str:
    """The separator that splits the header into >1 field and the most rows the same way."""
    best, best_key = ",", None
    for rank, sep in enumerate(SEPARATORS):
        rows = [row for row in _records(text, sep, 50) if row]
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        consistency = sum(len(row) == width for row in rows) / len(rows)
        key = (round(consistency, 2), width, -rank)
        if best_key is None or key > best_key:
            best, best_key = sep, key
    return best


def _decimal_comma(rows: list[list[str]]) -> bool:
    comma = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
    point = re.compile(r"^\s*[-+]?\d+\.\d+\s*$")
    cells = [cell for row in rows for cell in row]
    n_comma = sum(bool(comma.match(c)) for c in cells)
    return n_comma > 0 and n_comma > sum(bool(point.match(c)) for c in cells)
