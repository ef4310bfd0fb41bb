"""Data input: a CSV/TSV/text or .xlsx file (path, bytes or file object) into a Dataset.

The file's bytes are read once, sniffed in place (format, encoding, separator) and parsed by
pandas' C engine straight from them; the fingerprint is taken from the same bytes, so no
request ever hashes the DataFrame.
"""

from __future__ import annotations

import io
import logging
import os
import re
import time
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from utils import config, file_types, read_limits, sniff, xlsx_read
from utils.column_kinds import infer_columns
from utils.data_error import DataError
from utils.dataset import Dataset, fingerprint_bytes, fingerprint_frame
from utils.dataset_edits import with_kind, with_label
from utils.frame_key import FrameMemo
from utils.table_tidy import (
    PARSER_NA_VALUES,
    clean_names,
    drop_empty,
    infinite_to_missing,
    tidy_frame,
    unnamed_note,
)

__all__ = [
    "DataError",
    "dataset_from_frame",
    "infer_columns",
    "read_table",
    "with_kind",
    "with_label",
]

log = logging.getLogger(__name__)

# Bump when parsing rules change, so fingerprints (and cached results) of old reads expire.
READER_VERSION = "2"  # 2: integer scales and site codes get their own kinds
_MB = 1024 * 1024

Source = str | os.PathLike | bytes | bytearray | memoryview | BinaryIO


def _store_factors_compactly(df: pd.DataFrame, columns: dict) -> pd.DataFrame:
    """The frame with its text columns of few values held as pandas categories.

    Without pyarrow every text cell is its own Python object: a two-level column of 100k rows
    takes ~6 MB as text and ~0.1 MB as a category (a 100k-row clinical file: 57 -> 12 MB).
    The values are unchanged; only their storage is. The frame is built once: setting one
    column at a time copies the frame's column index each time, quadratic in a wide file.
    """
    stored = []
    for position, meta in enumerate(columns.values()):
        column = df.iloc[:, position]
        if meta.kind in ("binary", "categorical") and not pd.api.types.is_numeric_dtype(column):
            column = column.astype("category")
        stored.append(column)
    if not any(isinstance(c.dtype, pd.CategoricalDtype) for c in stored):
        return df
    out = pd.concat(stored, axis=1)
    out.columns = df.columns
    return out


def read_table(source: Source, name: str | None = None) -> Dataset:
    """Read a CSV/TSV/text or .xlsx table into a Dataset, with notes on what was done."""
    started = time.perf_counter()
    data, default_name = _read_bytes(source)
    label = name or default_name
    if _blank(data):
        raise DataError("The file is empty. Upload a table with column names in the first row.")
    read_limits.plan_bytes(data)  # over a limit (columns, values, lines, unpacked size): refused
    suffix = Path(label).suffix.lower()
    if file_types.detect_container(data) == "xlsx":
        df, options, notes = _parse_xlsx(data)
        if suffix and suffix not in (".xlsx", ".xlsm"):
            notes.insert(0, f"The file is named '{suffix}' but is an Excel workbook.")
    else:
        df, options, notes = _parse_text(data)
        if suffix in (".xlsx", ".xls", ".xlsm"):
            notes.insert(0, f"The file is named '{suffix}' but holds plain text; read it as text.")
    fingerprint = fingerprint_bytes(data, READER_VERSION, options)
    del data  # the bytes are not needed past this point; let a large upload go early
    columns = infer_columns(df)
    df = _store_factors_compactly(df, columns)
    dataset = Dataset(
        df=df, name=label, fingerprint=fingerprint, columns=columns, notes=tuple(notes)
    )
    log.info(
        "read table %d rows x %d columns in %.1f ms",
        len(df),
        df.shape[1],
        (time.perf_counter() - started) * 1000,
    )
    return dataset


def _blank(data: bytes) -> bool:
    """Nothing but spaces, line ends, NULs and byte-order marks (the head is checked first)."""
    padding = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
    return not data[:4096].strip(padding) and not data.strip(padding)


