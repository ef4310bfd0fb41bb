"""modules/shared/controls.py: settings resolved from what the page sent, choices kept, defaults."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from modules.shared.controls import (
    MISSING,
    Checkboxes,
    Numeric,
    Radio,
    Raw,
    Select,
    resolve,
)
from modules.shared.per_column import PerColumn, column_input_id
from utils.data_io import dataset_from_frame


@pytest.fixture
def ds():
    frame = pd.DataFrame(
        {
            "death": ["yes", "no", "no", "yes", "no", "no"],
            "age": [61, 70, 55, 80, 66, 59],
            "sex": ["M", "F", "F", "M", "M", "F"],
            "bmi": [22.1, 30.5, 27.3, 24.8, 26.0, 21.4],
        }
    )
    return dataset_from_frame(frame, name="cohort.csv")


OUTCOME = Select(
    "outcome",
    "Outcome",
    choices=lambda s: {c: c for c in ("death", "sex") if c in s.ds.columns},
    default=lambda s, choices: "death" if "death" in choices else None,
)
COVARIATES = Select(
    "covariates",
    "Covariates",
    choices=lambda s: {c: c for c in s.ds.columns if c != s["outcome"]},
    default=lambda s, choices: ["age"] if "age" in choices else [],
    multiple=True,
)
REF = PerColumn(
    "ref",
    columns=lambda s: [c for c in s["covariates"] or () if c == "sex"],
    label=lambda s, c: c,
    options=lambda s, c: list(s.ds.meta(c).levels),
    default=lambda s, c, levels: levels[0],
    container="refs",
)
CONTROLS = [OUTCOME, COVARIATES, Radio("method", "Method", {"a": "A", "b": "B"}, "a"), REF]


def page(sent: dict, remembered: dict | None = None) -> Raw:
    return Raw(lambda key, _kind: sent.get(key, MISSING), remembered or {})


def test_nothing_sent_gives_the_defaults(ds):
    s = resolve(CONTROLS, ds, page({}))
    assert (s["outcome"], s["covariates"], s["method"]) == ("death", ["age"], "a")
    assert s["ref"] == {}


def test_valid_choices_are_kept_and_invalid_ones_dropped(ds):
    sent = {"outcome": "death", "covariates": ("age", "bmi", "gone"), "method": "zz"}
    s = resolve(CONTROLS, ds, page(sent))
    assert s["covariates"] == ["age", "bmi"]
    assert s["method"] == "a"  # not a choice: the default


def test_later_controls_see_earlier_ones(ds):
    s = resolve(CONTROLS, ds, page({"outcome": "sex", "covariates": ("sex", "age")}))
    assert s["covariates"] == ["age"]  # the outcome is not a covariate of itself


def test_a_selection_that_fits_none_of_the_new_data_starts_afresh(ds):
    s = resolve(CONTROLS, ds, page({"covariates": ("creatinine", "ecog")}))
    assert s["covariates"] == ["age"]


def test_a_cleared_multiple_selection_stays_cleared(ds):
    assert resolve(CONTROLS, ds, page({"covariates": ()}))["covariates"] == []


def test_a_default_echoed_by_the_page_is_not_taken_for_a_choice(ds):
    raw = page({})
    first = resolve(CONTROLS, ds, raw)
    # The page now shows (and sends back) the defaults it was given...
    raw._sent = lambda key, _kind: {"outcome": "death", "covariates": ("age",)}.get(key, MISSING)
    assert raw("outcome") is MISSING and raw("covariates") is MISSING
    # ...so data where another default applies gets that default, not the old guess.
    frame = ds.df.rename(columns={"age": "age_years"})
    other = dataset_from_frame(frame, name="other.csv")
    assert resolve(CONTROLS, other, raw)["covariates"] == []
    assert first["covariates"] == ["age"]


def test_a_real_choice_survives_a_data_change(ds):
    raw = page({})
    resolve(CONTROLS, ds, raw)
    raw._sent = lambda key, _kind: {"covariates": ("bmi", "age")}.get(key, MISSING)
    cleaned = dataset_from_frame(ds.df.assign(bmi=ds.df["bmi"].round()), name="cohort.csv")
    assert resolve(CONTROLS, cleaned, raw)["covariates"] == ["bmi", "age"]


def test_remembered_settings_apply_until_the_page_sends_its_own(ds):
    remembered = {"outcome": "sex", "covariates": ["bmi"], "method": "b"}
    s = resolve(CONTROLS, ds, page({}, remembered))
    assert (s["outcome"], s["covariates"], s["method"]) == ("sex", ["bmi"], "b")
    s = resolve(CONTROLS, ds, page({"method": "a"}, remembered))
    assert s["method"] == "a"


def test_a_renamed_control_reads_what_was_saved_under_its_old_id(ds):
    """Table 1's "Numbers shown as" was `summary` (the table's id too): a saved tab or a
    project file that says `summary` still sets it; its new id wins once sent or saved."""
    from modules.table1.tab import TAB

    (numbers,) = [c for c in TAB.declared if c.id == "numbers_as"]
    assert numbers.was == "summary"
    assert resolve([numbers], ds, page({}, {"summary": "median"}))["numbers_as"] == "median"
    both = {"summary": "median", "numbers_as": "mean"}
    assert resolve([numbers], ds, page({}, both))["numbers_as"] == "mean"
    assert (
        resolve([numbers], ds, page({"numbers_as": "mean"}, {"summary": "median"}))["numbers_as"]
        == "mean"
    )
    assert numbers.saved("median") == {"numbers_as": "median"}  # saved under the new id
    assert resolve([numbers], ds, page({}))["numbers_as"] == "auto"


def test_per_column_controls_keep_each_columns_choice(ds):
    ref_id = REF.input_id("sex")
    s = resolve(CONTROLS, ds, page({"covariates": ("sex",), ref_id: "M"}))
    assert s["ref"] == {"sex": "M"}
    s = resolve(CONTROLS, ds, page({"covariates": ("sex",), ref_id: "nonsense"}))
    assert s["ref"] == {"sex": "F"}  # the first level


def test_shape_ignores_the_controls_own_value(ds):
    a = resolve(CONTROLS, ds, page({"covariates": ("age",)}))
    b = resolve(CONTROLS, ds, page({"covariates": ("age", "bmi")}))
    assert COVARIATES.shape(a) == COVARIATES.shape(b)
    c = resolve(CONTROLS, ds, page({"outcome": "sex"}))
    assert COVARIATES.shape(c) != COVARIATES.shape(a)  # other choices: drawn again


def test_hidden_controls_have_no_value(ds):
    box = Numeric("p", None, 0.2, visible=lambda s: s["method"] == "b")
    controls = [*CONTROLS, box]
    assert resolve(controls, ds, page({"p": 0.05}))["p"] is None
    assert resolve(controls, ds, page({"p": 0.05, "method": "b"}))["p"] == 0.05
    assert resolve(controls, ds, page({"method": "b"}))["p"] == 0.2
    assert resolve(controls, ds, page({"p": None, "method": "b"}))["p"] is None  # emptied


def test_no_data_resolves_to_nothing_chosen():
    s = resolve(CONTROLS, None, page({"outcome": "death"}))
    assert s["outcome"] is None and s["covariates"] == []


def test_checkboxes_default_and_filter(ds):
    show = Checkboxes("show", "Show", {"p": "p", "smd": "SMD"}, default=("p", "smd"))
    assert resolve([show], ds, page({}))["show"] == ["p", "smd"]
    assert resolve([show], ds, page({"show": ("smd", "x")}))["show"] == ["smd"]


def test_rendered_controls_escape_labels_and_keep_ids(ds):
    evil = "<script>alert(1)</script>"
    select = Select("col", evil, choices=lambda s: {"a": evil})
    html = str(select.render(resolve([select], ds, page({}))))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'id="col"' in html


def test_column_input_ids_are_valid_for_any_column_name():
    evil = 'x y<&>"é'
    assert re.fullmatch(r"cut_[0-9a-f]{16}", column_input_id("cut", evil))
    assert column_input_id("cut", evil) == column_input_id("cut", evil)
    assert column_input_id("cut", evil) != column_input_id("cut", "other")
