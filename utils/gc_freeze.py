"""Long-lived objects kept out of the cyclic garbage collector's passes.

A 16,000-column data set is ~330,000 objects the collector tracks (a pandas block, index,
dtype and weak references per column, a ColumnMeta each). Python's full collection walks every
tracked object while holding the interpreter lock, so once such a data set is in memory each
full collection stopped every thread, the event loop included, for 0.15-1.2 s on this shared
host, and unpickling the data set from the reading child set off several of them
(bench/healthz_stalls.py, OPTIMIZATION.md "What set /healthz's worst answer").

`building()` wraps the making of many objects that will live long (a data set arriving, the
statistics stack imported): the collector is off meanwhile (what is made is not garbage), and
at the end everything alive is moved to the permanent generation (`gc.freeze`, constant time),
which later collections skip. Frozen objects are still freed by their reference counts (a
replaced data set goes as before); only a reference cycle among them would wait, and `thaw`,
a cleanup of the memory manager, puts them back for its full collection.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from collections.abc import Iterator

log = logging.getLogger(__name__)

_lock = threading.Lock()
_building = 0  # how many threads are inside building(): the collector is off while any is


@contextlib.contextmanager
def building() -> Iterator[None]:
    """No collection while long-lived objects are made; everything alive frozen after."""
    global _building
    with _lock:
        _building += 1
        if _building == 1:
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _building -= 1
            if _building == 0:
                gc.freeze()
                gc.enable()
                log.info("objects kept out of garbage collection: %d", gc.get_freeze_count())


def thaw() -> None:
    """Give the frozen objects back to the collector (its next full pass sees them again)."""
    with _lock:
        if _building == 0:
            gc.unfreeze()


def frozen() -> int:
    """How many objects the collector skips."""
    return gc.get_freeze_count()
