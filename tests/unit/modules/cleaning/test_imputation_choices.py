"""The imputation card's choices: numbers and categories, identifiers left out, in file order,
with identifiers looked for among the first SCAN_COLUMNS as every tab's defaults are."""

from __future__ import annotations

import numpy as np
import pandas as pd

from modules.cleaning.imputation import eligible
from modules.shared.column_roles import SCAN_COLUMNS
from utils.data_io import dataset_from_frame


def test_identifiers_and_text_are_not_offered_and_the_order_is_the_file_s():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "patient_id": np.arange(1, 201),
            "age": rng.normal(60, 10, 200).round(),
            "note": [f"free text {i}" for i in range(200)],
            "sex": rng.choice(["M", "F"], 200),
            "crp": rng.gamma(2, 5, 200),
        }
    )
    ds = dataset_from_frame(frame, name="cohort.csv")
    assert eligible(ds) == ["age", "sex", "crp"]


def test_a_wide_file_is_scanned_for_identifiers_only_at_its_head():
    rng = np.random.default_rng(2)
    n = 60
    columns = {"patient_id": np.arange(1, n + 1)}
    columns |= {f"v{i}": rng.normal(size=n) for i in range(SCAN_COLUMNS + 50)}
    ds = dataset_from_frame(pd.DataFrame(columns), name="wide.csv")
    offered = eligible(ds)
    assert "patient_id" not in offered
    assert offered == [f"v{i}" for i in range(SCAN_COLUMNS + 50)]
