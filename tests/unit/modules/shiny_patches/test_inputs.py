"""An input message with a value Shiny's handler cannot take: that value is skipped with one log
line, the others apply, and nothing raises into the session's receive loop."""

from __future__ import annotations

import logging
from types import SimpleNamespace

from modules.shiny_patches.inputs import manage_inputs


class FakeInputs:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def __getitem__(self, key):
        return SimpleNamespace(_set=lambda value, force: self.values.__setitem__(str(key), value))


def session() -> SimpleNamespace:
    hidden = []
    return SimpleNamespace(
        input=FakeInputs(),
        output=SimpleNamespace(_manage_hidden=lambda: hidden.append(1)),
        hidden=hidden,
    )


def test_bad_values_are_skipped_and_the_rest_applies(caplog):
    s = session()
    message = {
        "outcome-run:shiny.action": {"a": 1},  # ActionButtonValue(dict): TypeError in Shiny
        "a:b:c": "x",  # two colons: ValueError in Shiny
        "when:shiny.datetime": "soon",  # not a timestamp
        "outcome-cancel:shiny.action": 2,
        "outcome-outcome": ["a", "list"],  # untyped: set as sent, checked where it is read
    }
    with caplog.at_level(logging.WARNING, logger="modules.shiny_patches.inputs"):
        manage_inputs(s, message)
    assert s.input.values == {"outcome-cancel": 2, "outcome-outcome": ["a", "list"]}
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3 and not any(r.exc_info for r in caplog.records)
    assert "outcome-run:shiny.action" in lines[0] and "TypeError" in lines[0]
    assert s.hidden == [1]


def test_a_message_whose_data_is_not_an_object_is_ignored(caplog):
    s = session()
    with caplog.at_level(logging.WARNING, logger="modules.shiny_patches.inputs"):
        manage_inputs(s, ["not", "an", "object"])
    assert s.input.values == {} and len(caplog.records) == 1
