"""The cleaning steps on the event loop: how long the Data cleaning tab waits for a history of
steps to be applied again, and for a step to be previewed as it is typed.

Run: .venv/bin/python -m bench.prep_steps [--rows 100000]   (writes bench/results/prep_steps.json)
The data is bench/data_gen.py's clinical frame (20 covariates, 22 columns, an identifier and
text columns among them); the history is a value label, quartiles, a formula and a filter.
"""

from __future__ import annotations

import argparse
from typing import Any

from bench import harness
from bench.data_gen import clinical_frame
from prep import steps as prep_steps
from utils.data_io import dataset_from_frame
from utils.dataset import Dataset


def history(ds: Dataset) -> list[Any]:
    def step(kind: str, **params: Any) -> Any:
        return prep_steps.propose(kind, ds, **params).step

    return [
        step("value_labels", column="sex", labels={"Female": "F"}),
        step("cut", column="age", name="age_q", quantiles=4),
        step("formula", name="ratio", formula="age / bmi"),
        step("filter", column="age", op=">=", values=["60"]),
    ]


def measure(rows: int) -> dict[str, Any]:
    ds = dataset_from_frame(clinical_frame(rows, 20), "bench.csv")
    steps = history(ds)
    return {
        "rows": rows,
        "columns": len(ds.columns),
        "apply_4_steps_ms": harness.timed(lambda: prep_steps.apply_steps(ds, steps, None)),
        "propose_ms": {
            "cut": harness.timed(
                lambda: prep_steps.propose("cut", ds, column="age", name="g", cutoffs="40")
            ),
            "formula": harness.timed(
                lambda: prep_steps.propose("formula", ds, name="f", formula="age * 2")
            ),
            "filter": harness.timed(
                lambda: prep_steps.propose("filter", ds, column="age", op=">=", values=["40"])
            ),
        },
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    result = measure(args.rows)
    rows = [("apply the 4 steps", result["apply_4_steps_ms"]["median"])]
    rows += [(f"preview a {k}", v["median"]) for k, v in result["propose_ms"].items()]
    harness.table(f"cleaning steps on {args.rows:,} rows (ms, median)", ["what", "ms"], rows)
    harness.write_result("prep_steps", "python -m bench.prep_steps", result)
    return result


if __name__ == "__main__":
    main()
