"""What a page may send for each kind of input, checked where every module reads an input.

A browser can send any JSON for any input id over the websocket, a list or a dict where a select
sends a string. Read unchecked, such a value raised deep in a reactive (`list in dict`,
`.strip()` of a dict), which closes the sender's session and writes a traceback to the log. So
modules read inputs only through `read(input, id, kind)`: a value of the wrong type is ignored
(the reader gets `missing`, as if nothing had been sent) and one line is logged for it. The
line names the input and the type, never the value (it may be large, or someone's data).

The analysis-tab framework reads through here with each control's own kind (controls.py,
per_column.py); the data and cleaning tabs and the session token read through here too.
"""

from __future__ import annotations

import logging
import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)


def _text(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _choices(v: Any) -> bool:
    return v is None or (isinstance(v, (list, tuple)) and all(isinstance(x, str) for x in v))


def _number(v: Any) -> bool:
    """None (an emptied box) or a finite number a float can hold: a crafted 400-digit integer
    or an infinity is not something a numeric box sends."""
    if v is None:
        return True
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def _flag(v: Any) -> bool:
    return isinstance(v, bool)


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, bool, int, float))


_FILE_FIELDS = {"name": str, "size": int, "type": str, "datapath": str}


def _files(v: Any) -> bool:
    return (
        isinstance(v, (list, tuple))
        and len(v) > 0
        and all(
            isinstance(f, Mapping)
            and all(isinstance(f.get(k), t) for k, t in _FILE_FIELDS.items())
            and not isinstance(f.get("size"), bool)
            for f in v
        )
    )


@dataclass(frozen=True)
class Kind:
    """A kind of input and the values its widget sends."""

    name: str
    accepts: Callable[[Any], bool]


TEXT = Kind("text (a string)", _text)  # text box, select of one, radio buttons
CHOICES = Kind("choices (a list of strings)", _choices)  # selectize of several, checkbox group
NUMBER = Kind("a number", _number)  # numeric box (None when emptied)
FLAG = Kind("true/false", _flag)  # one checkbox
SCALAR = Kind("a single value", _scalar)  # a family of inputs read by one callback
FILES = Kind("uploaded files", _files)  # a file input, as Shiny sets it after an upload
# What a tab's controls showed when Run was pressed (www/run_shown.js): values by input id.
SHOWN = Kind(
    "an object of values by input id",
    lambda v: v is None or (isinstance(v, Mapping) and all(isinstance(k, str) for k in v)),
)

# The last value each input was refused for, so that a value read many times is logged once.
# Keyed weakly by Shiny's reactive value of the input: it goes with its session.
_refused: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()


def read(input: Any, input_id: str, kind: Kind, missing: Any = None) -> Any:
    """The value the page sent for input_id if it is of the kind's type; else `missing`."""
    if input_id not in input:
        return missing
    source = input[input_id]
    value = source()
    if kind.accepts(value):
        return value
    try:
        if _refused.get(source, _refused) is value:
            return missing
        _refused[source] = value
    except TypeError:  # a reactive value that cannot be weakly referenced: log every read
        pass
    log.warning(
        "input %s ignored: the page sent a %s where %s is expected",
        _full_id(input, input_id),
        type(value).__name__,
        kind.name,
    )
    return missing


def _full_id(input: Any, input_id: str) -> str:
    """The id as the page sends it (a module's inputs are read without its namespace)."""
    ns = getattr(input, "_ns", None)
    return str(ns(input_id)) if callable(ns) else input_id