def _read_bytes(source: Source) -> tuple[bytes, str]:
    """The file's bytes and a default name, refusing a file over the limit before reading it."""
    limit = config.settings.max_upload_mb * _MB
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            read_limits.check_size(path.stat().st_size)
            return path.read_bytes(), path.name
        except (FileNotFoundError, IsADirectoryError):
            raise DataError(f"The file '{path.name}' was not found. Upload it again.") from None
    if isinstance(source, (bytes, bytearray, memoryview)):
        read_limits.check_size(len(source))
        return bytes(source), "data"
    name = Path(str(getattr(source, "name", "") or "data")).name
    if hasattr(source, "seekable") and source.seekable():
        here = source.tell()
        read_limits.check_size(source.seek(0, io.SEEK_END) - here)
        source.seek(here)
        data = source.read()
    else:
        data = _read_capped(source, int(limit) + 1)
        read_limits.check_size(len(data))
    if isinstance(data, str):
        raise TypeError("read_table needs a binary file object (open the file with 'rb')")
    return bytes(data), name


def _read_capped(stream: BinaryIO, cap: int) -> bytes:
    """Read a stream to its end but never more than `cap` bytes (raw reads may come short)."""
    chunks, total = [], 0
    while total < cap:
        chunk = stream.read(min(_MB, cap - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _parse_text(data: bytes) -> tuple[pd.DataFrame, tuple, list[str]]:
    encoding = sniff.sniff_encoding(data)
    layout = sniff.sniff_layout(data, encoding)
    names, notes, unnamed = clean_names(layout.header)
    try:
        df = pd.read_csv(
            io.BytesIO(data),
            sep=layout.sep,
            decimal=layout.decimal,
            encoding=encoding,
            header=None,
            skiprows=layout.skip_lines + 1,
            index_col=False,  # never turn a first column into the index on ragged rows
            na_values=PARSER_NA_VALUES,
            keep_default_na=False,  # pandas' own list has 'None', a real answer in clinical data
            dtype=dict.fromkeys(layout.text_columns, "str") or None,
            quotechar='"',
            engine="c",
        )
    except pd.errors.EmptyDataError:
        df = pd.DataFrame(columns=range(len(names)))
    except pd.errors.ParserError as exc:
        raise DataError(_ragged_message(str(exc), layout.sep)) from None
    except UnicodeDecodeError:
        raise DataError(
            f"Part of the file cannot be read as {sniff.ENCODING_NAMES[encoding]} text. "
            f"{file_types.SAVE_AS}"
        ) from None
    if df.shape[1] > len(names):
        extra = df.iloc[:, len(names) :]
        if extra.notna().any().any():
            raise DataError(
                f"Some rows have more values than there are column names ({len(names)}). A "
                f"value probably contains the separator ({sniff.SEPARATOR_NAMES[layout.sep]}) "
                "without quotes around it, or a column has no name. Fix those rows and upload "
                "again."
            )
        df = df.iloc[:, : len(names)]
    for position in range(df.shape[1], len(names)):
        df[position] = float("nan")  # a named column that no row reaches
    df.columns = names
    keep_text = {names[i] for i in layout.text_columns if i < len(names)}
    df, tidy_notes = _tidy(df, unnamed, layout.decimal, keep_text, layout.missing_codes)
    described = f"Read as {sniff.ENCODING_NAMES[encoding]} text"
    if df.shape[1] > 1:
        described += f" with {sniff.SEPARATOR_NAMES[layout.sep]} separators"
    if layout.decimal == ",":
        described += " and decimal commas"
    options = ("text", encoding, layout.sep, layout.decimal, layout.skip_lines, layout.text_columns)
    return df, options, [described + ".", *notes, *tidy_notes]


def _ragged_message(error: str, sep: str) -> str:
    """A pandas 'Expected 3 fields in line 7, saw 4' error in words a user can act on."""
    open_quote = re.search(r"EOF inside string starting at row (\d+)", error)
    if open_quote:
        # pandas counts rows from 0 over the whole file, so row 6 is line 7.
        return (
            f'A quote mark (") on line {int(open_quote.group(1)) + 1} of the file is never '
            "closed, so everything after it would be read as one value. Remove that quote mark "
            "(or add the closing one) and upload again."
        )
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", error)
    where = (
        f"Line {found.group(2)} of the file has {found.group(3)} values where the rows above "
        f"have {found.group(1)}. "
        if found
        else "Some rows have a different number of values from the rows above. "
    )
    return (
        where + f"A value probably contains the separator ({sniff.SEPARATOR_NAMES[sep]}) without "
        "quotes around it. Fix that row (or put quotes around such values) and upload again."
    )


def _parse_xlsx(data: bytes) -> tuple[pd.DataFrame, tuple, list[str]]:
    shape = xlsx_read.inspect(io.BytesIO(data))
    raw, sheets = xlsx_read.read_first_sheet(
        data,
        shape,
        max_cells=config.settings.xlsx_max_cells,
        too_many=read_limits.too_many_cells,
    )
    filled = raw.notna().any(axis=1).to_numpy().nonzero()[0]
    if len(filled) == 0:
        raise DataError(
            f"The first sheet ('{sheets[0]}') is empty. Put the table on the first sheet, with "
            "column names in the first row."
        )
    header = raw.iloc[filled[0]].tolist()
    names, notes, unnamed = clean_names(header)
    df = raw.iloc[filled[0] + 1 :].reset_index(drop=True)
    del raw
    df.columns = names
    df = df.infer_objects()
    df, tidy_notes = _tidy(df, unnamed, ".", set(), ())
    read = f"Read the first sheet ('{sheets[0]}') of an Excel workbook"
    read += f"; it has {len(sheets)} sheets, the others were not read." if len(sheets) > 1 else "."
    return df, ("xlsx", sheets[0]), [read, *notes, *tidy_notes]


def _tidy(
    df: pd.DataFrame, unnamed: set[str], decimal: str, keep_text: set[str], codes_seen
) -> tuple[pd.DataFrame, list[str]]:
    """Shared clean-up of a parsed table; refuses a table with no data rows."""
    df, drop_notes = drop_empty(df, unnamed)
    if len(df) == 0:
        raise DataError(
            "The file has column names but no rows of data. Add the data below the header "
            "row and upload again."
        )
    if df.shape[1] < 1:
        raise DataError("The file has no columns. Upload a table with column names in row 1.")
    df, notes = tidy_frame(df, decimal, keep_text, codes_seen)
    notes += infinite_to_missing(df)
    empty = [str(c) for c in df.columns if df[c].isna().all()]
    if empty:
        notes.append(f"Column(s) {', '.join(repr(c) for c in empty[:5])} have no values.")
    named = unnamed_note([c for c in df.columns if c in unnamed])
    return df, [*named, *drop_notes, *notes]


# The Python API's repeat calls with an unchanged DataFrame (utils/frame_key.py).
FRAMES = FrameMemo()


def dataset_from_frame(df: pd.DataFrame, name: str = "data") -> Dataset:
    """A Dataset of a DataFrame built in code: fingerprinted and described once per content
    (found again by its buffers when the same frame comes back)."""
    names, fingerprint, columns, notes = FRAMES.get(df, describe_frame)
    if names != list(df.columns):
        df = df.set_axis(names, axis=1)  # a shallow relabel; the data is not copied
    return Dataset(df=df, name=name, fingerprint=fingerprint, columns=columns, notes=notes)


def describe_frame(df: pd.DataFrame) -> tuple[list[str], str, dict, tuple[str, ...]]:
    """The cleaned names, content fingerprint, column meta and notes of a frame."""
    names, notes, unnamed = clean_names(df.columns, strip=False)
    notes = unnamed_note([n for n in names if n in unnamed]) + notes
    if names != list(df.columns):
        df = df.set_axis(names, axis=1)
    return names, fingerprint_frame(df), infer_columns(df), tuple(notes)
