"""Datasets as bytes for the shared tab store: every column kind comes back as it was, and
anything that is not what dumps() wrote is refused, never built."""

import json

import numpy as np
import pandas as pd
import pytest

from prep.value_labels import ValueLabels
from utils import codec, dataset_codec
from utils.dataset import ColumnMeta, Dataset

STEPS = {codec.type_name(ValueLabels): ValueLabels}


def every_kind() -> Dataset:
    """Numbers, text, categories with value labels, dates, and missing values in each."""
    df = pd.DataFrame(
        {
            "age": [61.5, np.nan, 45.0, -np.inf],
            "n_visits": np.array([1, 2, 3, 4], dtype="int64"),
            "small": np.array([1, 2, 3, 250], dtype="uint8"),
            "flag": [True, False, True, True],
            "dose": pd.array([5, None, 7, 8], dtype="Int64"),
            "ratio": pd.array([0.5, None, 1.5, 2.0], dtype="Float64"),
            "smoker": pd.array([True, None, False, True], dtype="boolean"),
            "name": pd.Series(["Zoë", None, "O'Brien <b>", ""], dtype="str"),
            "mixed": pd.Series(["a", None, 3, np.nan], dtype=object),
            "sex": pd.Categorical(["Female", "Male", None, "Female"]),
            "stage": pd.Categorical(["I", "III", "II", None], ["I", "II", "III"], ordered=True),
            "code": pd.Categorical([1, 2, 2, None]),
            "admitted": pd.to_datetime(["2020-01-02", None, "2021-12-31", "1999-07-04"]),
            "seen": pd.to_datetime(  # with a time zone, a missing and a non-existent time
                ["2020-01-02 10:00", None, "2021-03-28 02:30", "2021-11-01 09:15"]
            )
            .tz_localize("Europe/Paris", ambiguous="NaT", nonexistent="NaT")
            .as_unit("ns"),
        }
    )
    meta = {
        c: ColumnMeta(c, "continuous", f"label of {c}", ("a", "b") if c == "sex" else (), 1)
        for c in df.columns
    }
    step = ValueLabels("code", (("1", "one"), ("2", "two")))
    return Dataset(
        df,
        name="trial.csv",
        fingerprint="f" * 32,
        columns=meta,
        notes=("Read as UTF-8.",),
        separator=";",
        decimal=",",
        read_options=(("format", "text"), ("sep", ";"), ("columns", ("age", "sex"))),
        steps=(step,),
    )


def test_every_column_kind_round_trips_exactly():
    ds = every_kind()
    back = dataset_codec.loads(dataset_codec.dumps(ds), STEPS)
    pd.testing.assert_frame_equal(back.df, ds.df, check_exact=True)
    assert list(back.df.dtypes) == list(ds.df.dtypes)
    assert back.df["mixed"].iloc[1] is None and np.isnan(back.df["mixed"].iloc[3])
    assert back.df["stage"].cat.ordered
    for name in ("name", "fingerprint", "columns", "notes", "separator", "decimal"):
        assert getattr(back, name) == getattr(ds, name), name
    assert back.read_options == ds.read_options
    assert back.steps == ds.steps


def test_an_empty_table_and_one_without_columns_round_trip():
    for df in (pd.DataFrame({"x": pd.Series([], dtype="float64")}), pd.DataFrame()):
        ds = Dataset(df, "e", "fp", {c: ColumnMeta(c, "continuous", c) for c in df.columns})
        back = dataset_codec.loads(dataset_codec.dumps(ds)).df
        pd.testing.assert_frame_equal(back, df, check_column_type=False)


def test_a_step_type_off_the_allow_list_is_refused():
    with pytest.raises(codec.CodecError):
        dataset_codec.loads(dataset_codec.dumps(every_kind()), {})


@pytest.mark.parametrize("cut", [1, 7, -1, -20])
def test_a_truncated_or_padded_value_is_refused(cut):
    raw = dataset_codec.dump_frame(every_kind().df)
    damaged = raw[:cut] if cut < 0 else raw + b"\x00" * cut
    with pytest.raises(codec.CodecError):
        dataset_codec.load_frame(damaged)


def header_and_body(df):
    raw = dataset_codec.dump_frame(df)
    end = raw.index(b"\n")
    return json.loads(raw[:end]), raw[end + 1 :]


@pytest.mark.parametrize(
    "change",
    [
        lambda h: h["columns"][0].update(dtype="object; import os"),
        lambda h: h["columns"][0].update(dtype="complex128"),
        lambda h: h["columns"][0].update(codes="float64"),
        lambda h: h["columns"][0].update(categories=[]),  # codes out of range
        lambda h: h.update(rows=3),
        lambda h: h.update(format="pickle"),
        lambda h: h["columns"][0]["parts"][0].__setitem__(1, -5),
    ],
)
def test_a_header_that_does_not_add_up_is_refused(change):
    header, body = header_and_body(pd.DataFrame({"c": pd.Categorical(["a", "b", "a", "b"])}))
    change(header)
    with pytest.raises(codec.CodecError):
        dataset_codec.load_frame(json.dumps(header).encode() + b"\n" + body)


def test_descriptions_that_do_not_match_the_frame_are_refused():
    ds = every_kind()
    meta = json.loads(dataset_codec.meta_json(ds))
    meta["meta"] = meta["meta"][:-1]
    with pytest.raises(codec.CodecError):
        dataset_codec.with_meta(ds.df, json.dumps(meta), STEPS)


def test_an_object_column_of_other_values_is_not_stored():
    df = pd.DataFrame({"x": pd.Series([{"a": 1}, object()], dtype=object)})
    with pytest.raises(codec.CodecError):
        dataset_codec.dump_frame(df)
    with pytest.raises(codec.CodecError):
        dataset_codec.dump_frame(df.set_index(pd.Index([5, 9])))
