"""What codebook matching costs per pair scored (variables x data columns): peak RSS growth and
CPU seconds of matching.codebook_match (rapidfuzz only), each size in a fresh process, next to
the admission estimate (utils/memory.py, kind "codebook") that must not fall below it.
Issue 17 case 4: 2,500 variables x 8,000 columns took 160 s and 1.1 GB (20M pairs).

Run: .venv/bin/python -m bench.codebook_memory   (writes bench/results/codebook_memory.json)
"""

from __future__ import annotations

import argparse
import gc
import time
from typing import Any

from bench import harness

NAME = "codebook_memory"
COMMAND = ".venv/bin/python -m bench.codebook_memory"
SIZES = ((250, 800), (500, 2000), (1000, 2000))  # variables, columns


def child(variables: int, columns: int) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    from matching.codebook import Codebook, CodebookEntry
    from matching.codebook_match import CodebookSpec, match_codebook
    from utils.memory import estimate_mb

    def book(n: int, name: str) -> Codebook:
        entries = tuple(
            CodebookEntry(f"var_{k}", f"Measurement number {k} (units)", "numeric")
            for k in range(n)
        )
        return Codebook(name, name, entries)

    match_codebook(pd.DataFrame({"a": [1]}), CodebookSpec(book(1, "warm"), embeddings=False))
    df = pd.DataFrame(np.zeros((5, columns)), columns=[f"v{j}" for j in range(columns)])
    spec = CodebookSpec(book(variables, "big"), embeddings=False)
    gc.collect()
    probe = harness.PeakRss(every_s=0.005)
    before = probe.now_mb()
    cpu = time.process_time()
    with probe:
        match_codebook(df, spec)
    growth = probe.peak_mb - before
    pairs = variables * columns
    estimate = estimate_mb(variables, columns, kind="codebook")
    return {
        "variables": variables,
        "columns": columns,
        "pairs": pairs,
        "peak_growth_mb": growth,
        "bytes_per_pair": growth * 2**20 / pairs,
        "cpu_s": time.process_time() - cpu,
        "estimate_mb": estimate,
        "estimate_over_measured": estimate / growth if growth > 0 else float("inf"),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.codebook_memory", description=__doc__)
    parser.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        harness.emit_child_result(child(*args.child))
        return {}
    runs = [
        harness.run_child("bench.codebook_memory", ["--child", str(v), str(c)], timeout_s=600)
        for v, c in SIZES
    ]
    harness.table(
        "Codebook matching (rapidfuzz only, a fresh process each; RSS polled every 5 ms)",
        ["variables", "columns", "pairs", "peak +MB", "B/pair", "CPU s", "estimate MB", "est/meas"],
        [
            [
                r["variables"],
                r["columns"],
                r["pairs"],
                r["peak_growth_mb"],
                r["bytes_per_pair"],
                r["cpu_s"],
                r["estimate_mb"],
                r["estimate_over_measured"],
            ]
            for r in runs
        ],
    )
    payload = {
        "runs": runs,
        "estimate_never_below_measured": all(r["estimate_over_measured"] >= 1 for r in runs),
    }
    harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
