"""The safe result codec: results round-trip through JSON; nothing else is ever built from it."""

import json
import math
import pickle
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest

from analyses.fit_records import OutcomeFit
from analyses.results import MULTIVARIABLE_COLUMNS, UNIVARIABLE_COLUMNS, OutcomeResult
from tests.unit.utils.conftest import outcome_fit
from utils import codec
from utils.codec import CodecError, from_json, to_json

ALLOWED = [OutcomeResult, OutcomeFit]


def test_outcome_result_round_trips_with_dtypes(outcome_result):
    original = outcome_result
    text = to_json(original)
    back = from_json(text, ALLOWED)
    assert isinstance(back, OutcomeResult)
    assert list(back.univariable.columns) == list(UNIVARIABLE_COLUMNS)
    pd.testing.assert_frame_equal(back.univariable, original.univariable)
    pd.testing.assert_frame_equal(back.multivariable, original.multivariable)  # index [0, 2, 3]
    pd.testing.assert_frame_equal(back.vif, original.vif)
    assert back.warnings == original.warnings
    model = back.fit
    assert model.covariates_in_model == ("age", "stage")
    assert model.fallbacks == ()
    assert model.screen_p is None
    assert math.isnan(model.hosmer_lemeshow_p)
    assert model.aic == -math.inf
    assert model.events_per_variable == 0.5 and model.n_parameters == 7  # numpy scalars
    assert type(model.n_parameters) is int
    assert model.separation is False
    finite = {"hosmer_lemeshow_p": 0.0, "hosmer_lemeshow_chi2": 0.0}
    assert replace(model, **finite) == replace(original.fit, **finite)


def test_output_is_strict_json_without_nan_literals(outcome_result):
    text = to_json(outcome_result)
    assert "NaN" not in text and "Infinity" not in text
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard {name}"))


def test_default_empty_vif_round_trips():
    # Its tables with the columns OutcomeResult declares (a stored table with others is refused).
    univariable = pd.DataFrame([[1.0] * len(UNIVARIABLE_COLUMNS)], columns=UNIVARIABLE_COLUMNS)
    multivariable = pd.DataFrame(columns=list(MULTIVARIABLE_COLUMNS))
    result = OutcomeResult(univariable, multivariable, outcome_fit())
    back = from_json(to_json(result), ALLOWED)
    pd.testing.assert_frame_equal(back.vif, result.vif)


def test_categorical_datetime_nullable_and_labelled_index_round_trip():
    df = pd.DataFrame(
        {
            "grade": pd.Categorical(
                ["low", "high", "low"], categories=["low", "mid", "high"], ordered=True
            ),
            "when": pd.to_datetime(["2024-01-02", None, "2024-03-04"]),
            "count": pd.array([1, None, 3], dtype="Int64"),
        },
        index=pd.Index(["a", "b", "c"], name="row"),
    )
    back = codec.decode(json.loads(json.dumps(codec.encode(df))), {})
    pd.testing.assert_frame_equal(back, df)


def test_types_outside_the_allow_list_are_rejected(outcome_result):
    text = to_json(outcome_result)
    with pytest.raises(CodecError, match="allow-list"):
        from_json(text, [])


@dataclass(frozen=True)
class Other:
    x: int


def test_a_registered_lookalike_name_does_not_build_another_type():
    payload = {"$": "dataclass", "type": "os.system", "v": {"command": "touch /tmp/pwned"}}
    with pytest.raises(CodecError):
        from_json(json.dumps(payload), [OutcomeResult, Other])


@pytest.mark.parametrize(
    "text",
    [
        pickle.dumps({"a": 1}),  # pickle bytes are never unpickled
        b"\x80\x04\x95 not json",
        "not json at all",
        '{"$": "eval", "v": "__import__(\'os\')"}',
        '{"no": "tag"}',
        '{"$": "frame", "columns": ["a"], "dtypes": ["object; rm"], "index": {"range": [0, 1, 1]},'
        ' "data": [[1]]}',
        '{"$": "frame", "columns": ["a"], "dtypes": ["int64"], "index": {"range": [0, 2, 1]},'
        ' "data": [[1]]}',
        '{"$": "dataclass", "type": "analyses.results.OutcomeResult", "v": {"evil": 1}}',
        '{"$": "float", "v": "1e999"}',
        "[" * 100_000,
    ],
)
def test_tampered_text_is_a_codec_error(text):
    with pytest.raises(CodecError):
        from_json(text, ALLOWED)


@pytest.mark.parametrize("value", [object(), {1, 2}, lambda: 1, np.array(["a"], dtype=object)])
def test_values_outside_the_result_vocabulary_are_not_encoded(value):
    with pytest.raises(CodecError):
        to_json(value)


def test_plain_containers_keep_their_types():
    value = {"t": (1, 2.5, None), "l": [True, "x"], 3: "int key", ("a", 1): "tuple key"}
    assert from_json(to_json(value), []) == value
