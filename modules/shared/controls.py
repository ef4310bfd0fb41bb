"""Declared controls of an analysis tab: what each offers, what it defaults to, how it draws.

A tab lists its controls in order; a control's choices may depend on the data and on the
controls before it (the event levels on the chosen outcome). `resolve` turns what the page sent
(or what a restored tab remembered) into the settings the tab runs with, keeping every choice
that is still valid and falling back to a careful default otherwise. The framework
(analysis_tab.py) draws a control again only when what it offers changes (`shape`), never
because its own value changed, so a pick is never replaced while the user makes it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from htmltools import TagChild
from shiny import ui

from modules.shared.inputs import CHOICES, FLAG, NUMBER, SCALAR, TEXT, Kind
from modules.shared.wide_select import is_wide, wide_selectize
from utils.dataset import Dataset

MISSING = object()  # no value sent by the page and none remembered


@dataclass(frozen=True)
class Settings:
    """The tab's controls as they stand: the data, and each control's resolved value by id."""

    ds: Dataset | None
    values: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, control_id: str) -> Any:
        return self.values.get(control_id)

    def get(self, control_id: str, default: Any = None) -> Any:
        value = self.values.get(control_id)
        return default if value is None else value


class Raw:
    """What the page sent for an input id (else what a restored tab remembered, else MISSING).

    A value the tab itself chose as a default, sent back unchanged by the page, reads as
    MISSING: it was never the user's choice, so new data gets a new default rather than an
    old guess that happens to fit (a Follow-up time of 'age' carried from another file).
    `sent(input_id, kind)` reads the page's value, MISSING when it is not of the control's
    kind (modules/shared/inputs.py): each control says what its inputs send.
    """

    def __init__(self, sent: Callable[[str, Kind], Any], remembered: Mapping[str, Any]) -> None:
        self._sent = sent
        self._remembered = remembered
        self.defaults: dict[str, Any] = {}  # input id -> the default it was last given

    def __call__(self, input_id: str, kind: Kind = SCALAR) -> Any:
        value = self._sent(input_id, kind)
        if value is MISSING:
            return self._remembered.get(input_id, MISSING)
        if input_id in self.defaults and _same(self.defaults[input_id], value):
            return MISSING
        return value

    def defaulted(self, input_id: str, value: Any) -> Any:
        """Record that input_id shows a default the tab chose; returns the value."""
        self.defaults[input_id] = value
        return value


def _same(a: Any, b: Any) -> bool:
    norm = [tuple(v) if isinstance(v, list | tuple) else v for v in (a, b)]
    return norm[0] == norm[1]


Choices = Callable[[Settings], Mapping[str, str]]


def saved_one(self: Any, value: Any) -> dict[str, Any]:
    """A control of one input: its value under its id (for a reload)."""
    return {self.id: value}


def _always(_: Settings) -> bool:
    return True


def _as_list(value: Any) -> list:
    if value is None or value is MISSING:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class Select:
    """A select (one value) or selectize (several) whose choices may depend on the settings.

    `default(settings, choices)` is used when nothing valid was chosen (without one: the first
    choice of a select, nothing of a selectize); `empty` is shown instead of the control when
    there is nothing to choose; `note(settings, value)` adds a line below.
    """

    id: str
    label: str | Callable[[Settings], str]
    choices: Choices
    default: Callable[[Settings, Mapping[str, str]], Any] | None = None
    multiple: bool = False
    visible: Callable[[Settings], bool] = _always
    empty: str | None = None
    placeholder: str | None = None
    note: Callable[[Settings, Any], str | None] | None = None

    def resolve(self, s: Settings, raw: Raw) -> Any:
        if s.ds is None or not self.visible(s):
            return [] if self.multiple else None
        choices = self.choices(s)
        sent = raw(self.id, CHOICES if self.multiple else TEXT)
        if self.multiple:
            kept = [v for v in _as_list(sent) if v in choices]
            # A choice made on other data that fits none of this data's columns: start afresh.
            if sent is MISSING or (not kept and _as_list(sent)):
                default = [v for v in _as_list(self._default(s, choices)) if v in choices]
                return raw.defaulted(self.id, default)
            return kept
        if sent is not MISSING and sent in choices:
            return sent
        return raw.defaulted(self.id, self._default(s, choices) if choices else None)

    def _default(self, s: Settings, choices: Mapping[str, str]) -> Any:
        if self.default is not None:
            return self.default(s, choices)
        return [] if self.multiple else next(iter(choices), None)

    saved = saved_one

    def shape(self, s: Settings) -> Any:
        if s.ds is None or not self.visible(s):
            return None
        note = self.note(s, s[self.id]) if self.note else None
        return (_text(self.label, s), tuple(self.choices(s).items()), note)

    def render(self, s: Settings) -> TagChild:
        if s.ds is None or not self.visible(s):
            return None
        choices = dict(self.choices(s))
        if not choices and self.empty:
            return ui.div(self.empty, class_="alert alert-warning py-2")
        label = _text(self.label, s)
        value = s[self.id]
        if self.multiple:
            options: dict[str, Any] = {"plugins": ["remove_button"]}
            if self.placeholder:
                options["placeholder"] = self.placeholder
            control: TagChild = (
                wide_selectize(self.id, label, choices, value, multiple=True, options=options)
                if is_wide(choices)  # thousands of columns: a part in the page, a search
                else ui.input_selectize(
                    self.id, label, choices, selected=list(value or ()), multiple=True,
                    width="100%", options=options,
                )
            )  # fmt: skip
        else:
            if value is None and self.placeholder:
                choices = {"": self.placeholder, **choices}
            control = (
                wide_selectize(self.id, label, choices, value or "", multiple=False)
                if is_wide(choices)
                else ui.input_select(self.id, label, choices, selected=value or "", width="100%")
            )
        note = self.note(s, value) if self.note else None
        return ui.TagList(control, ui.div(note, class_="form-text mb-2") if note else None)


@dataclass(frozen=True)
class Radio:
    """Radio buttons with fixed choices."""

    id: str
    label: str
    choices: Mapping[str, str]
    default: str
    visible: Callable[[Settings], bool] = _always
    was: str | None = None  # its id before a rename: saved states and project files still say it

    def resolve(self, s: Settings, raw: Raw) -> Any:
        if not self.visible(s):
            return None
        sent = raw(self.id, TEXT)
        if sent is MISSING and self.was:
            sent = raw(self.was, TEXT)
        return sent if sent in self.choices else self.default

    saved = saved_one

    def shape(self, s: Settings) -> Any:
        return self.visible(s)

    def render(self, s: Settings) -> TagChild:
        if not self.visible(s):
            return None
        return ui.input_radio_buttons(
            self.id, self.label, dict(self.choices), selected=s[self.id] or self.default
        )


@dataclass(frozen=True)
class Numeric:
    """A number box; an emptied box stays empty (the spec says what to enter)."""

    id: str
    label: str | None
    default: float | None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    visible: Callable[[Settings], bool] = _always

    def resolve(self, s: Settings, raw: Raw) -> Any:
        if not self.visible(s):
            return None
        sent = raw(self.id, NUMBER)
        return self.default if sent is MISSING else sent

    saved = saved_one

    def shape(self, s: Settings) -> Any:
        return self.visible(s)

    def render(self, s: Settings) -> TagChild:
        if not self.visible(s):
            return None
        value = s[self.id]
        return ui.input_numeric(
            self.id, self.label, value, min=self.min, max=self.max, step=self.step, width="100%"
        )


@dataclass(frozen=True)
class Checkboxes:
    """A group of checkboxes with fixed choices (several values)."""

    id: str
    label: str
    choices: Mapping[str, str]
    default: Sequence[str] = ()

    def resolve(self, s: Settings, raw: Raw) -> Any:
        sent = raw(self.id, CHOICES)
        chosen = list(self.default) if sent is MISSING else _as_list(sent)
        return [v for v in chosen if v in self.choices]

    saved = saved_one

    def shape(self, s: Settings) -> Any:
        return True

    def render(self, s: Settings) -> TagChild:
        return ui.input_checkbox_group(
            self.id, self.label, dict(self.choices), selected=list(s[self.id] or ())
        )


@dataclass(frozen=True)
class Checkbox:
    """One checkbox."""

    id: str
    label: str
    default: bool = False
    visible: Callable[[Settings], bool] = _always

    def resolve(self, s: Settings, raw: Raw) -> Any:
        if not self.visible(s):
            return False
        sent = raw(self.id, FLAG)
        return self.default if sent is MISSING else bool(sent)

    saved = saved_one

    def shape(self, s: Settings) -> Any:
        return self.visible(s)

    def render(self, s: Settings) -> TagChild:
        if not self.visible(s):
            return None
        return ui.input_checkbox(self.id, self.label, value=bool(s[self.id]))


def levels_of(s: Settings, column: str | None) -> list[str]:
    """The levels of a factor column of the settings' data (none for another column)."""
    if s.ds is None or not column or column not in s.ds.columns:
        return []
    return list(s.ds.meta(column).levels)


