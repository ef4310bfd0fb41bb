"""Stored field values checked against the declared types of a result dataclass."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd
import pytest

from analyses.fit_records import OutcomeFit
from tests.unit.utils.conftest import outcome_fit
from utils import codec
from utils.result_schema import SchemaError, check_fields, conforms


@dataclass(frozen=True)
class Sample:
    name: str
    n: int
    share: float | None
    tags: tuple[str, ...]
    pair: tuple[int, str]
    table: pd.DataFrame
    by_name: dict[str, float]
    mode: Literal["a", "b"] = "a"


@pytest.mark.parametrize(
    ("value", "hint", "ok"),
    [
        ("x", str, True),
        (["x"], str, False),
        ({"$": "dict"}, str, False),
        (3, float, True),
        (math.nan, float, True),
        (True, float, False),
        (True, int, False),
        (2.0, int, False),
        (None, float | None, True),
        ("1", float | None, False),
        (("a", "b"), tuple[str, ...], True),
        (("a", 1), tuple[str, ...], False),
        (["a"], tuple[str, ...], False),
        ((1, "a"), tuple[int, str], True),
        ((1,), tuple[int, str], False),
        ({"a": 1.0}, dict[str, float], True),
        ({"a": "1"}, dict[str, float], False),
        ("a", Literal["a", "b"], True),
        ("c", Literal["a", "b"], False),
        (pd.DataFrame(), pd.DataFrame, True),
        ([], pd.DataFrame, False),
    ],
)
def test_conforms(value, hint, ok):
    assert conforms(value, hint) is ok


def test_a_field_of_the_wrong_type_is_named():
    with pytest.raises(SchemaError, match=r"Sample\.n is a list"):
        check_fields(Sample, {"name": "x", "n": [1]})


def test_the_codec_refuses_wrong_field_types_before_building():
    """A well-formed encoding of an OutcomeFit whose numbers are strings: never built."""
    text = codec.to_json(outcome_fit()).replace('"n_used":118', '"n_used":"118"')
    with pytest.raises(codec.CodecError, match="n_used"):
        codec.from_json(text, [OutcomeFit])
    assert codec.from_json(codec.to_json(outcome_fit()), [OutcomeFit]) == outcome_fit()


def test_a_table_must_have_exactly_the_columns_its_type_declares():
    @dataclass(frozen=True)
    class Declared:
        TABLE_COLUMNS = {"table": ("variable", "estimate")}
        table: pd.DataFrame
        other: pd.DataFrame

    good = pd.DataFrame({"estimate": [1.0], "variable": ["age"]})  # any order
    check_fields(Declared, {"table": good, "other": pd.DataFrame({"anything": [1]})})
    for bad in (
        good.drop(columns=["estimate"]),
        good.assign(extra=1),
        pd.DataFrame([[1.0, "age", 2.0]], columns=["estimate", "variable", "variable"]),
        pd.DataFrame({0: [1.0], "variable": ["age"]}),
    ):
        with pytest.raises(SchemaError, match="Declared.table has other columns"):
            check_fields(Declared, {"table": bad, "other": good})
