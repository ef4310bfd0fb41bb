"""The formula language: what it computes, and everything it refuses without running it."""

import numpy as np
import pytest

from prep import expressions
from utils.data_error import DataError

COLUMNS = ("weight", "height", "Weight (kg)", "crp")


def compute(text: str, **columns: list[float]) -> tuple[np.ndarray, dict[str, int]]:
    arrays = {k: np.asarray(v, dtype=float) for k, v in columns.items()}
    n = len(next(iter(arrays.values())))
    return expressions.evaluate(text, [*arrays, "Weight (kg)"], arrays.__getitem__, n)


def test_bmi_with_caret_as_power_and_unicode_signs():
    out, problems = compute("weight / (height / 100)^2", weight=[70, 90], height=[175, 180])
    np.testing.assert_allclose(out, [70 / 1.75**2, 90 / 1.8**2])
    assert problems == {}
    out, _ = compute("weight × 2 − height ÷ 10", weight=[70], height=[170])
    np.testing.assert_allclose(out, [70 * 2 - 17])


def test_backticked_names_with_spaces_are_columns():
    checked = expressions.check("`Weight (kg)` * 2 + weight", COLUMNS)
    assert checked.columns == ("Weight (kg)", "weight")


def test_missing_inputs_give_missing_and_bad_values_are_counted():
    out, problems = compute("log(crp) + 1 / weight", crp=[1, 0, np.nan, 5], weight=[1, 2, 3, 0])
    assert out[0] == pytest.approx(1.0)
    assert np.isnan(out[1:]).all()
    assert problems == {"log of zero or a negative number": 1, "division by zero": 1}


def test_huge_powers_overflow_to_missing_instead_of_hanging():
    out, problems = compute("9 ** 9 ** 9 ** 9 * weight", weight=[1, 2])
    assert np.isnan(out).all()
    assert problems.get("a result too large") == 2


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("weight.__class__", "A dot (attribute access) is not allowed"),
        ("__import__('os').system('id')", "is not a function a formula can use"),
        ("eval('1')", "'eval' is not a function"),
        ("weight[0]", "Square brackets"),
        ("lambda: 1", "Lambda is not allowed"),
        ("weight if height else 1", "If ... else is not allowed"),
        ("weight > 2", "A comparison is not allowed"),
        ("'text' * 3", "Text in quotes"),
        ("weight // 2", "'//'"),
        ("log(weight, base=2)", "named argument"),
        ("log", "log needs its value in brackets"),
        ("wieght / 2", "There is no column named 'wieght'. Did you mean 'weight' or 'height'?"),
        ("`no such` + 1", "There is no column named 'no such'"),
        ("`Weight (kg) + 1", "backtick ` is not closed"),
        ("(weight + 1", "1 bracket(s) '(' are not closed"),
        ("weight + 1)", "more ')' than '('"),
        ("weight * 2 +", "ends with '+'"),
        ("weight height", "a sign stands between every two values"),
        ("", "Type a formula"),
        ("weight +" * 200 + "1", "longer than"),
        ("round(weight, 1.5)", "digits must be a whole number"),
        ("sqrt(weight, 2)", "takes 1 value(s)"),
    ],
)
def test_anything_outside_the_language_is_refused_with_a_sentence(text, says):
    with pytest.raises(DataError) as caught:
        expressions.check(text, COLUMNS)
    assert says in str(caught.value)


def test_a_refused_formula_never_reads_a_column():
    def reader(column: str) -> np.ndarray:
        raise AssertionError("a refused formula was evaluated")

    with pytest.raises(DataError):
        expressions.evaluate("weight.real", COLUMNS, reader, 3)
