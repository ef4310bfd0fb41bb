"""What stratifying a Cox model and asking for subgroups and interactions cost.

Run: .venv/bin/python -m bench.subgroups [--rows 20000]   (writes bench/results/subgroups.json)
Data: bench/data_gen.py's clinical frame with a follow-up time drawn from the same risk
(exponential, censored at 5 years). Measured: one Cox fit of 5 covariates without and with
4 strata (complete cases; the vectorised Efron fitter, which the app uses at this size), and
the whole Outcome and Survival analyses without and with an exposure, 2 subgroup variables
(7 levels) and one interaction pair.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from analyses import outcome, survival
from analyses.specs import OutcomeSpec, SurvivalSpec
from analyses.survival_cox import fit_cox
from bench import harness
from bench.data_gen import clinical_frame

REPEATS = 5


def timed(work, repeats: int = REPEATS) -> dict[str, float]:
    return harness.timed(work, repeats)  # this bench's default number of calls


COVARIATES = ("age", "sex", "diabetes", "stage", "creatinine")
FACTORS = ("sex", "diabetes", "stage", "asa")


def cohort(rows: int) -> pd.DataFrame:
    df = clinical_frame(rows)
    rng = np.random.default_rng(7)
    risk = np.exp(0.03 * (df["age"] - 60) + 0.4 * (df["stage"] == "IV"))
    time_to_event = rng.exponential(4.0 / risk)
    df["time"] = np.minimum(time_to_event, 5.0).round(3)
    df["status"] = (time_to_event <= 5.0).astype(int)
    return df


def measure(rows: int) -> dict[str, Any]:
    df = cohort(rows)
    base = SurvivalSpec(
        event="status", event_level="1", time="time", covariates=COVARIATES, categorical=FACTORS
    )
    x = np.column_stack(
        [df["age"], df["sex"] == "Male", df["diabetes"] == "Yes", df["stage"] == "IV",
         df["creatinine"]]
    ).astype(float)  # fmt: skip
    complete = ~np.isnan(x).any(axis=1) & df["asa"].notna().to_numpy()
    x = x[complete]
    t, e = df["time"].to_numpy(float)[complete], df["status"].to_numpy(float)[complete]
    strata = pd.factorize(df["asa"][complete])[0]
    modifiers = {"subgroup_exposure": "age", "subgroups": ("sex", "stage"),
                 "interactions": (("age", "sex"),)}  # fmt: skip
    o_base = OutcomeSpec("died", COVARIATES, event="Yes", screen_p=None, categorical=FACTORS)
    return {
        "rows": rows,
        "events": int(e.sum()),
        "cox_fit_ms": {
            "vectorised": timed(lambda: fit_cox(t, e, x, max_work=0)),
            "vectorised_4_strata": timed(lambda: fit_cox(t, e, x, max_work=0, strata=strata)),
        },
        "survival_analysis_ms": {
            "plain": timed(lambda: survival.analyze(df, base), 3),
            "stratified_by_asa": timed(
                lambda: survival.analyze(df, replace(base, strata=("asa",))), 3
            ),
            "with_subgroups_and_interaction": timed(
                lambda: survival.analyze(df, replace(base, **modifiers)), 3
            ),
        },
        "outcome_analysis_ms": {
            "plain": timed(lambda: outcome.analyze(df, o_base), 3),
            "with_subgroups_and_interaction": timed(
                lambda: outcome.analyze(df, replace(o_base, **modifiers)), 3
            ),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args(argv)
    r = measure(args.rows)
    cox, surv, out = r["cox_fit_ms"], r["survival_analysis_ms"], r["outcome_analysis_ms"]
    plain_fit = cox["vectorised"]["median"]
    rows = [
        ("Cox fit, vectorised", plain_fit, 1.0),
        ("  with 4 strata", cox["vectorised_4_strata"]["median"],
         cox["vectorised_4_strata"]["median"] / plain_fit),
        ("Survival analysis", surv["plain"]["median"], 1.0),
        ("  stratified by ASA", surv["stratified_by_asa"]["median"],
         surv["stratified_by_asa"]["median"] / surv["plain"]["median"]),
        ("  + 2 subgroups (7 levels), 1 interaction",
         surv["with_subgroups_and_interaction"]["median"],
         surv["with_subgroups_and_interaction"]["median"] / surv["plain"]["median"]),
        ("Outcome analysis", out["plain"]["median"], 1.0),
        ("  + 2 subgroups (7 levels), 1 interaction",
         out["with_subgroups_and_interaction"]["median"],
         out["with_subgroups_and_interaction"]["median"] / out["plain"]["median"]),
    ]  # fmt: skip
    harness.table(
        f"strata, subgroups and interactions on {args.rows:,} patients ({r['events']:,} events)",
        ["what", "ms (median)", "x plain"],
        rows,
    )
    harness.write_result("subgroups", "python -m bench.subgroups", r)
    return r


if __name__ == "__main__":
    main()
