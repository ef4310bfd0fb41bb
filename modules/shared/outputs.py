"""Outputs registered by id: Shiny names an output after its function, the framework by data."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shiny import render


def named_output(output_id: str) -> Callable[[Callable], Any]:
    """render.ui under an explicit output id (Shiny takes the id from the function's name)."""

    def register(fn: Callable) -> Any:
        fn.__name__ = output_id
        return render.ui(fn)

    return register
