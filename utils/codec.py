"""Safe serialization of results for a shared store: JSON with type tags, never pickle.

A result is a frozen dataclass of DataFrames, dicts, tuples, lists, numbers, strings and None.
Decoding builds only dataclass types the caller allows, so bytes planted in a shared store can
at worst be rejected as a miss: nothing in them is imported, called or unpickled, and a
dataclass is built only from field values of the types it declares (utils/result_schema.py).

Encoded form: JSON scalars stand for themselves (finite floats, ints, strings, bools, null);
every JSON object carries a "$" tag (tuple, dict, float for NaN/inf, frame, dataclass, ...).
DataFrames are stored split-style (columns, index, data) but column by column, each with its
dtype, so that tables round-trip with their dtypes.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from utils.result_schema import SchemaError, check_fields

# Column dtypes we write and will rebuild; anything else in stored text is rejected.
_DTYPE = re.compile(
    r"^(bool|boolean|object|str|string|category|u?int(8|16|32|64)|U?Int(8|16|32|64)"
    r"|float(32|64)|Float(32|64)|datetime64\[(s|ms|us|ns)(, [A-Za-z0-9_/+\-]+)?\])$"
)
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class CodecError(ValueError):
    """A value cannot be encoded, or stored text is not a result this codec wrote."""


def type_name(cls: type) -> str:
    """The name a dataclass type is stored under: module.qualname."""
    return f"{cls.__module__}.{cls.__qualname__}"


def to_json(obj: Any) -> str:
    """A result as JSON text."""
    return json.dumps(encode(obj), allow_nan=False, separators=(",", ":"))


def from_json(text: str | bytes, allowed: Iterable[type]) -> Any:
    """Rebuild a result from JSON text; only dataclass types in `allowed` are constructed."""
    registry = {type_name(cls): cls for cls in allowed}
    try:
        data = json.loads(text)
        return decode(data, registry)
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise CodecError(f"not a stored result: {type(exc).__name__}: {exc}") from None


def encode(obj: Any) -> Any:
    """A JSON-able structure for obj (see the module docstring for the tags)."""
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else {"$": "float", "v": repr(float(obj))}
    if isinstance(obj, np.generic):
        return encode(obj.item())
    if isinstance(obj, pd.DataFrame):
        return _encode_frame(obj)
    if obj is pd.NA:
        return {"$": "na"}
    if obj is pd.NaT:
        return {"$": "nat"}
    if isinstance(obj, (pd.Timestamp, datetime, date)):
        return {"$": "ts", "v": pd.Timestamp(obj).isoformat()}
    if isinstance(obj, tuple):
        return {"$": "tuple", "v": [encode(v) for v in obj]}
    if isinstance(obj, list):
        return [encode(v) for v in obj]
    if isinstance(obj, dict):
        return {"$": "dict", "v": [[encode(k), encode(v)] for k, v in obj.items()]}
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "biuf":
        return {"$": "array", "dtype": obj.dtype.str, "shape": list(obj.shape), "v": _flat(obj)}
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        fields = {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj) if f.init}
        return {"$": "dataclass", "type": type_name(type(obj)), "v": fields}
    raise CodecError(f"cannot store a {type(obj).__name__} in the shared cache")


def decode(data: Any, allowed: Mapping[str, type]) -> Any:
    """Inverse of encode(); `allowed` maps stored type names to the dataclasses to build."""
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [decode(v, allowed) for v in data]
    if not isinstance(data, dict):
        raise CodecError(f"unexpected {type(data).__name__} in stored result")
    tag = data.get("$")
    if tag == "float":
        try:
            return _NONFINITE[data["v"]]
        except KeyError:
            raise CodecError("bad non-finite float") from None
    if tag == "tuple":
        return tuple(decode(v, allowed) for v in _list(data["v"]))
    if tag == "dict":
        return {_hashable(decode(k, allowed)): decode(v, allowed) for k, v in _pairs(data["v"])}
    if tag == "na":
        return pd.NA
    if tag == "nat":
        return pd.NaT
    if tag == "ts":
        return pd.Timestamp(_str(data["v"]))
    if tag == "array":
        return _decode_array(data)
    if tag == "frame":
        return _decode_frame(data, allowed)
    if tag == "dataclass":
        return _decode_dataclass(data, allowed)
    raise CodecError(f"unknown tag {str(tag)[:40]!r} in stored result")


def _flat(values: np.ndarray) -> list[Any]:
    return [encode(v) for v in values.ravel().tolist()]


def _decode_array(data: dict) -> np.ndarray:
    dtype = np.dtype(_str(data["dtype"]))
    if dtype.kind not in "biuf":
        raise CodecError("bad array dtype")
    values = [_NONFINITE[v["v"]] if isinstance(v, dict) else v for v in _list(data["v"])]
    return np.array(values, dtype=dtype).reshape([int(n) for n in _list(data["shape"])])


def _encode_frame(df: pd.DataFrame) -> dict:
    if isinstance(df.columns, pd.MultiIndex) or isinstance(df.index, pd.MultiIndex):
        raise CodecError("cannot store a DataFrame with a MultiIndex")
    dtypes = [str(t) for t in df.dtypes]
    for dtype in dtypes:
        if not _DTYPE.match(dtype):
            raise CodecError(f"cannot store a DataFrame column of dtype {dtype}")
    return {
        "$": "frame",
        "columns": [encode(c) for c in df.columns],
        "columns_name": encode(df.columns.name),
        "index": _encode_index(df.index),
        "dtypes": dtypes,
        "data": [_encode_column(df.iloc[:, i]) for i in range(df.shape[1])],
    }


def _encode_column(col: pd.Series) -> Any:
    if isinstance(col.dtype, pd.CategoricalDtype):
        return {
            "categories": [encode(c) for c in col.cat.categories],
            "ordered": bool(col.cat.ordered),
            "codes": col.cat.codes.tolist(),
        }
    if col.dtype.kind == "M":
        return [None if pd.isna(v) else v.isoformat() for v in col]
    return [encode(v) for v in col.tolist()]


def _encode_index(index: pd.Index) -> dict:
    if isinstance(index, pd.RangeIndex):
        return {"range": [index.start, index.stop, index.step], "name": encode(index.name)}
    dtype = str(index.dtype)
    if not _DTYPE.match(dtype) or dtype == "category" or dtype.startswith("datetime"):
        raise CodecError(f"cannot store a DataFrame index of dtype {dtype}")
    return {
        "values": [encode(v) for v in index.tolist()],
        "dtype": dtype,
        "name": encode(index.name),
    }


def _decode_frame(data: dict, allowed: Mapping[str, type]) -> pd.DataFrame:
    labels = [_hashable(decode(c, allowed)) for c in _list(data["columns"])]
    dtypes = [_str(t) for t in _list(data["dtypes"])]
    columns = _list(data["data"])
    if not (len(labels) == len(dtypes) == len(columns)):
        raise CodecError("stored DataFrame has mismatched columns")
    index = _decode_index(data["index"], allowed)
    built = {}
    for i, (dtype, values) in enumerate(zip(dtypes, columns)):
        if not _DTYPE.match(dtype):
            raise CodecError(f"stored DataFrame has a column of dtype {dtype[:40]!r}")
        built[i] = _decode_column(dtype, values, index, allowed)
    df = pd.DataFrame(built, index=index)
    df.columns = pd.Index(labels, name=_hashable(decode(data.get("columns_name"), allowed)))
    return df


def _decode_column(dtype: str, values: Any, index: pd.Index, allowed: Mapping[str, type]):
    if dtype == "category":
        if not isinstance(values, dict):
            raise CodecError("bad categorical column")
        categories = [decode(c, allowed) for c in _list(values["categories"])]
        codes = [int(c) for c in _list(values["codes"])]
        cat = pd.Categorical.from_codes(
            codes, categories=categories, ordered=bool(values["ordered"])
        )
        return pd.Series(cat, index=index)
    items = _list(values)
    if len(items) != len(index):
        raise CodecError("stored DataFrame column has the wrong length")
    if dtype.startswith("datetime64"):
        return pd.Series([None if v is None else _str(v) for v in items], index=index, dtype=dtype)
    return pd.Series([decode(v, allowed) for v in items], index=index, dtype=dtype)


def _decode_index(data: Any, allowed: Mapping[str, type]) -> pd.Index:
    if not isinstance(data, dict):
        raise CodecError("bad stored index")
    name = _hashable(decode(data.get("name"), allowed))
    if "range" in data:
        start, stop, step = (int(v) for v in _list(data["range"]))
        return pd.RangeIndex(start, stop, step, name=name)
    dtype = _str(data["dtype"])
    if not _DTYPE.match(dtype) or dtype == "category" or dtype.startswith("datetime"):
        raise CodecError("bad stored index dtype")
    return pd.Index([decode(v, allowed) for v in _list(data["values"])], dtype=dtype, name=name)


def _decode_dataclass(data: dict, allowed: Mapping[str, type]) -> Any:
    name = _str(data["type"])
    cls = allowed.get(name)
    if cls is None:
        raise CodecError(f"stored type {name[:80]!r} is not on the allow-list")
    values = data["v"]
    if not isinstance(values, dict):
        raise CodecError("bad stored dataclass fields")
    known = {f.name for f in dataclasses.fields(cls) if f.init}
    unknown = set(values) - known
    if unknown:
        raise CodecError(f"stored {cls.__name__} has unknown fields")
    fields = {k: decode(v, allowed) for k, v in values.items()}
    try:
        check_fields(cls, fields)  # before anything is built from them
    except SchemaError as exc:
        raise CodecError(str(exc)) from None
    return cls(**fields)


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise CodecError("expected a list in stored result")
    return value


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise CodecError("expected a string in stored result")
    return value


def _pairs(value: Any) -> list:
    pairs = _list(value)
    if not all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raise CodecError("bad stored dict")
    return pairs


def _hashable(value: Any) -> Any:
    if isinstance(value, list):  # a tuple key comes back as a tuple; a bare list cannot be a key
        raise CodecError("bad stored key")
    return value
