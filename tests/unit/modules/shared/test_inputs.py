"""Inputs read by type: a value of the wrong type is ignored with one log line per value sent,
whatever reads it and however often; values of the right type pass unchanged."""

from __future__ import annotations

import logging

import pytest

from modules.shared.controls import MISSING, Raw, Select, Settings
from modules.shared.inputs import CHOICES, FILES, FLAG, NUMBER, SCALAR, TEXT, read


class Source:
    """One input's current value, as Shiny's reactive value holds it."""

    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


FILE = {"name": "a.csv", "size": 10, "type": "text/csv", "datapath": "/tmp/x/0.csv"}


@pytest.mark.parametrize(
    ("kind", "good", "bad"),
    [
        (TEXT, ["x", "", None], [["x"], ("x",), {"a": 1}, 3, True]),
        (CHOICES, [("a", "b"), ["a"], (), None], ["a", ({"a": 1},), (1,), {"a": "b"}]),
        (NUMBER, [1, 2.5, None], ["1", True, [1], {"v": 1}, 10**400, float("inf"), float("nan")]),
        (FLAG, [True, False], [None, "true", 1, [True]]),
        (SCALAR, ["x", 1, 2.5, True, None], [["x"], {"a": 1}, ("a",)]),
        (FILES, [[FILE], (FILE,)], [[], "a.csv", [{"name": "a"}], [{**FILE, "size": "10"}]]),
    ],
)
def test_each_kind_accepts_what_its_widget_sends_and_nothing_else(kind, good, bad):
    for value in good:
        assert read({"i": Source(value)}, "i", kind, MISSING) is value or value is None
    for value in bad:
        assert read({"i": Source(value)}, "i", kind, MISSING) is MISSING, value


def test_a_wrong_value_is_logged_once_however_often_it_is_read(caplog):
    inputs = {"outcome-outcome": Source(["death", "age"])}
    with caplog.at_level(logging.WARNING, logger="modules.shared.inputs"):
        for _ in range(5):
            assert read(inputs, "outcome-outcome", TEXT) is None
        inputs["outcome-outcome"].value = {"a": [1]}  # a second bad value: a second line
        assert read(inputs, "outcome-outcome", TEXT) is None
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 2
    assert "outcome-outcome" in lines[0] and "list" in lines[0] and "death" not in lines[0]
    assert not any(r.exc_info for r in caplog.records)


def test_an_unsent_input_is_missing():
    assert read({}, "nothing", TEXT, MISSING) is MISSING


def test_a_control_given_a_list_for_its_string_falls_back_to_its_default():
    """What used to raise `unhashable type: 'list'` inside the tab's settings."""
    select = Select("outcome", "Outcome", lambda s: {"death": "death", "stroke": "stroke"})
    sent = {"outcome": Source(["death"])}
    raw = Raw(lambda key, kind: read(sent, key, kind, MISSING), {})
    settings = Settings(ds=object(), values={})  # any data: the choices do not depend on it
    assert select.resolve(settings, raw) == "death"  # the first choice, the default
