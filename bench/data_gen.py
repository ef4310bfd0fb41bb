"""Synthetic clinical data for the benchmarks: fixed seed, numbers and factors, some missing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20260101
OUTCOME = "died"
# The 13 covariates of the reference data set; 20 adds seven more of the same kinds.
COVARIATES_13 = (
    "age",
    "sex",
    "bmi",
    "smoking",
    "diabetes",
    "hypertension",
    "sbp",
    "creatinine",
    "stage",
    "asa",
    "albumin",
    "hemoglobin",
    "admission",
)
COVARIATES_20 = COVARIATES_13 + (
    "heart_rate",
    "wbc",
    "crp",
    "lactate",
    "copd",
    "steroids",
    "site",
)
FACTORS = {
    "sex": ("Female", "Male"),
    "smoking": ("Never", "Former", "Current"),
    "diabetes": ("No", "Yes"),
    "hypertension": ("No", "Yes"),
    "stage": ("I", "II", "III", "IV"),
    "asa": ("ASA 1", "ASA 2", "ASA 3", "ASA 4"),
    "admission": ("Elective", "Emergency", "Transfer"),
    "copd": ("No", "Yes"),
    "steroids": ("No", "Yes"),
    "site": ("Site A", "Site B", "Site C", "Site D", "Site E"),
}
# Share of values blanked at random, per column: real registries have holes in labs and BMI.
MISSING = {"bmi": 0.05, "smoking": 0.02, "creatinine": 0.03, "albumin": 0.08, "crp": 0.10}


def _factor(rng: np.random.Generator, levels: tuple[str, ...], n: int, p=None) -> np.ndarray:
    return rng.choice(np.array(levels, dtype=object), size=n, p=p)


def clinical_frame(rows: int, covariates: int = 13, seed: int = SEED) -> pd.DataFrame:
    """A cohort of `rows` patients: an id, 13 or 20 covariates and a yes/no outcome `died`."""
    if covariates not in (13, 20):
        raise ValueError("covariates must be 13 or 20")
    rng = np.random.default_rng(seed)
    n = rows
    cols: dict[str, np.ndarray] = {
        "age": np.clip(rng.normal(62, 14, n), 18, 98).round(0),
        "sex": _factor(rng, FACTORS["sex"], n),
        "bmi": rng.normal(27, 5, n).round(1),
        "smoking": _factor(rng, FACTORS["smoking"], n, [0.5, 0.3, 0.2]),
        "diabetes": _factor(rng, FACTORS["diabetes"], n, [0.78, 0.22]),
        "hypertension": _factor(rng, FACTORS["hypertension"], n, [0.6, 0.4]),
        "sbp": rng.normal(132, 18, n).round(0),
        "creatinine": np.exp(rng.normal(0, 0.35, n)).round(2),
        "stage": _factor(rng, FACTORS["stage"], n, [0.3, 0.3, 0.25, 0.15]),
        "asa": _factor(rng, FACTORS["asa"], n, [0.2, 0.45, 0.3, 0.05]),
        "albumin": rng.normal(38, 5, n).round(1),
        "hemoglobin": rng.normal(12.8, 1.8, n).round(1),
        "admission": _factor(rng, FACTORS["admission"], n, [0.55, 0.35, 0.10]),
    }
    if covariates == 20:
        cols |= {
            "heart_rate": rng.normal(84, 15, n).round(0),
            "wbc": np.exp(rng.normal(2.1, 0.35, n)).round(1),
            "crp": np.exp(rng.normal(2.5, 1.0, n)).round(1),
            "lactate": np.exp(rng.normal(0.3, 0.4, n)).round(1),
            "copd": _factor(rng, FACTORS["copd"], n, [0.85, 0.15]),
            "steroids": _factor(rng, FACTORS["steroids"], n, [0.9, 0.1]),
            "site": _factor(rng, FACTORS["site"], n),
        }
    # Risk rises with age, stage, ASA class, emergency admission and creatinine; about 15% die.
    lin = (
        -6.2
        + 0.045 * cols["age"]
        + 0.25 * (cols["sex"] == "Male")
        + 0.35 * (cols["diabetes"] == "Yes")
        + np.select(
            [cols["stage"] == "II", cols["stage"] == "III", cols["stage"] == "IV"],
            [0.3, 0.7, 1.3],
            0.0,
        )
        + 0.4 * (cols["asa"] == "ASA 3")
        + 0.9 * (cols["asa"] == "ASA 4")
        + 0.6 * (cols["admission"] == "Emergency")
        + 0.5 * np.log(cols["creatinine"])
        - 0.03 * (cols["albumin"] - 38)
    )
    died = rng.random(n) < 1.0 / (1.0 + np.exp(-lin))
    frame = pd.DataFrame({"patient_id": [f"P{i:07d}" for i in range(n)]})
    for name, values in cols.items():
        rate = MISSING.get(name, 0.0)
        if rate:
            values = values.copy()
            values[rng.random(n) < rate] = np.nan if values.dtype.kind == "f" else None
        frame[name] = values
    frame[OUTCOME] = np.where(died, "Yes", "No")
    return frame


def covariate_names(covariates: int = 13) -> tuple[str, ...]:
    """The covariate columns of clinical_frame(rows, covariates)."""
    return COVARIATES_13 if covariates == 13 else COVARIATES_20


def write_csv(path: Path, rows: int, covariates: int = 13) -> Path:
    """Write clinical_frame(rows, covariates) as CSV (for the app-level benchmarks)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    clinical_frame(rows, covariates).to_csv(path, index=False)
    return path
