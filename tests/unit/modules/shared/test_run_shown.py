"""tab_settings.shown_differences: what the page showed at Run against the server's settings."""

from __future__ import annotations

import pandas as pd
import pytest

from modules.shared.controls import MISSING, Checkbox, Numeric, Raw, Select, resolve
from modules.shared.per_column import PerColumn, column_input_id
from modules.shared.tab_settings import shown_differences
from utils.data_io import dataset_from_frame

CONTROLS = (
    Select("time", "Follow-up time", choices=lambda s: {"t": "t"},
           default=lambda s, choices: None, placeholder="Choose"),
    Select("covariates", "Covariates", choices=lambda s: {"age": "age", "sex": "sex"},
           multiple=True),
    Numeric("screen_p", None, 0.2),
    Checkbox("show_band", "Shade the bands"),
    PerColumn("ref", columns=lambda s: list(s["covariates"] or ()) and ["sex"],
              label=lambda s, column: column, options=lambda s, column: ["F", "M"],
              default=lambda s, column, levels: levels[0], container="levels",
              heading="Reference level"),
)  # fmt: skip


@pytest.fixture
def settings():
    frame = pd.DataFrame({"t": [1.0, 2.0], "age": [50, 60], "sex": ["F", "M"]})
    ds = dataset_from_frame(frame, name="x.csv")
    sent = {"time": None, "covariates": ["age", "sex"], "screen_p": 0.2, "show_band": False}
    return resolve(CONTROLS, ds, Raw(lambda input_id, kind: sent.get(input_id, MISSING), {}))


def test_the_page_as_the_server_has_it_differs_in_nothing(settings):
    shown = {
        "time": "",  # the placeholder: nothing chosen, as the server's None
        "covariates": ["age", "sex"],
        "screen_p": 0.2,
        "show_band": False,
        column_input_id("ref", "sex"): "F",
    }
    assert shown_differences(CONTROLS, settings, shown) == []


def test_a_value_the_server_does_not_have_is_named(settings):
    shown = {"covariates": ["age"], "screen_p": 0.25, "show_band": True}
    assert shown_differences(CONTROLS, settings, shown) == [
        "Covariates",
        "screen_p",
        "Shade the bands",
    ]
    assert shown_differences(CONTROLS, settings, {column_input_id("ref", "sex"): "M"}) == [
        "Reference level"
    ]


def test_what_the_page_did_not_show_is_not_compared(settings):
    assert shown_differences(CONTROLS, settings, {}) == []
    assert shown_differences(CONTROLS, settings, {"other": 1}) == []
    assert shown_differences(CONTROLS, settings, None) == []  # an older page sends nothing


def test_empty_and_numbers_compare_as_the_page_sends_them(settings):
    shown = {"covariates": ("age", "sex"), "screen_p": 0.2}
    assert shown_differences(CONTROLS, settings, shown) == []
    assert shown_differences(CONTROLS, settings, {"time": None}) == []
    assert shown_differences(CONTROLS, settings, {"time": "t"}) == ["Follow-up time"]
