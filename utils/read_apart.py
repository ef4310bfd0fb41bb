"""A wide or large file read in a process of its own, so that the web server keeps answering
and a cancel stops the parse.

Reading a file of thousands of columns is mostly Python run once per column (kinds, tidying,
factors): 16,000 columns take ~20 s of CPU that holds the interpreter lock, and every other
user's request, /healthz included, waits behind it for seconds at a time. In a child process
the same work uses the other core and the server's threads are free; the Dataset comes back
pickled (a wide file is short, so it is small). Narrow files stay in the thread: for them the
child's start (~1 s of imports) and the copy would cost more than they save.

A large text file (over MEDSTAT_READ_APART_MB) is read apart too: pandas' C parser cannot be
stopped mid-parse in a thread, while a child is killed at the next poll after a cancel, so a
closed tab's 50 MB read stops within a fraction of a second instead of parsing on for seconds.

The child sends the Dataset as pickled bytes, unpickled here inside `gc_freeze.building()`: a
wide data set is hundreds of thousands of objects, and unpickled in the executor's own thread
they set off full garbage collections that held the interpreter lock for up to 1.2 s.
"""

from __future__ import annotations

import concurrent.futures as futures
import multiprocessing
import pickle
from collections.abc import Callable
from pathlib import Path

from utils import data_io, gc_freeze
from utils.dataset import Dataset

WIDE_COLUMNS = 1_000  # files with more columns than this are read apart
POLL_S = 0.2  # how often a waiting read looks at its cancel token


def read_apart(
    path: str | Path,
    name: str | None,
    check: Callable[[], None] = lambda: None,
    on_start: Callable[[int], None] = lambda pid: None,
) -> Dataset:
    """data_io.read_table(path, name) in a spawned child; its errors (DataError) come back as
    they were raised. `check` is called while the child works (a cancel token's check): when it
    raises, the child is killed and its exception goes on. `on_start` gets the child's pid (the
    memory manager counts its RSS)."""
    context = multiprocessing.get_context("spawn")  # no copy of the server's threads and locks
    pool = futures.ProcessPoolExecutor(max_workers=1, mp_context=context)
    try:
        future = pool.submit(_read_pickled, str(path), name)
        for pid in getattr(pool, "_processes", {}):
            on_start(pid)
        while True:
            try:
                pickled = future.result(timeout=POLL_S)
                break
            except futures.TimeoutError:
                try:
                    check()
                except BaseException:
                    _kill(pool)
                    raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    with gc_freeze.building():
        return pickle.loads(pickled)  # noqa: S301 (bytes from our own child, never a user's)


def _read_pickled(path: str, name: str | None) -> bytes:
    """In the child: the Dataset, pickled (the parent chooses where it is unpickled)."""
    return pickle.dumps(data_io.read_table(path, name), protocol=pickle.HIGHEST_PROTOCOL)


def _kill(pool: futures.ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):
        process.kill()
