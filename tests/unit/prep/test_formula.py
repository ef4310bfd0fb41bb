"""A new column from a formula over columns: values, notes on missing rows, refusals."""

import numpy as np
import pytest

from prep.formula import formula_step, split_assignment
from utils.data_error import DataError


def test_bmi_from_weight_and_height(patients):
    step = formula_step(patients, "bmi", "weight / (height / 100)^2", label="BMI (kg/m²)")
    after = step.apply(patients)
    bmi = after.df["bmi"].to_numpy(dtype=float)
    assert bmi[0] == pytest.approx(50 / 1.5**2)
    assert np.isnan(bmi[5]) and np.isnan(bmi[9])  # height 0, height missing
    assert after.label("bmi") == "BMI (kg/m²)"
    assert after.meta("bmi").kind == "continuous"
    assert "'bmi': 1 row(s) missing because 'weight' or 'height' is missing there." in after.notes
    assert "'bmi': 1 row(s) missing because of division by zero." in after.notes


def test_name_typed_in_the_formula(patients):
    step = formula_step(patients, "", "double = weight * 2")
    assert (step.name, step.formula) == ("double", "weight * 2")
    assert split_assignment("age >= 18") == (None, "age >= 18")


def test_dates_count_in_days(patients):
    after = formula_step(patients, "days", "visit - visit + 1").apply(patients)
    assert after.df["days"].tolist() == [1.0] * 10


@pytest.mark.parametrize(
    ("name", "formula", "says"),
    [
        ("x", "weight / heigth", "There is no column named 'heigth'. Did you mean 'height'"),
        ("x", "stage * 2", "'stage' holds text (for example 'I')"),
        ("x", "2 + 3", "names no column"),
        ("weight", "height * 2", "already exists"),
        ("", "height * 2", "Type a name"),
        ("x", "height / 0", "gives no value for any row (division by zero)"),
        ("x", "open('/etc/passwd')", "'open' is not a function"),
    ],
)
def test_bad_formulas_are_refused_and_the_data_stays(patients, name, formula, says):
    before = patients.df.copy()
    with pytest.raises(DataError) as caught:
        formula_step(patients, name, formula).apply(patients)
    assert says in str(caught.value)
    assert patients.df.equals(before) and list(patients.columns) == list(before.columns)
