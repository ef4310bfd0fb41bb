"""modules/shared/per_dataset.py: a choices function runs once per data set and arguments, each
caller gets its own copy, and a new Dataset (a label edit) is asked again."""

from __future__ import annotations

import dataclasses
import gc

import pandas as pd

from modules.shared import per_dataset as memo
from modules.shared.per_dataset import per_dataset
from utils.data_io import dataset_from_frame
from utils.dataset import Dataset


def test_choices_are_computed_once_per_data_set_and_arguments():
    calls: list[tuple] = []

    @per_dataset
    def choices(dataset: Dataset, exclude=()) -> dict[str, str]:
        calls.append(tuple(exclude))
        return {n: dataset.label(n) for n in dataset.columns if n not in exclude}

    data = dataset_from_frame(pd.DataFrame({"a": [1, 2], "b": [3, 4]}), "t")
    assert choices(data, ["a"]) == {"b": "b"}
    assert choices(data, ["a"]) == {"b": "b"}
    assert choices(data, ("a",)) == {"b": "b"}  # a list and a tuple of the same names
    assert choices(data) == {"a": "a", "b": "b"}
    assert calls == [("a",), ()]
    mine = choices(data)
    mine["a"] = "changed"  # a caller's copy: the next caller is not affected
    assert choices(data)["a"] == "a"
    relabelled = dataclasses.replace(
        data, columns={**data.columns, "a": dataclasses.replace(data.meta("a"), label="Age")}
    )
    assert choices(relabelled) == {"a": "Age", "b": "b"}
    assert len(calls) == 3


def test_an_answer_goes_with_its_data_set():
    @per_dataset
    def choices(dataset: Dataset) -> dict[str, str]:
        return dict.fromkeys(dataset.columns, "")

    data = dataset_from_frame(pd.DataFrame({"a": [1]}), "t")
    choices(data)
    key = id(data)
    assert key in memo._answers
    del data
    gc.collect()
    assert key not in memo._answers
