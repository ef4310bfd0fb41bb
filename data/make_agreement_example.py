"""Write data/example_agreement.csv: 120 simulated patients measured and graded twice or more,
for the Agreement tab (upload it on the Data tab).

- `sbp_nurse_a`, `sbp_nurse_b`: systolic blood pressure (mmHg) by two nurses with a manual
  cuff: no bias, within-patient SD 4 mmHg each (ICC high, limits of agreement about ±11).
- `sbp_device`: an automated cuff reading 3 mmHg high at 120 mmHg and 10% more above that
  (proportional bias: Bland–Altman against a nurse shows the slope).
- `stenosis_r1`..`stenosis_r3`: three radiologists' grades 0–3 of the same angiograms, each
  the true grade moved one step in 20% of reads (Cohen's weighted kappa, Fleiss' kappa).
A few readings are missing (as in real studies), so the tab says how many it left out.
The seed is fixed: the file is the same on every run. Run: python data/make_agreement_example.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 14
N_PATIENTS = 120
OUTPUT = Path(__file__).with_name("example_agreement.csv")


def simulate(rng: np.random.Generator, n: int = N_PATIENTS) -> pd.DataFrame:
    """One row per patient: three blood pressures and three radiologists' grades."""
    true_sbp = rng.normal(135, 18, n)
    nurse_a = true_sbp + rng.normal(0, 4, n)
    nurse_b = true_sbp + rng.normal(0, 4, n)
    device = 3 + true_sbp + 0.10 * (true_sbp - 120) + rng.normal(0, 5, n)
    grade = rng.choice(4, n, p=[0.35, 0.3, 0.2, 0.15])

    def read() -> np.ndarray:
        step = np.where(rng.random(n) < 0.2, rng.choice([-1, 1], n), 0)
        return np.clip(grade + step, 0, 3)

    df = pd.DataFrame(
        {
            "patient_id": np.arange(1001, 1001 + n),
            "sbp_nurse_a": nurse_a.round(),
            "sbp_nurse_b": nurse_b.round(),
            "sbp_device": device.round(),
            "stenosis_r1": read(),
            "stenosis_r2": read(),
            "stenosis_r3": read(),
        }
    )
    for column, rows in (("sbp_nurse_b", 4), ("sbp_device", 3), ("stenosis_r3", 5)):
        df.loc[rng.choice(n, rows, replace=False), column] = np.nan
    for column in df.columns[1:]:
        df[column] = df[column].astype("Int64")
    return df


def main() -> None:
    """Simulate with the fixed seed and write the CSV next to this script."""
    simulate(np.random.default_rng(SEED)).to_csv(OUTPUT, index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