def level_choices(s: Settings, column: str | None) -> dict[str, str]:
    """The levels of a factor column as the choices of a select."""
    return {level: level for level in levels_of(s, column)}


class Control(Protocol):
    """What the framework asks of a control (Select, Radio, Numeric, Checkbox(es), PerColumn)."""

    id: str

    def resolve(self, s: Settings, raw: Raw) -> Any: ...  # its value, given the ones before it
    def shape(self, s: Settings) -> Any: ...  # what it offers; drawn again when this changes
    def render(self, s: Settings) -> TagChild: ...  # the control standing at its value
    def saved(self, value: Any) -> dict[str, Any]: ...  # its inputs' values, for a reload


def resolve(controls: Sequence[Control], ds: Dataset | None, raw: Raw) -> Settings:
    """The settings the controls stand at, each resolved in order (later ones see earlier ones)."""
    values: dict[str, Any] = {}
    for control in controls:
        values[control.id] = control.resolve(Settings(ds, values), raw)
    return Settings(ds, values)


def warm(controls: Sequence[Control], ds: Dataset) -> None:
    """Resolve the controls for new data as a page that sent nothing yet, and take what each
    offers: the choices remembered per data set (per_dataset.py) and the outcome screen are
    then worked out here, in the worker that read the file, not on the event loop when every
    tab draws its controls at once (a 16,000-column file: 50-100 ms a tab)."""
    s = resolve(controls, ds, Raw(lambda _id, _kind: MISSING, {}))
    for control in controls:
        control.shape(s)


def _text(label: str | Callable[[Settings], str], s: Settings) -> str:
    return label(s) if callable(label) else label
