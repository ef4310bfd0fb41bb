"""Write data/example_clinical.csv: 500 simulated surgical patients and 30-day complications,
and data/example_codebook.csv, its data dictionary in REDCap's layout (for the Data cleaning
tab's codebook matching: its variable names differ from the columns, as they often do).

The outcome is drawn from a logistic model with known odds ratios (TRUE_ODDS_RATIOS), so an
analysis of the file should find those associations (and none for BMI or hypertension).
The seed is fixed: the file is the same on every run. Run: python data/make_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 42
N_PATIENTS = 500
OUTPUT = Path(__file__).with_name("example_clinical.csv")
CODEBOOK = Path(__file__).with_name("example_codebook.csv")
CODEBOOK_HEADER = [
    "Variable / Field Name",
    "Form Name",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Text Validation Type OR Show Slider Number",
]
# variable, field type, label, choices, validation: one row per column of the example.
CODEBOOK_ROWS = [
    ("pt_id", "text", "Patient ID", "", ""),
    ("age_years", "text", "Age (years)", "", "integer"),
    ("gender", "radio", "Sex", "1, Male | 2, Female", ""),
    ("bmi_kgm2", "text", "Body mass index (kg/m2)", "", "number"),
    ("smoking_status", "dropdown", "Smoking status", "0, Never | 1, Former | 2, Current", ""),
    ("dm", "yesno", "Diabetes mellitus", "", ""),
    ("htn", "yesno", "Hypertension", "", ""),
    ("asa", "dropdown", "ASA physical status", "1, I | 2, II | 3, III | 4, IV", ""),
    ("alb_gdl", "text", "Serum albumin (g/dL)", "", "number"),
    ("creat", "text", "Serum creatinine (mg/dL)", "", "number"),
    ("crp_mg_l", "text", "C-reactive protein (mg/L)", "", "number"),
    (
        "procedure",
        "dropdown",
        "Type of surgery",
        "1, Colorectal | 2, Hepatobiliary | 3, Upper GI | 4, Hernia repair",
        "",
    ),  # fmt: skip
    ("admission_dt", "text", "Date of admission", "", "date_ymd"),
    ("comments", "notes", "Clinical notes", "", ""),
    ("complications", "yesno", "Any complication within 30 days", "", ""),
]

# Odds ratios of a 30-day complication used to simulate the outcome (the "truth").
TRUE_ODDS_RATIOS = {
    "age (per 10 years)": 1.5,
    "sex Male vs Female": 1.3,
    "smoking Former vs Never": 1.3,
    "smoking Current vs Never": 2.0,
    "diabetes Yes vs No": 1.8,
    "asa_class III vs I-II": 1.9,
    "asa_class IV vs I-II": 3.5,
    "albumin (per 1 g/dL lower)": 2.0,
    "crp (per 50 mg/L)": 1.4,
    "surgery_type Hepatobiliary vs Colorectal": 1.8,
    "surgery_type Upper GI vs Colorectal": 1.5,
    "surgery_type Hernia repair vs Colorectal": 0.4,
    "bmi": 1.0,
    "hypertension": 1.0,
}
INTERCEPT = -1.6  # gives about one complication in four

_OPENERS = ["Elective", "Urgent", "Emergency", "Day-case", "Scheduled"]
_COURSE = [
    "uneventful recovery",
    "slow mobilisation",
    "drain removed day 2",
    "pain controlled with oral analgesia",
    "transfused 1 unit",
    "ICU overnight",
    "nasogastric tube day 1",
    "early feeding",
    "wound checked day 3",
    "epidural analgesia",
]
_EXTRA = ["", "", "", "; family informed", "; anticoagulation held", "; interpreter used"]


def simulate(rng: np.random.Generator, n: int = N_PATIENTS) -> pd.DataFrame:
    """One row per patient: covariates, free-text notes and the simulated outcome."""
    age = np.clip(rng.normal(62, 13, n), 18, 95).round()
    sex = rng.choice(["Female", "Male"], n, p=[0.46, 0.54])
    bmi = np.clip(rng.normal(27, 5, n), 15, 55).round(1)
    smoking = rng.choice(["Never", "Former", "Current"], n, p=[0.5, 0.3, 0.2])
    diabetes = np.where(rng.random(n) < 0.12 + 0.004 * (age - 40).clip(0), "Yes", "No")
    hypertension = np.where(rng.random(n) < 0.15 + 0.008 * (age - 40).clip(0), "Yes", "No")
    asa_score = np.clip(
        1 + rng.binomial(2, 0.4 + 0.004 * (age - 60).clip(-20, 30), n) + rng.binomial(1, 0.12, n),
        1,
        4,
    )
    asa_class = np.array(["I", "II", "III", "IV"])[asa_score - 1]
    albumin = np.clip(rng.normal(4.0 - 0.15 * (asa_score - 2), 0.5, n), 1.8, 5.2).round(1)
    creatinine = np.exp(rng.normal(np.log(0.95), 0.3, n)).round(2)
    crp = np.exp(rng.normal(np.log(12), 1.0, n)).clip(0.5, 350).round(1)
    surgery_type = rng.choice(
        ["Colorectal", "Hepatobiliary", "Upper GI", "Hernia repair"], n, p=[0.35, 0.2, 0.2, 0.25]
    )
    admission = pd.Timestamp("2021-01-04") + pd.to_timedelta(rng.integers(0, 3 * 365, n), "D")
    notes = [f"{rng.choice(_OPENERS)}; {rng.choice(_COURSE)}{rng.choice(_EXTRA)}" for _ in range(n)]

    log_or = {k: np.log(v) for k, v in TRUE_ODDS_RATIOS.items()}
    linear = (
        INTERCEPT
        + log_or["age (per 10 years)"] * (age - 60) / 10
        + log_or["sex Male vs Female"] * (sex == "Male")
        + log_or["smoking Former vs Never"] * (smoking == "Former")
        + log_or["smoking Current vs Never"] * (smoking == "Current")
        + log_or["diabetes Yes vs No"] * (diabetes == "Yes")
        + log_or["asa_class III vs I-II"] * (asa_score == 3)
        + log_or["asa_class IV vs I-II"] * (asa_score == 4)
        + log_or["albumin (per 1 g/dL lower)"] * (4.0 - albumin)
        + log_or["crp (per 50 mg/L)"] * crp / 50
        + log_or["surgery_type Hepatobiliary vs Colorectal"] * (surgery_type == "Hepatobiliary")
        + log_or["surgery_type Upper GI vs Colorectal"] * (surgery_type == "Upper GI")
        + log_or["surgery_type Hernia repair vs Colorectal"] * (surgery_type == "Hernia repair")
    )
    complication = rng.random(n) < 1 / (1 + np.exp(-linear))

    df = pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in range(1, n + 1)],
            "age": age.astype(int),
            "sex": sex,
            "bmi": bmi,
            "smoking": smoking,
            "diabetes": diabetes,
            "hypertension": hypertension,
            "asa_class": asa_class,
            "albumin": albumin,
            "creatinine": creatinine,
            "crp": crp,
            "surgery_type": surgery_type,
            "admission_date": admission.strftime("%Y-%m-%d"),
            "notes": notes,
            "complication": np.where(complication, "Yes", "No"),
        }
    )
    # Missing at random in a few covariates, as in a real chart review.
    for column, share in {"bmi": 0.04, "smoking": 0.04, "albumin": 0.07, "crp": 0.05}.items():
        df[column] = df[column].mask(rng.random(n) < share)
    return df


def codebook() -> pd.DataFrame:
    """The example's data dictionary, REDCap style."""
    rows = [
        (v, "baseline", t, label, choices, check) for v, t, label, choices, check in CODEBOOK_ROWS
    ]
    return pd.DataFrame(rows, columns=CODEBOOK_HEADER)


def main() -> None:
    """Simulate with the fixed seed and write the CSV and its codebook next to this script."""
    simulate(np.random.default_rng(SEED)).to_csv(OUTPUT, index=False, lineterminator="\n")
    codebook().to_csv(CODEBOOK, index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
