"""Outcome and covariate encoding: event choice, natural order, reference levels, numbers."""

import numpy as np
import pandas as pd
import pytest

from analyses.encoding import encode_factor, encode_numeric, encode_outcome, natural_key
from analyses.errors import AnalysisError


def test_natural_order_puts_numbers_in_number_order():
    labels = ["10", "2", "stage 10", "stage 2", "b", "A"]
    assert sorted(labels, key=natural_key) == ["2", "10", "A", "b", "stage 2", "stage 10"]


@pytest.mark.parametrize(
    ("values", "event"),
    [(["Alive", "Died"], "Died"), (["yes", "no"], "yes"), ([0, 1], "1"), (["B", "A"], "B")],
)
def test_default_event_is_the_positive_looking_level_else_the_second(values, event):
    y, chosen, warnings = encode_outcome(pd.Series(values * 3 + [None], name="o"), None)
    assert chosen == event
    assert np.isnan(y[-1]) and y[:-1].sum() == 3 and not warnings


def test_float_outcome_codes_read_as_integers():
    y, event, _ = encode_outcome(pd.Series([0.0, 1.0, 1.0, np.nan], name="o"), None)
    assert event == "1" and list(y[:3]) == [0, 1, 1]


def test_factor_reference_comes_first_and_missing_is_minus_one():
    factor, warnings = encode_factor(pd.Series(["III", "I", None, "II", " "], name="stage"), "II")
    assert factor.levels == ("II", "I", "III")
    assert list(factor.codes) == [2, 1, -1, 0, -1]
    assert not warnings
    design = factor.design(np.array([True, True, False, True, False]))
    np.testing.assert_array_equal(design, [[0, 1], [1, 0], [0, 0]])


def test_unknown_reference_falls_back_with_a_warning():
    factor, warnings = encode_factor(pd.Series(["b", "a"], name="g"), "z")
    assert factor.levels == ("a", "b") and "'z' does not occur" in warnings[0]


def test_numeric_text_is_coerced_and_words_are_an_error():
    assert list(encode_numeric(pd.Series(["1.5", " 2", "", None], name="x")).values[:2]) == [1.5, 2]
    with pytest.raises(AnalysisError, match="'x' is not numeric"):
        encode_numeric(pd.Series(["1", "high"], name="x"))
