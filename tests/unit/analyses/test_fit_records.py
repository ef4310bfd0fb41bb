"""Fit records are frozen, typed dataclasses: no dict catch-all, hashable, on every result."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from analyses import results
from analyses.fit_records import FIT_RECORDS

RESULT_CLASSES = [
    t
    for t in vars(results).values()
    if isinstance(t, type) and dataclasses.is_dataclass(t) and t.__module__ == results.__name__
]
# Annotation words that would let an untyped bag of values back in.
LOOSE = ("dict", "Mapping", "Any", "list", "object")


def _example(cls):
    """An instance with a plausible value of each field's first type (None where allowed)."""
    values = {}
    for f in dataclasses.fields(cls):
        hint = typing.get_type_hints(cls)[f.name]
        origin = typing.get_origin(hint)
        first = typing.get_args(hint)[0] if origin not in (None, tuple) else hint
        values[f.name] = {str: "x", int: 1, float: 0.5, bool: True}.get(first, ("a",))
        if type(None) in typing.get_args(hint):
            values[f.name] = None
    return cls(**values)


@pytest.mark.parametrize("cls", FIT_RECORDS, ids=lambda c: c.__name__)
def test_fit_record_is_a_frozen_dataclass_without_a_dict_catch_all(cls):
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    for f in dataclasses.fields(cls):
        assert not any(word in str(f.type) for word in LOOSE), f"{cls.__name__}.{f.name}"
        if f.default is not dataclasses.MISSING:
            assert f.default is None or f.default == (), f"{cls.__name__}.{f.name}"
        assert f.default_factory is dataclasses.MISSING  # no mutable defaults
    record = _example(cls)
    hash(record)  # only immutable values: a record can be a dict key or a set member
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.n_rows = 0  # type: ignore[misc]


@pytest.mark.parametrize("cls", RESULT_CLASSES, ids=lambda c: c.__name__)
def test_every_result_carries_one_fit_record_and_no_dict(cls):
    hints = typing.get_type_hints(cls)
    records = [name for name, hint in hints.items() if hint in FIT_RECORDS]
    assert len(records) == 1, cls.__name__
    assert not any(typing.get_origin(h) is dict or h is dict for h in hints.values())


def test_each_fit_record_belongs_to_one_result():
    carried = [h for cls in RESULT_CLASSES for h in typing.get_type_hints(cls).values()]
    assert sorted(c.__name__ for c in FIT_RECORDS) == sorted(
        h.__name__ for h in carried if h in FIT_RECORDS
    )
