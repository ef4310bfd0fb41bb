"""Table 1 defaults describe every variable except identifiers and site codes."""

from __future__ import annotations

from pathlib import Path

from modules.table1 import controls as tc
from utils import data_io

DATA = Path(__file__).resolve().parents[3] / "data"


def test_lung_table1_default_leaves_out_inst_and_the_row_number():
    ds = data_io.read_table(DATA / "lung.csv")
    chosen = tc.default_variables(ds, "sex")
    assert "inst" not in chosen and "column_1" not in chosen and "sex" not in chosen
    assert {"time", "status", "age", "ph.ecog", "ph.karno"} <= set(chosen)
    assert "inst" in tc.variable_choices(ds, "sex")  # still there for whoever wants it
