"""htmltools' checks of what a tag's child is, answered by the child's class.

htmltools 0.7.0 asks `isinstance(child, Tagifiable)` and `isinstance(child, ReprHtml)` of every
child of every tag, when the tag is built and again when the page is rendered. Both are
runtime-checkable Protocols, and on Python 3.11 such a check walks the protocol's members on
each call (`typing._ProtocolMeta.__instancecheck__`): half of the 72 ms the Data tab's 50-row
column editor took to build and render on the event loop (cProfile, OPTIMIZATION.md "What set
/healthz's worst answer"). Here the two protocols remember their answer per class (a method of
a class does not come and go between its instances); the first check of a class asks typing.
"""

from __future__ import annotations

import logging
import weakref

import htmltools
from htmltools import _core

log = logging.getLogger(__name__)

_ProtocolMeta = type(_core.Tagifiable)


class _ByClass(_ProtocolMeta):  # type: ignore[misc, valid-type]
    """A protocol's isinstance answered from a cache by the instance's class."""

    def __instancecheck__(cls, instance: object) -> bool:
        answers = _answers[cls]
        kind = type(instance)
        try:
            return answers[kind]
        except KeyError:
            answer = answers[kind] = _ProtocolMeta.__instancecheck__(cls, instance)
            return answer
        except TypeError:  # a class that cannot be weakly referenced: ask every time
            return _ProtocolMeta.__instancecheck__(cls, instance)


_answers: dict[type, weakref.WeakKeyDictionary[type, bool]] = {}
WRITTEN_FOR = frozenset({"0.7.0"})  # htmltools versions whose protocols this was checked on


def install() -> None:
    """Apply (idempotent), on the htmltools it was written for; else say so and leave it."""
    if htmltools.__version__ not in WRITTEN_FOR:
        log.warning("htmltools %s: tag child checks left as they are", htmltools.__version__)
        return
    for protocol in (_core.Tagifiable, _core.ReprHtml):
        if type(protocol) is _ByClass:
            continue
        _answers[protocol] = weakref.WeakKeyDictionary()
        protocol.__class__ = _ByClass
    log.info("htmltools: tag child checks answered by class")
