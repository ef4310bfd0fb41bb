"""A Dataset as bytes for the shared tab store: typed columns, never pickle.

A frame is one JSON header line, then its columns' buffers back to back:

    {"format": "medstat-frame/1", "rows", "index": [start, step],
     "columns": [{"label", "dtype", "parts": [[kind, length], ...], ...}]}\\n<buffers>

The rest of a Dataset (name, fingerprint, column kinds and labels, notes, how it was read) is
`meta_json`: stored apart, since a label edit changes it and not the frame.

Numbers, booleans and the codes of categories are their little-endian bytes (read back with
numpy.frombuffer at a dtype from a short list, so nothing in them is ever executed); nullable
columns add a mask; dates are int64 ticks of their unit (NaT included) and their time zone; a
category's levels and a text column's values are JSON. Every length is checked against the
header and the rows before anything is built: a value that does not add up is a CodecError.
pyarrow would do the same at ~100 MB of install; the frames MedStat reads hold only these kinds.
"""

from __future__ import annotations

import json
import re
from typing import Any

import numpy as np
import pandas as pd

from utils import codec
from utils.dataset import ColumnMeta, Dataset

FORMAT = "medstat-dataset/1"
FRAME_FORMAT = "medstat-frame/1"
MAX_HEADER = 64 * 2**20  # the header holds text columns' values: bounded by the value's bound
_NUMERIC = re.compile(r"^(bool|u?int(8|16|32|64)|float(32|64))$")
_MASKED = re.compile(r"^(boolean|U?Int(8|16|32|64)|Float(32|64))$")
_DATES = re.compile(r"^datetime64\[(s|ms|us|ns)(, [A-Za-z0-9_/+\-]+)?\]$")
_TEXT = re.compile(r"^(object|str|string)$")
_CODES = ("int8", "int16", "int32", "int64")


def dumps(ds: Dataset) -> bytes:
    """The Dataset's bytes: its description (a JSON line), then its frame."""
    return meta_json(ds).encode("utf-8") + b"\n" + dump_frame(ds.df)


def loads(raw: bytes, allowed: dict[str, type] | None = None) -> Dataset:
    """The Dataset of dumps(); CodecError for anything that is not one."""
    end = raw.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise codec.CodecError("not a stored data set")
    return with_meta(load_frame(raw[end + 1 :]), raw[:end], allowed)


def meta_json(ds: Dataset) -> str:
    """Everything of a Dataset but its frame, as JSON: small, and it changes with a label edit
    (which keeps the fingerprint), so it is stored apart from the frame."""
    return json.dumps(
        {
            "format": FORMAT,
            "name": ds.name,
            "fingerprint": ds.fingerprint,
            "meta": [
                [m.name, m.kind, m.label, list(m.levels), m.n_missing] for m in ds.columns.values()
            ],
            "notes": list(ds.notes),
            "separator": ds.separator,
            "decimal": ds.decimal,
            "read_options": codec.encode(ds.read_options),
            "steps": codec.encode(ds.steps),
        },
        allow_nan=False,
        separators=(",", ":"),
    )


def with_meta(
    df: pd.DataFrame, text: str | bytes, allowed: dict[str, type] | None = None
) -> Dataset:
    """The Dataset of meta_json() over its frame; CodecError if they do not belong together.
    `allowed`: the step types a Dataset's `steps` may hold (utils/codec.py's allow-list)."""
    try:
        header = json.loads(text)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise codec.CodecError("not a stored data set")
        meta = _columns(header)
        if list(meta) != [str(c) for c in df.columns]:
            raise codec.CodecError("stored data set's columns and their descriptions differ")
        return Dataset(
            df,
            name=str(header["name"]),
            fingerprint=str(header["fingerprint"]),
            columns=meta,
            notes=tuple(str(n) for n in _list(header["notes"])),
            separator=str(header["separator"]),
            decimal=str(header["decimal"]),
            read_options=codec.decode(header["read_options"], allowed or {}),
            steps=codec.decode(header["steps"], allowed or {}),
        )
    except codec.CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise codec.CodecError(f"damaged stored data set: {type(exc).__name__}: {exc}") from None


def columns_of(text: str | bytes) -> dict[str, ColumnMeta]:
    """The column kinds and labels of a meta_json(); CodecError if it is not one."""
    try:
        header = json.loads(text)
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise codec.CodecError("not a stored data set")
        return _columns(header)
    except codec.CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise codec.CodecError(f"damaged stored data set: {type(exc).__name__}: {exc}") from None


def _columns(header: dict) -> dict[str, ColumnMeta]:
    meta = {}
    for name, kind, label, levels, n_missing in _list(header["meta"]):
        meta[str(name)] = ColumnMeta(
            str(name), str(kind), str(label), tuple(str(v) for v in levels), int(n_missing)
        )  # type: ignore[arg-type]
    return meta


def dump_frame(df: pd.DataFrame) -> bytes:
    """A frame's bytes; CodecError for a column or index this format does not hold."""
    if isinstance(df.columns, pd.MultiIndex) or not isinstance(df.index, pd.RangeIndex):
        raise codec.CodecError("only a table with a plain row index is stored")
    buffers: list[bytes] = []
    columns = [_dump_column(df.iloc[:, i], buffers) for i in range(df.shape[1])]
    header = {
        "format": FRAME_FORMAT,
        "rows": len(df),
        "index": [df.index.start, df.index.step],
        "columns": columns,
    }
    head = json.dumps(header, allow_nan=False, separators=(",", ":")).encode("utf-8")
    return head + b"\n" + b"".join(buffers)


