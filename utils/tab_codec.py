"""A browser tab's saved state as JSON for the shared tab store: codec-tagged, never pickle.

One part of a tab's state (its data, cleaning steps, a tab's settings, a tab's last run) is one
stored value. Every Dataset inside a part is written as a `StoredDataset`: its description
(name, fingerprint, kinds, labels) in the part, its frame apart, under its fingerprint, once
for every tab holding the same data (utils/dataset_codec.py). A tab's last run is a
`StoredRun`: the result and spec the page is drawn from, not the page itself (a view is rebuilt
from them by the tab, modules/shared/tab_server.py). Decoding builds only allow-listed types
(utils/codec.py); a Dataset whose frame is not found comes back as None, with its reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from utils import codec, dataset_codec
from utils.dataset import Dataset

FORMAT = "medstat-tab-part/1"


@dataclass(frozen=True)
class StoredDataset:
    """A Dataset in a stored part: its description; its frame is stored under its fingerprint
    (`frame` False: it was over the bound, or could not be stored, and was left out)."""

    fingerprint: str
    meta: str
    frame: bool


@dataclass(frozen=True)
class StoredRun:
    """What a tab's last successful run is stored as: the page is rebuilt from it."""

    result: Any
    spec: Any
    fingerprint: str
    seconds: float


@dataclass(frozen=True)
class DataLost:
    """Where a restored part held a Dataset that could not come back: why (too large, expired,
    damaged, unreachable), and the data's fingerprint and name (the same file uploaded again
    is recognised by its fingerprint)."""

    reason: str
    fingerprint: str = ""
    name: str = ""
    meta: str = ""  # its description (utils/dataset_codec.meta_json)


MARKERS = (StoredDataset, StoredRun)


def encode_part(value: Any, store_frame: Callable[[Dataset], bool]) -> bytes:
    """A part as JSON bytes; `store_frame(ds)` stores a Dataset's frame (or finds it stored)
    and says whether it is there. CodecError if something in it cannot be stored."""
    body = {"format": FORMAT, "value": codec.encode(_out(value, store_frame))}
    return json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8")


def decode_part(raw: bytes, allowed: Mapping[str, type]) -> Any:
    """A part of encode_part(), its Datasets still StoredDatasets; CodecError otherwise."""
    try:
        body = json.loads(raw)
        if not isinstance(body, dict) or body.get("format") != FORMAT:
            raise codec.CodecError("not a stored part of a tab")
        value = codec.decode(body["value"], {**allowed, **_MARKER_NAMES})
    except codec.CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, RecursionError) as exc:
        raise codec.CodecError(f"damaged tab part: {type(exc).__name__}: {exc}") from None
    return value


_MARKER_NAMES = {codec.type_name(t): t for t in MARKERS}


def _out(value: Any, store_frame: Callable[[Any], bool]) -> Any:
    if isinstance(value, StoredDataset):  # restored, its frame not read yet: still stored
        return StoredDataset(value.fingerprint, value.meta, value.frame and store_frame(value))
    if isinstance(value, Dataset):
        stored = store_frame(value)
        return StoredDataset(value.fingerprint, dataset_codec.meta_json(value), stored)
    if isinstance(value, tuple):
        return tuple(_out(v, store_frame) for v in value)
    if isinstance(value, list):
        return [_out(v, store_frame) for v in value]
    if isinstance(value, dict):
        return {k: _out(v, store_frame) for k, v in value.items()}
    return value


def dataset(
    stored: StoredDataset, allowed: Mapping[str, type], load_frame: Callable[[str], Any]
) -> Dataset | DataLost:
    """The Dataset a StoredDataset stands for, or DataLost when `load_frame(fingerprint)`
    gives a reason (str) instead of a frame; CodecError when its description is damaged."""
    frame = load_frame(stored.fingerprint) if stored.frame else "too large"
    if isinstance(frame, str):
        return DataLost(frame, stored.fingerprint, _name(stored.meta), stored.meta)
    return dataset_codec.with_meta(frame, stored.meta, dict(allowed))


def _name(meta: str) -> str:
    try:
        name = json.loads(meta).get("name", "")
    except (ValueError, AttributeError):
        return ""
    return name if isinstance(name, str) else ""


def stored_in(value: Any) -> StoredDataset | None:
    """The first StoredDataset in a restored part, if any."""
    if isinstance(value, StoredDataset):
        return value
    if isinstance(value, (tuple, list)):
        return next((found for v in value if (found := stored_in(v)) is not None), None)
    if isinstance(value, dict):
        return stored_in(tuple(value.values()))
    return None
