"""What the Outcome tab's calibration and bootstrap options cost: the same analysis plain, with
calibration and decision curve, and with Harrell's bootstrap (200 samples), side by side.

Run: .venv/bin/python -m bench.outcome_performance [--rows 500 6000]
(writes bench/results/outcome_performance.json). The bootstrap is timed twice: with the
tab's default screening (repeated in each sample) and with every candidate in the model.
The data is the example cohort (data/example_clinical.csv), resampled with replacement to
the larger sizes, with the Outcome tab's default covariates; the model is maximum likelihood
unless the data call for Firth.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from typing import Any

import pandas as pd

from analyses import outcome
from bench import harness
from modules.outcome.controls import suggested_covariates
from utils.data_io import dataset_from_frame


def measure(rows: int, samples: int = 200) -> dict[str, Any]:
    frame = pd.read_csv("data/example_clinical.csv")
    if rows != len(frame):
        frame = frame.sample(rows, replace=True, random_state=1).reset_index(drop=True)
    ds = dataset_from_frame(frame, "bench.csv")
    import logic  # the spec builder, as the tab calls it

    covariates = suggested_covariates(ds, "complication").selected
    plain = logic.outcome_spec(ds, "complication", covariates)
    calibrated = replace(plain, calibration=True)
    validated = replace(plain, calibration=True, bootstrap=samples)
    unscreened = replace(validated, screen_p=None)  # every candidate in: the design is refitted
    result = {
        "rows": rows,
        "covariates": len(covariates),
        "samples": samples,
        "plain_ms": harness.timed(lambda: outcome.analyze(ds.df, plain), 5),
        "calibration_ms": harness.timed(lambda: outcome.analyze(ds.df, calibrated), 5),
        "bootstrap_ms": harness.timed(lambda: outcome.analyze(ds.df, validated), 1),
        "bootstrap_unscreened_ms": harness.timed(lambda: outcome.analyze(ds.df, unscreened), 1),
    }
    fitted = outcome.analyze(ds.df, plain)
    result["method"] = fitted.fit.method
    return result


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[500, 6000])
    args = parser.parse_args(argv)
    results = [measure(rows) for rows in args.rows]
    table = []
    for r in results:
        plain = r["plain_ms"]["median"]
        table.append(
            (
                f"{r['rows']:,} rows, {r['method']}",
                plain,
                r["calibration_ms"]["median"],
                r["bootstrap_ms"]["median"],
                r["bootstrap_unscreened_ms"]["median"],
                f"x{r['calibration_ms']['median'] / plain:.2f}",
                f"x{r['bootstrap_ms']['median'] / plain:.1f}",
            )
        )
    harness.table(
        "outcome analysis (ms, median): plain, + calibration, + bootstrap 200 repeating the "
        "screening (p < 0.20), + bootstrap 200 of all candidates (design refitted)",
        ["data", "plain", "calibration", "bootstrap", "unscreened", "calib/plain", "boot/plain"],
        table,
    )
    harness.write_result(
        "outcome_performance", "python -m bench.outcome_performance", {"runs": results}
    )
    return {"runs": results}


if __name__ == "__main__":
    main()
