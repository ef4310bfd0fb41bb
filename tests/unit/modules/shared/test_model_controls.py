"""modules/shared/model_controls.py: the model-selection settings handed to the spec builders."""

from __future__ import annotations

import pandas as pd
import pytest

from modules.shared import model_controls as mc
from modules.shared.controls import MISSING, Raw, Select, resolve
from utils.data_io import dataset_from_frame

OUTCOME = Select("outcome", "Outcome", choices=lambda s: {"death": "Death"})
CONTROLS = (OUTCOME, mc.covariates_control(), *mc.SELECTION_CONTROLS)


@pytest.fixture
def ds():
    frame = pd.DataFrame(
        {
            "age": [61, 70, 55, 80, 66, 59],
            "sex": ["M", "F", "F", "M", "M", "F"],
            "stage": ["I", "II", "III", "I", "II", "III"],
        }
    )
    return dataset_from_frame(frame, name="cohort.csv")


def settings(ds, sent):
    values = dict(sent)
    return resolve(CONTROLS, ds, Raw(lambda key, _kind: values.get(key, MISSING), {}))


def test_screen_threshold():
    assert mc.screen_threshold("all", 0.2) is None
    assert mc.screen_threshold("p", 0.05) == 0.05
    for bad in (0, 1.5, None, "x"):
        with pytest.raises(ValueError, match="between 0 and 1"):
            mc.screen_threshold("p", bad)


def test_selection_keeps_forced_covariates_that_are_candidates(ds):
    s = settings(ds, {"covariates": ("age", "stage"), "force": ("stage", "sex")})
    picked = mc.selection(s)
    assert picked["covariates"] == ["age", "stage"]
    assert picked["force"] == ["stage"]
    assert picked["screen_p"] == 0.20
    assert picked["reference"] == {"stage": "I"}  # the first level, one per factor


def test_selection_of_all_candidates_and_a_chosen_reference(ds):
    ref = next(c for c in CONTROLS if c.id == "ref").input_id("stage")
    s = settings(ds, {"covariates": ("stage",), "screen_mode": "all", ref: "III"})
    picked = mc.selection(s)
    assert picked["screen_p"] is None and picked["reference"] == {"stage": "III"}
