"""A cheap key for "this DataFrame, as it is now": the Python API's repeat calls skip the
content fingerprint and the column description when the frame has not changed.

`logic.analyze_outcome(df, ...)` is called again and again with the same DataFrame (a
notebook, a script looping over outcomes). Its content fingerprint hashes every value
(`pd.util.hash_pandas_object`, ~10 ms at 100k rows) and describing its columns reads every
value again (~25 ms); a cache hit then costs 40 ms of which the look-up is a fraction.

The key here reads the column buffers instead of the values:
- a number, date, boolean or nullable column: the digest of its bytes (and mask): its content;
- a text column (an object array of Python strings): the digest of its array of object
  addresses. Equal addresses mean the very same string objects only while those objects are
  alive, so a memo entry holds a shallow copy of each such array (8 bytes a row, the strings
  are shared, not copied): while the entry exists its strings cannot be freed and their
  addresses cannot be reused by other text. A frame whose text was replaced, even by equal
  text, gets a new key: that costs a full fingerprint, never a wrong result.
- any other column type: no key (the caller computes the fingerprint as before).
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xxhash
from cachetools import LRUCache

FrameKey = tuple

# A few frames: a script works on one or two at a time; each entry holds 8 bytes a text cell.
MEMO_FRAMES = 4


def _buffer_digest(array: np.ndarray) -> str:
    """The digest of an array's memory: values for numbers, addresses for objects."""
    array = np.ascontiguousarray(array)
    if array.dtype == object:  # numpy offers no buffer of an object array: read its pointers
        raw = ctypes.string_at(array.__array_interface__["data"][0], array.nbytes)
    else:
        raw = array.view(np.uint8)  # dates too: numpy gives them no buffer of their own
    return xxhash.xxh3_128_hexdigest(raw)


def _column_part(values: Any, held: list[np.ndarray]) -> tuple | None:
    """(dtype, digests) of one column's buffers, or None for a type not read here."""
    if isinstance(values, pd.Categorical):
        categories = _column_part(values.categories.array, held)
        if categories is None:
            return None
        return ("category", values.ordered, _buffer_digest(values.codes), categories)
    data = getattr(values, "_data", None)
    mask = getattr(values, "_mask", None)
    if isinstance(data, np.ndarray) and isinstance(mask, np.ndarray):  # nullable Int64, boolean
        return (str(values.dtype), _buffer_digest(data), _buffer_digest(mask))
    if not isinstance(values, (np.ndarray, pd.api.extensions.ExtensionArray)):
        return None
    array = np.asarray(values)
    if array.dtype.kind not in "biufcmMO":
        return None
    if array.dtype == object:
        if not isinstance(values, (np.ndarray, pd.arrays.NumpyExtensionArray)):
            return None  # made afresh on each read (intervals): its addresses say nothing
        held.append(array)
    return (str(values.dtype), _buffer_digest(array))


def frame_key(df: pd.DataFrame) -> tuple[FrameKey, list[np.ndarray]] | None:
    """The frame's key and its object arrays (an entry under the key holds copies of them);
    None if a column (or the index) is of a type this does not read."""
    held: list[np.ndarray] = []
    parts: list[tuple] = [tuple(map(str, df.columns))]
    index = df.index
    if isinstance(index, pd.RangeIndex):
        parts.append(("range", index.start, index.stop, index.step))
    else:
        part = _column_part(index.array, held)
        if part is None:
            return None
        parts.append(part)
    for position in range(df.shape[1]):
        part = _column_part(df.iloc[:, position].array, held)
        if part is None:
            return None
        parts.append(part)
    return tuple(parts), held


class FrameMemo:
    """What was computed from a DataFrame's content, found again by its buffers' key."""

    def __init__(self, frames: int = MEMO_FRAMES) -> None:
        self._entries: LRUCache = LRUCache(maxsize=frames)
        self._lock = threading.Lock()

    def get(self, df: pd.DataFrame, compute: Callable[[pd.DataFrame], Any]) -> Any:
        """`compute(df)` once per content the buffers identify; a frame of a type the key
        cannot read is computed every time."""
        keyed = frame_key(df)
        if keyed is None:
            return compute(df)
        key, held = keyed
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None:
            return entry[0]
        value = compute(df)
        with self._lock:
            # Shallow copies: they keep the strings alive, so their addresses stay theirs.
            self._entries[key] = (value, [array.copy() for array in held])
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
