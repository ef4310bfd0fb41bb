"""A reactive value that changes only when what it holds changes.

A reactive calc invalidates its readers whenever its inputs change, even when it computes an
equal value again. A select drawn from such a calc is drawn again, and a pick the user made in
the meantime is lost. Reading a `settled` value instead redraws only for a real change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shiny import reactive

T = TypeVar("T")


def settled(compute: Callable[[], T]) -> reactive.Value[T | None]:
    """compute() kept in a reactive value, set again only when it differs (None at first)."""
    value: reactive.Value[T | None] = reactive.value(None)

    @reactive.effect
    def _follow():
        new = compute()
        with reactive.isolate():
            if new != value():
                value.set(new)

    return value
