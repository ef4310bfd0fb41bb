"""The controls of an analysis tab on the server: what they stand at, drawn and remembered.

`serve_settings` resolves the tab's declared controls against the data and what the page sent
(controls.py), draws each control again only when what it offers changes, and saves the
settings for a reload, which restores them before the page sends its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shiny import reactive, ui

from modules.shared.controls import MISSING, Control, Raw, Settings, resolve
from modules.shared.inputs import Kind, read
from modules.shared.outputs import named_output
from modules.shared.session_state import TabState
from utils.dataset import Dataset

NO_DATA_YET = "Load data on the Data tab first."


@dataclass(frozen=True)
class TabSettings:
    """The reactive state of a tab's controls: the settings, view options and column labels.

    `options` and `labels` change only when their value does, so what reads them is redrawn
    only then (a label edit relabels a table, a display choice re-renders without a run)."""

    settings: Callable[[], Settings]
    options: Callable[[], Any]
    labels: Callable[[], dict[str, str]]


def control_output_id(control_id: str) -> str:
    return f"{control_id}_control"


def serve_settings(
    controls: Sequence[Control],
    input: Any,
    dataset: Callable[[], Dataset | None],
    state: TabState,
    saved_key: str,
    view_options: Callable[[Settings], Any],
    extra: Callable[[], dict[str, Any]] = dict,
) -> TabSettings:
    """Register the controls' outputs in the current module session; their reactive state.
    `extra` gives what the tab keeps beside its controls' settings (the CSV style picked)."""
    # What a restored tab's controls stood at: used until the page sends its own values.
    remembered: dict[str, Any] = dict(state.saved(saved_key) or {})

    def sent(input_id: str, kind: Kind) -> Any:
        return read(input, input_id, kind, MISSING)  # MISSING too when of the wrong type

    raw = Raw(sent, remembered)

    @reactive.calc
    def settings() -> Settings:
        return resolve(controls, dataset(), raw)

    # What each control offers (and the view options, the labels) change far less often than
    # the settings: these values are set only when they really differ, so a control is drawn
    # again only when its choices change, and a plot only when its view does.
    shapes = {c.id: reactive.value(None) for c in controls}
    options = reactive.value(None)
    labels: reactive.Value[dict[str, str]] = reactive.value({})

    @reactive.effect
    def _track():
        s = settings()
        for c in controls:
            shape = c.shape(s)
            with reactive.isolate():
                if shapes[c.id]() != shape:
                    shapes[c.id].set(shape)
        new_options = view_options(s)
        new_labels = s.ds.labels() if s.ds is not None else {}
        with reactive.isolate():
            if options() != new_options:
                options.set(new_options)
            if labels() != new_labels:
                labels.set(new_labels)
        state.keep(saved_key, {**restorable(controls, s), **extra()})

    for control in controls:
        _render_control(control, shapes[control.id], settings)

    @named_output("no_data")
    def _no_data():
        return None if dataset() is not None else ui.p(NO_DATA_YET, class_="text-muted")

    return TabSettings(settings, options, labels)


def restorable(controls: Sequence[Control], s: Settings) -> dict[str, Any]:
    """The settings by input id, as a reloaded page's controls should stand."""
    out: dict[str, Any] = {}
    for c in controls:
        out.update(c.saved(s[c.id]))
    return out


def _render_control(control: Control, shape: reactive.Value, settings: Callable) -> None:
    @named_output(control_output_id(control.id))
    def _draw():
        shape()  # drawn again only when what the control offers changes
        with reactive.isolate():
            return control.render(settings())


def shown_differences(controls: Sequence[Control], s: Settings, shown: Any) -> list[str]:
    """The controls whose value on the page (`shown`: what the page's controls stood at when
    Run was pressed, by input id) differs from the settings the server resolved; named by
    label, in order. Inputs the page did not show (a hidden control) or that no control saves
    are not compared; an empty select, an emptied box and an empty selection are the same."""
    if not isinstance(shown, Mapping):
        return []
    differ: list[str] = []
    for c in controls:
        saved = c.saved(s[c.id])
        if any(k in shown and _plain(shown[k]) != _plain(v) for k, v in saved.items()):
            differ.append(_label(c, s))
    return differ


def _plain(value: Any) -> Any:
    """A value as the page and the server can both hold it."""
    if value is None or value == "" or (isinstance(value, list | tuple) and not value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return value if isinstance(value, str) else repr(value)


def _label(control: Control, s: Settings) -> str:
    label = getattr(control, "label", None)
    if callable(label):
        try:
            label = label(s)
        except TypeError:  # PerColumn's label is per column
            label = getattr(control, "heading", None)
    return str(label or getattr(control, "heading", None) or control.id)
