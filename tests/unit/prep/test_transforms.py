"""Rescaling and transforms of one number: exact values, kept divisors, refusals."""

import numpy as np
import pytest

from prep.transforms import default_name, transform_step
from utils.data_error import DataError


def new_column(dataset, **params):
    step = transform_step(dataset, **params)
    return step, step.apply(dataset).df[step.name].to_numpy(dtype=float)


def test_per_sd_divides_by_the_sd_measured_when_made(patients):
    age = patients.df["age"].dropna()
    step, out = new_column(patients, column="age", how="per_sd", name="age_sd")
    assert step.scale == pytest.approx(age.std(ddof=1))
    np.testing.assert_allclose(out[:9], age / age.std(ddof=1))
    assert np.isnan(out[9])
    assert step.describe() == f"New column age_sd = age / {step.scale:.6g}"


def test_per_units_and_zscore(patients):
    _, per10 = new_column(patients, column="age", how="per_units", name="a10", units=10)
    np.testing.assert_allclose(per10[:9], np.arange(1, 10))
    step, z = new_column(patients, column="age", how="zscore", name="az")
    assert np.nanmean(z) == pytest.approx(0) and np.nanstd(z, ddof=1) == pytest.approx(1)
    assert step.formula().startswith("(age - 50) / ")


def test_logs_and_sqrt_leave_undefined_values_missing_and_say_how_many(patients):
    step = transform_step(patients, column="height", how="log10", name="lh")
    after = step.apply(patients)
    out = after.df["lh"].to_numpy(dtype=float)
    assert out[0] == pytest.approx(np.log10(150))
    assert np.isnan(out[5])  # height 0
    assert any("1 value(s) of 'height' are zero or negative" in n for n in after.notes)
    _, root = new_column(patients, column="weight", how="sqrt", name="rw")
    assert root[1] == pytest.approx(np.sqrt(60))


def test_the_new_column_is_continuous_labelled_and_the_source_unchanged(patients):
    step = transform_step(patients, column="age", how="per_units", name="age per 10", units=10)
    after = step.apply(patients)
    assert after.meta("age per 10").kind == "continuous"
    assert after.label("age per 10") == "age (per 10)"
    assert after.df["age"].equals(patients.df["age"])
    assert after.fingerprint != patients.fingerprint
    assert step.apply(patients).fingerprint == after.fingerprint  # same step, same data


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"column": "stage", "how": "log"}, "'stage' holds text"),
        ({"column": "nope", "how": "log"}, "There is no column named 'nope'"),
        ({"column": "age", "how": "cube"}, "Choose a transform from the list"),
        ({"column": "age", "how": "per_units", "units": 0}, "above 0"),
        ({"column": "Weight (kg)", "how": "per_sd"}, "same value in every row"),
        ({"column": "age", "how": "log", "name": "age"}, "already exists"),
        ({"column": "age", "how": "log", "name": "AGE"}, "only in capitals"),
        ({"column": "age", "how": "log", "name": "1st"}, "Start with a letter"),
        ({"column": "age", "how": "log", "name": " "}, "Type a name"),
    ],
)
def test_bad_input_is_refused_with_what_to_fix(patients, params, says):
    with pytest.raises(DataError) as caught:
        transform_step(patients, **({"name": "new"} | params))
    assert says in str(caught.value)


def test_default_names():
    assert default_name("age", "per_units", 10) == "age_per_10"
    assert default_name("crp", "log") == "log_crp"
    assert default_name("x", "per_units", 2.5) == "x_per_2_5"
