"""The example data set: the committed CSV is what the generator writes, and it reads as meant."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from utils.data_io import read_table

EXAMPLE = Path(__file__).resolve().parents[3] / "data" / "example_clinical.csv"


def test_example_csv_loads_with_expected_kinds():
    dataset = read_table(EXAMPLE)
    kinds = {name: meta.kind for name, meta in dataset.columns.items()}
    assert kinds == {
        "patient_id": "id",
        "age": "continuous",
        "sex": "binary",
        "bmi": "continuous",
        "smoking": "categorical",
        "diabetes": "binary",
        "hypertension": "binary",
        "asa_class": "categorical",
        "albumin": "continuous",
        "creatinine": "continuous",
        "crp": "continuous",
        "surgery_type": "categorical",
        "admission_date": "date",
        "notes": "text",
        "complication": "binary",
    }
    assert len(dataset.df) == 500
    assert dataset.meta("asa_class").levels == ("I", "II", "III", "IV")
    assert dataset.meta("complication").levels == ("No", "Yes")
    for column in ("bmi", "smoking", "albumin", "crp"):
        assert 0.03 * 500 <= dataset.meta(column).n_missing <= 0.09 * 500


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_example", EXAMPLE.with_name("make_example.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_csv_is_what_the_generator_writes():
    module = _generator()
    frame = module.simulate(np.random.default_rng(module.SEED))
    assert frame.to_csv(index=False, lineterminator="\n") == EXAMPLE.read_text(encoding="utf-8")


def test_a_logistic_fit_recovers_the_simulated_odds_ratios():
    # Reference: the generator's own TRUE_ODDS_RATIOS; statsmodels fitted directly on the CSV.
    module = _generator()
    truth = module.TRUE_ODDS_RATIOS
    df = pd.read_csv(EXAMPLE).dropna(subset=["smoking", "albumin", "crp"])
    df = df.assign(
        y=(df["complication"] == "Yes").astype(int),
        age10=df["age"] / 10,
        albumin_lower=-df["albumin"],
        crp50=df["crp"] / 50,
        asa=df["asa_class"].replace({"I": "I-II", "II": "I-II"}),
    )
    fit = smf.logit(
        "y ~ age10 + C(sex, Treatment('Female')) + C(smoking, Treatment('Never'))"
        " + C(diabetes, Treatment('No')) + C(asa, Treatment('I-II')) + albumin_lower + crp50"
        " + C(surgery_type, Treatment('Colorectal'))",
        df,
    ).fit(disp=0)
    terms = {
        "age10": "age (per 10 years)",
        "C(sex, Treatment('Female'))[T.Male]": "sex Male vs Female",
        "C(smoking, Treatment('Never'))[T.Current]": "smoking Current vs Never",
        "C(smoking, Treatment('Never'))[T.Former]": "smoking Former vs Never",
        "C(diabetes, Treatment('No'))[T.Yes]": "diabetes Yes vs No",
        "C(asa, Treatment('I-II'))[T.III]": "asa_class III vs I-II",
        "C(asa, Treatment('I-II'))[T.IV]": "asa_class IV vs I-II",
        "albumin_lower": "albumin (per 1 g/dL lower)",
        "crp50": "crp (per 50 mg/L)",
        "C(surgery_type, Treatment('Colorectal'))[T.Hepatobiliary]": (
            "surgery_type Hepatobiliary vs Colorectal"
        ),
        "C(surgery_type, Treatment('Colorectal'))[T.Upper GI]": (
            "surgery_type Upper GI vs Colorectal"
        ),
        "C(surgery_type, Treatment('Colorectal'))[T.Hernia repair]": (
            "surgery_type Hernia repair vs Colorectal"
        ),
    }
    ci = np.exp(fit.conf_int())
    for term, name in terms.items():
        assert ci.loc[term, 0] < truth[name] < ci.loc[term, 1], term
    for term in ("age10", "albumin_lower", "C(smoking, Treatment('Never'))[T.Current]"):
        assert fit.pvalues[term] < 0.01, term
