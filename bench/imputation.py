"""What multiple imputation costs: the chained equations (m = 20, 10 iterations) on the example
cohort and resampled to more patients, the Outcome model pooled over them (imputations
cached), the complete-case model alone, and a repeat from the cache, side by side.

Run: .venv/bin/python -m bench.imputation [--rows 500 5000]
(writes bench/results/imputation.json). The imputation model holds every number and category
of the example cohort (12 variables, 4 with missing values: bmi, smoking, albumin, crp).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace
from typing import Any

import pandas as pd

from bench import harness
from modules.outcome.controls import suggested_covariates
from utils.data_io import dataset_from_frame

VARIABLES = ("age", "sex", "bmi", "smoking", "diabetes", "hypertension", "asa_class",
             "albumin", "creatinine", "crp", "surgery_type", "complication")  # fmt: skip


def measure(rows: int, m: int = 20) -> dict[str, Any]:
    import logic

    frame = pd.read_csv("data/example_clinical.csv")
    if rows != len(frame):
        frame = frame.sample(rows, replace=True, random_state=1).reset_index(drop=True)
    ds = dataset_from_frame(frame, f"bench_{rows}.csv")
    settings = logic.imputation_spec(ds, VARIABLES, m=m)
    covariates = suggested_covariates(ds, "complication").selected
    plain = logic.outcome_spec(ds, "complication", covariates)
    pooled = replace(plain, imputation=settings)

    def once(kind: str, spec: Any) -> float:
        started = time.perf_counter()
        logic.run(kind, ds, spec)
        return (time.perf_counter() - started) * 1000

    logic.cache.clear()
    result = {
        "rows": rows,
        "m": m,
        "imputed_cells": int(frame[list(VARIABLES)].isna().sum().sum()),
        "complete_case_ms": harness.timed(lambda: _fresh(lambda: once("outcome", plain)), 3),
        "imputation_ms": once("imputation", settings),
        "pooled_ms": once("outcome", pooled),  # the imputations come from the cache
        "repeat_ms": harness.timed(lambda: once("outcome", pooled), 5),
    }
    imputed = logic.run("imputation", ds, settings)
    result["stored_kb"] = round(imputed.imputed.memory_usage(index=True, deep=True).sum() / 1024)
    # What m completed copies of the data would hold instead.
    result["copies_kb"] = round(m * frame.memory_usage(index=True, deep=True).sum() / 1024)
    return result


def _fresh(work):
    import logic

    logic.cache.clear()
    return work()


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[500, 5000])
    args = parser.parse_args(argv)
    results = [measure(rows) for rows in args.rows]
    table = []
    for r in results:
        cc = r["complete_case_ms"]["median"]
        table.append(
            (
                f"{r['rows']:,} rows",
                cc,
                round(r["imputation_ms"]),
                round(r["pooled_ms"]),
                r["repeat_ms"]["median"],
                f"x{(r['imputation_ms'] + r['pooled_ms']) / cc:.0f}",
                f"{r['stored_kb']:,} / {r['copies_kb']:,}",
            )
        )
    harness.table(
        "multiple imputation (ms): the complete-case Outcome model, the imputation (m = 20, "
        "10 iterations), the model pooled over it (imputations cached), a repeat (cache), "
        "their cost over the complete cases, the drawn values kept vs m copies of the data (KB)",
        ["data", "complete", "impute", "pooled", "repeat", "MI/complete", "kept/copies KB"],
        table,
    )
    harness.write_result("imputation", "python -m bench.imputation", {"runs": results})
    return {"runs": results}


if __name__ == "__main__":
    main()
