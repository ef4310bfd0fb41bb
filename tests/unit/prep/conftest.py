"""Small data sets made in code for the preparation steps."""

import numpy as np
import pandas as pd
import pytest

from utils.data_io import dataset_from_frame
from utils.dataset import Dataset


@pytest.fixture
def patients() -> Dataset:
    """Ten patients: ages 10..100 (one missing), coded sex, a stage, weight and height."""
    df = pd.DataFrame(
        {
            "age": [10, 20, 30, 40, 50, 60, 70, 80, 90, np.nan],
            "sex": [1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
            "stage": ["I", "II", "III", "IV", "I", "II", "III", "IV", "I", None],
            "weight": [50.0, 60, 70, 80, 90, 100, 110, 120, 130, 140],
            "height": [150.0, 160, 170, 180, 190, 0, 170, 180, 190, np.nan],
            "Weight (kg)": [1.0] * 10,
            "visit": pd.to_datetime(["2024-01-01"] * 5 + ["2024-01-11"] * 5),
        }
    )
    return dataset_from_frame(df, "patients.csv")
