"""The buffers' key finds a frame's description again only while the frame is unchanged."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from utils import data_io
from utils.dataset import fingerprint_frame
from utils.frame_key import FrameMemo, frame_key


def _frame(n: int = 200, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "y": rng.integers(0, 2, n),
            "age": rng.normal(60, 10, n),
            "sex": rng.choice(["M", "F"], n),
            "grade": pd.Categorical(rng.choice(["I", "II", "III"], n)),
            "count": pd.array(rng.integers(0, 5, n), dtype="Int64"),
            "seen": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), "D"),
        }
    )


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, df: pd.DataFrame) -> str:
        self.calls += 1
        return fingerprint_frame(df)


def test_the_same_frame_is_described_once():
    memo, compute, df = FrameMemo(), Counting(), _frame()
    first = memo.get(df, compute)
    assert memo.get(df, compute) == first
    assert compute.calls == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda df: df.__setitem__("age", df["age"] + 0.0 * df.index + 1e-9),
        lambda df: df.loc.__setitem__((3, "age"), 99.5),
        lambda df: df.loc.__setitem__((3, "sex"), "X"),
        lambda df: df.loc.__setitem__((3, "sex"), "M" if df.loc[3, "sex"] == "F" else "F"),
        lambda df: df.__setitem__("grade", df["grade"].cat.rename_categories(["a", "b", "c"])),
        lambda df: df.loc.__setitem__((5, "count"), pd.NA),
        lambda df: df.loc.__setitem__((5, "seen"), pd.Timestamp("1999-01-01")),
        lambda df: setattr(df, "columns", [*df.columns[:-1], "Seen"]),
        lambda df: setattr(df, "index", pd.Index(np.arange(len(df)) * 2)),
    ],
    ids=["column", "number", "text", "text-swap", "categories", "mask", "date", "name", "index"],
)
def test_any_change_in_place_is_a_new_key(change):
    memo, compute, df = FrameMemo(), Counting(), _frame()
    before = memo.get(df, compute)
    change(df)
    after = memo.get(df, compute)
    assert compute.calls == 2
    assert after == fingerprint_frame(df) != before


def test_equal_content_in_another_frame_gets_the_same_fingerprint():
    memo, compute = FrameMemo(), Counting()
    assert memo.get(_frame(), compute) == memo.get(_frame(), compute)


def test_freed_text_never_lends_its_address_to_other_text():
    """One-cell frames of fresh strings made and dropped in turn: a freed string's address
    is soon given to the next string of its size, so were the memo not holding the strings
    of its entries, a new frame would find an old frame's key and its fingerprint."""
    memo = FrameMemo(frames=2)
    for i in range(100):
        df = pd.DataFrame({"t": pd.array([f"value {i:06d}"], dtype=object)})
        assert memo.get(df, fingerprint_frame) == fingerprint_frame(df)
        del df


def test_a_column_type_it_cannot_read_is_computed_every_time():
    memo, compute = FrameMemo(), Counting()
    df = pd.DataFrame({"span": pd.arrays.IntervalArray.from_breaks([0, 1, 2, 3])})
    assert frame_key(df) is None
    memo.get(df, compute)
    memo.get(df, compute)
    assert compute.calls == 2


def test_dataset_from_frame_keeps_its_description_for_the_same_frame():
    df = _frame()
    first = data_io.dataset_from_frame(df)
    again = data_io.dataset_from_frame(df)
    assert again.fingerprint == first.fingerprint == fingerprint_frame(df)
    assert again.columns == first.columns
    df.loc[0, "age"] = -1.0
    assert data_io.dataset_from_frame(df).fingerprint == fingerprint_frame(df) != first.fingerprint
