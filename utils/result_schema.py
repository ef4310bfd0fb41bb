"""Whether stored field values have the types their result dataclass declares.

The shared tier rebuilds results written by other workers. A value signed with the right secret
can still have been written by another version of a result type (a field that was a number is
now a table); building it would hand every later reader an object that breaks its page. The
codec asks `check_fields` before it builds a dataclass, so such a value is refused as a miss.

Checked: the annotation of every field given, recursively through unions, Optional, Literal,
tuple[...], list[...], dict[...] and Mapping[...]; a class annotation by isinstance (a float
field also takes an int; a bool is not an int). Annotations this module cannot read (a
Callable, a TypeVar) accept any value: the allow-list already bounds what can be built.

A table (a DataFrame field) of the right type can still lack a column its page reads, or carry
one a download would write out: where the class declares its tables' columns
(`TABLE_COLUMNS`, a mapping of field name to column names), a stored table must have exactly
those columns (in any order).
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing
from typing import Any

import pandas as pd


class SchemaError(ValueError):
    """A stored field's value is not of its declared type."""


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    try:
        return typing.get_type_hints(cls)
    except (NameError, TypeError):  # an annotation that names an import-time-only type
        return {}


def check_fields(cls: type, values: dict[str, Any]) -> None:
    """Raise SchemaError when a value does not conform to its field's declared type."""
    hints = _hints(cls)
    for name, value in values.items():
        hint = hints.get(name, Any)
        if not conforms(value, hint):
            shown = getattr(hint, "__name__", None) or str(hint)
            raise SchemaError(
                f"stored {cls.__name__}.{name} is a {type(value).__name__}, not {shown[:60]}"
            )
    _check_columns(cls, values)


def _check_columns(cls: type, values: dict[str, Any]) -> None:
    declared = getattr(cls, "TABLE_COLUMNS", None) or {}
    for name, expected in declared.items():
        table = values.get(name)
        if not isinstance(table, pd.DataFrame):
            continue
        found = list(table.columns)
        missing = [c for c in expected if c not in found]
        unexpected = [str(c)[:40] for c in found if c not in expected]
        if missing or unexpected or len(found) != len(expected):
            raise SchemaError(
                f"stored {cls.__name__}.{name} has other columns than declared"
                f" (missing {missing[:5]}, unexpected {unexpected[:5]})"
            )


def conforms(value: Any, hint: Any) -> bool:
    """Whether value is of the type an annotation declares (see the module docstring)."""
    if hint is Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Union or isinstance(hint, types.UnionType):
        return any(conforms(value, a) for a in args)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is tuple:
        return isinstance(value, tuple) and _items(value, args)
    if origin is list:
        return isinstance(value, list) and all(conforms(v, args[0]) for v in value)
    if origin in (dict, collections.abc.Mapping):
        return isinstance(value, dict) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if origin is not None or not isinstance(hint, type):
        return True  # Callable, TypeVar, ...: not a data type this module checks
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, hint)


def _items(value: tuple, args: tuple) -> bool:
    if not args:
        return True
    if len(args) == 2 and args[1] is Ellipsis:
        return all(conforms(v, args[0]) for v in value)
    return len(value) == len(args) and all(conforms(v, a) for v, a in zip(value, args))
