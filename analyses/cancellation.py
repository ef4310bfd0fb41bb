"""Cooperative cancellation: the requester sets a token, long loops stop at their next checkpoint.

A worker thread cannot be killed from outside, so the fitters check, once per iteration, whether
the work they do is still wanted: `checkpoint()` raises `Cancelled` when the token of the work in
progress has been set. The token travels in a context variable, so the statistics code takes no
extra argument; `logic.run` installs it with `cancellable(token)` in the worker thread. Without a
token a checkpoint does nothing (measured: bench/cancel.py, OPTIMIZATION.md "Cancel stops the
work"). Pure: no shiny, logic or utils imports.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Sequence
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


class Cancelled(BaseException):
    """The requester cancelled this work; nothing it produced should be kept.

    A BaseException, as asyncio.CancelledError is, so that the `except Exception` fallbacks in
    our code and in the libraries we call cannot swallow it and carry on computing.
    """


class CancelToken:
    """Set once by whoever asked for the work (a Cancel button); read by the work at checkpoints.

    Thread-safe: cancel() may be called from any thread, e.g. the event loop while a worker
    thread fits the model.
    """

    __slots__ = ("_event", "progress")

    def __init__(self) -> None:
        self._event = threading.Event()
        self.progress = ""  # what the work is doing, in words ("Crude model 3 of 12")

    def cancel(self) -> None:
        """Ask the work to stop at its next checkpoint (idempotent)."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        """Raise Cancelled if cancel() was called."""
        if self._event.is_set():
            raise Cancelled()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until cancelled or `timeout` seconds pass; True if cancelled."""
        return self._event.wait(timeout)

    def __repr__(self) -> str:
        return f"CancelToken(cancelled={self.cancelled})"


_current: ContextVar[CancelToken | None] = ContextVar("medstat_cancel_token", default=None)


def checkpoint(*_ignored: object) -> None:
    """Raise Cancelled if the current work's token is set; does nothing without a token.

    It ignores any arguments, so it can be handed to an optimiser as its per-iteration
    `callback` (statsmodels and scipy call it with the current parameters).
    """
    token = _current.get()
    if token is not None:
        token.check()


def progress(text: str) -> None:
    """Say what the current work is doing (shown while it runs); a checkpoint too."""
    token = _current.get()
    if token is not None:
        token.check()
        token.progress = text


def steps(items: Sequence[T], what: str) -> Iterator[T]:
    """The items, each after a checkpoint that says '<what> i of n' while its turn lasts."""
    for i, item in enumerate(items, 1):
        progress(f"{what} {i} of {len(items)}")
        yield item


def current_token() -> CancelToken | None:
    """The token the current work runs under, if any."""
    return _current.get()


@contextlib.contextmanager
def cancellable(token: CancelToken | None) -> Iterator[CancelToken | None]:
    """Run the block under `token`: its checkpoints raise Cancelled once the token is set.

    A token that is already set raises at once, before any work. None keeps whatever token is
    in force (none at top level), so nested calls without a token stay cancellable.
    """
    if token is None:
        yield _current.get()
        return
    previous = _current.set(token)
    try:
        token.check()
        yield token
    finally:
        _current.reset(previous)
