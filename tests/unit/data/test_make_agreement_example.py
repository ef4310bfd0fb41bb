"""The agreement example: the committed CSV is what its generator writes, and it shows what it
was built to show (close nurses, a device with proportional bias, graders who mostly agree)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

from analyses.agreement import analyze
from analyses.specs import AgreementSpec

DATA = Path(__file__).resolve().parents[3] / "data"


def _generator():
    spec = importlib.util.spec_from_file_location(
        "make_agreement", DATA / "make_agreement_example.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_committed_csv_is_the_generator_s_output():
    made = _generator().simulate(np.random.default_rng(_generator().SEED))
    committed = pd.read_csv(DATA / "example_agreement.csv")
    pd.testing.assert_frame_equal(made.astype(float), committed.astype(float))


def test_the_example_shows_agreement_and_proportional_bias():
    df = pd.read_csv(DATA / "example_agreement.csv")
    nurses = analyze(df, AgreementSpec(raters=("sbp_nurse_a", "sbp_nurse_b")))
    assert nurses.icc.set_index("form").loc["ICC2", "estimate"] > 0.9
    assert nurses.summary.ba_slope_p > 0.05 and nurses.summary.n_dropped == 4
    device = analyze(df, AgreementSpec(raters=("sbp_nurse_a", "sbp_device")))
    assert device.summary.ba_slope_p < 0.05
    grades = analyze(df, AgreementSpec(raters=("stenosis_r1", "stenosis_r2"), scale="ordinal"))
    assert 0.6 < grades.kappas["estimate"].iloc[2] < 0.95
