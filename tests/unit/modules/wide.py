"""A wide dataset built in code (no reading, no kind detection): an outcome 'died', then
columns of four kinds in turn, for the tests that the page stays bounded whatever the width."""

from __future__ import annotations

import numpy as np
import pandas as pd

from utils.dataset import ColumnMeta, Dataset

KINDS = ("binary", "categorical", "continuous", "count")


def wide_dataset(columns: int, rows: int = 20, seed: int = 17) -> Dataset:
    rng = np.random.default_rng(seed)
    data = {"died": rng.choice(["no", "yes"], size=rows)}
    meta = {"died": ColumnMeta("died", "binary", "died", ("no", "yes"))}
    for i in range(1, columns):
        name, kind = f"v{i:05d}", KINDS[i % 4]
        if kind == "binary":
            data[name], levels = rng.choice(["no", "yes"], size=rows), ("no", "yes")
        elif kind == "categorical":
            data[name], levels = rng.choice(["a", "b", "c"], size=rows), ("a", "b", "c")
        elif kind == "continuous":
            data[name], levels = rng.normal(50, 10, size=rows), ()
        else:
            data[name], levels = rng.poisson(3, size=rows), ()
        meta[name] = ColumnMeta(name, kind, name, levels)
    df = pd.DataFrame(data)
    return Dataset(df=df, name=f"wide{columns}.csv", fingerprint=f"wide{columns}", columns=meta)
