"""Correlation defaults skip identifiers, site codes and dates typed as numbers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modules.correlation import controls as cc
from utils import data_io


def test_default_columns_skip_codes_and_stop_at_eight():
    rng = np.random.default_rng(10)
    n = 150
    columns = {
        "record": rng.permutation(np.arange(1, n + 1)) + 300,
        "site": rng.integers(1, 40, n),
        "visit_date": rng.choice([20220101, 20220315, 20230601, 20231231], n),
    }
    columns.update({f"lab{i}": rng.normal(0, 1, n) for i in range(10)})
    ds = data_io.dataset_from_frame(pd.DataFrame(columns), name="t")
    assert cc.default_columns(ds, cc.numeric_columns(ds)) == [f"lab{i}" for i in range(8)]