def load_frame(raw: bytes) -> pd.DataFrame:
    """The frame of dump_frame(); CodecError for anything that is not one."""
    end = raw.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise codec.CodecError("not a stored table")
    try:
        header = json.loads(raw[:end])
        if not isinstance(header, dict) or header.get("format") != FRAME_FORMAT:
            raise codec.CodecError("not a stored table")
        return _build(header, memoryview(raw)[end + 1 :])
    except codec.CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise codec.CodecError(f"damaged stored table: {type(exc).__name__}: {exc}") from None


def _dump_column(col: pd.Series, buffers: list[bytes]) -> dict[str, Any]:
    dtype = str(col.dtype)
    out: dict[str, Any] = {"label": codec.encode(col.name), "dtype": dtype, "parts": []}

    def add(kind: str, data: bytes) -> None:
        buffers.append(data)
        out["parts"].append([kind, len(data)])

    if _NUMERIC.match(dtype):
        add("values", _le(col.to_numpy()).tobytes())
    elif _MASKED.match(dtype):
        arr = col.array
        add("values", _le(arr._data).tobytes())  # masked arrays: the values and where missing
        add("mask", np.asarray(arr._mask, dtype=bool).tobytes())
    elif _DATES.match(dtype):
        ticks = col.dt.tz_convert("UTC").dt.tz_localize(None) if col.dt.tz is not None else col
        add("values", _le(ticks.to_numpy().view("int64")).tobytes())
    elif dtype == "category":
        codes = col.cat.codes.to_numpy()
        out["categories"] = [codec.encode(c) for c in col.cat.categories]
        out["categories_dtype"] = str(col.cat.categories.dtype)
        out["ordered"] = bool(col.cat.ordered)
        out["codes"] = str(codes.dtype)
        add("values", _le(codes).tobytes())
    elif _TEXT.match(dtype):
        values = col.tolist()
        plain = all(v is None or type(v) is str for v in values)
        out["tagged"] = not plain
        items = values if plain else [codec.encode(v) for v in values]
        add("json", json.dumps(items, allow_nan=False, separators=(",", ":")).encode("utf-8"))
    else:
        raise codec.CodecError(f"a column of dtype {dtype} is not stored")
    return out


def _build(header: dict, body: memoryview) -> pd.DataFrame:
    rows = int(header["rows"])
    start, step = (int(v) for v in header["index"])
    if rows < 0 or step == 0:
        raise codec.CodecError("bad stored row index")
    index = pd.RangeIndex(start, start + rows * step, step)
    at = 0
    data: dict[int, pd.Series] = {}
    labels = []
    for i, spec in enumerate(_list(header["columns"])):
        parts = {}
        for kind, length in _list(spec["parts"]):
            length = int(length)
            if length < 0 or at + length > len(body):
                raise codec.CodecError("stored table is shorter than its header says")
            parts[str(kind)] = body[at : at + length]
            at += length
        labels.append(codec.decode(spec["label"], {}))
        data[i] = _load_column(spec, parts, rows, index)
    if at != len(body):
        raise codec.CodecError("stored table is longer than its header says")
    df = pd.DataFrame(data, index=index)
    df.columns = pd.Index(labels)
    return df


def _load_column(spec: dict, parts: dict, rows: int, index: pd.Index) -> pd.Series:
    dtype = str(spec["dtype"])
    if _NUMERIC.match(dtype):
        return pd.Series(_array(parts["values"], np.dtype(dtype), rows), index=index)
    if _MASKED.match(dtype):
        numpy_type = pd.api.types.pandas_dtype(dtype).numpy_dtype
        values = _array(parts["values"], numpy_type, rows)
        mask = _array(parts["mask"], np.dtype(bool), rows)
        return pd.Series(pd.array(values, dtype=dtype).copy(), index=index).mask(mask)
    match = _DATES.match(dtype)
    if match:
        ticks = _array(parts["values"], np.dtype("int64"), rows).view(f"M8[{match.group(1)}]")
        series = pd.Series(ticks, index=index)
        zone = match.group(2)
        return series.dt.tz_localize("UTC").dt.tz_convert(zone[2:]) if zone else series
    if dtype == "category":
        codes_type = str(spec["codes"])
        if codes_type not in _CODES:
            raise codec.CodecError("bad stored category codes")
        codes = _array(parts["values"], np.dtype(codes_type), rows)
        categories = [codec.decode(c, {}) for c in _list(spec["categories"])]
        if codes.size and (codes.min() < -1 or codes.max() >= len(categories)):
            raise codec.CodecError("stored category codes out of range")
        levels = pd.Index(categories, dtype=_category_dtype(spec.get("categories_dtype")))
        cat = pd.Categorical.from_codes(codes, categories=levels, ordered=bool(spec["ordered"]))
        return pd.Series(cat, index=index)
    if _TEXT.match(dtype):
        items = _list(json.loads(bytes(parts["json"])))
        if len(items) != rows:
            raise codec.CodecError("stored text column has the wrong length")
        if spec.get("tagged"):
            items = [codec.decode(v, {}) for v in items]
        return pd.Series(items, index=index, dtype=dtype)
    raise codec.CodecError(f"stored column of dtype {dtype[:40]!r}")


def _array(buffer: memoryview, dtype: np.dtype, rows: int) -> np.ndarray:
    dtype = dtype.newbyteorder("<")
    if len(buffer) != rows * dtype.itemsize:
        raise codec.CodecError("stored column has the wrong length")
    return np.frombuffer(buffer, dtype=dtype).astype(dtype.newbyteorder("="))  # a writable copy


def _le(values: np.ndarray) -> np.ndarray:
    return values.astype(values.dtype.newbyteorder("<"), copy=False)


def _category_dtype(name: Any) -> Any:
    name = str(name)
    if _NUMERIC.match(name) or _TEXT.match(name):
        return name
    raise codec.CodecError("bad stored category levels")


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise codec.CodecError("expected a list in a stored data set")
    return value
