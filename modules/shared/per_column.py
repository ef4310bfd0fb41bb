"""One control per column: a reference level, a positive level, a cut-off for each chosen column."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import xxhash
from htmltools import TagChild, tags
from shiny import ui

from modules.shared.controls import MISSING, Raw, Settings, _always
from modules.shared.inputs import NUMBER, TEXT


def column_input_id(prefix: str, column: str) -> str:
    """A valid, stable input id for a per-column control, whatever the column name holds."""
    return f"{prefix}_{xxhash.xxh3_64_hexdigest(column.encode())}"


@dataclass(frozen=True)
class PerColumn:
    """One control per column (a reference level, a positive level, a cut-off).

    `options(settings, column)` gives the column's choices (a select), or None for a number box;
    its value is {column: chosen}. `container` is the id of the div around the controls.
    """

    id: str
    columns: Callable[[Settings], Sequence[str]]
    label: Callable[[Settings, str], str]
    options: Callable[[Settings, str], Sequence[str] | None]
    default: Callable[[Settings, str, Sequence[str] | None], Any]
    container: str
    empty: str | None = None
    heading: str | None = None
    visible: Callable[[Settings], bool] = _always

    def input_id(self, column: str) -> str:
        return column_input_id(self.id, column)

    def resolve(self, s: Settings, raw: Raw) -> Any:
        if s.ds is None or not self.visible(s):
            return {}
        out = {}
        for column in self.columns(s):
            options = self.options(s, column)
            sent = raw(self.input_id(column), NUMBER if options is None else TEXT)
            valid = sent is not MISSING if options is None else sent in options
            if valid:
                out[column] = sent
            else:
                default = self.default(s, column, options)
                out[column] = raw.defaulted(self.input_id(column), default)
        return out

    def saved(self, value: Any) -> dict[str, Any]:
        """The whole {column: value} and each column's input, for a reload."""
        return {self.id: value, **{self.input_id(c): v for c, v in (value or {}).items()}}

    def shape(self, s: Settings) -> Any:
        if s.ds is None or not self.visible(s):
            return None
        return tuple((c, self.label(s, c), _freeze(self.options(s, c))) for c in self.columns(s))

    def render(self, s: Settings) -> TagChild:
        if s.ds is None or not self.visible(s):
            return None
        chosen = s[self.id] or {}
        heading = tags.label(self.heading, class_="form-label") if self.heading else None
        items = []
        for column in self.columns(s):
            options = self.options(s, column)
            label = self.label(s, column)
            if options is None:
                items.append(
                    ui.input_numeric(self.input_id(column), label, chosen.get(column), width="100%")
                )
            else:
                items.append(
                    ui.input_select(
                        self.input_id(column),
                        label,
                        list(options),
                        selected=chosen.get(column),
                        width="100%",
                    )
                )
        if not items:
            body: TagChild = ui.p(self.empty, class_="small text-muted") if self.empty else None
            return ui.TagList(heading, body)
        return ui.TagList(heading, ui.div(*items, id=self.container))


def _freeze(options: Sequence[str] | None) -> tuple | None:
    return None if options is None else tuple(options)
