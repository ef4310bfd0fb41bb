"""What reading an upload costs: peak RSS growth per MB of input for CSVs (numbers, short text,
long text, a clinical mix, a very wide file) and workbooks (numbers, shared strings), each read
by data_io.read_table in a fresh process, next to the admission estimate
(utils/read_limits.py) that must not fall below it, and the CPU seconds the read took."""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path
from typing import Any

from bench import harness
from bench.hostile_files import write_text_csv, write_wide_csv, write_xlsx

NAME = "read_memory"
COMMAND = ".venv/bin/python -m bench.read_memory"
# Limits out of the way: the point is what each read costs, not whether it is allowed.
MEASURE_ENV = {
    "MEDSTAT_MAX_UPLOAD_MB": "500",
    "MEDSTAT_MAX_CELLS": "100000000",
    "MEDSTAT_XLSX_MAX_CELLS": "100000000",
    "MEDSTAT_XLSX_MAX_XML_MB": "2000",
}


def _numeric_csv(path: Path, megabytes: float) -> Path:
    import numpy as np

    rng = np.random.default_rng(11)
    target = int(megabytes * 2**20)
    with open(path, "w") as handle:
        handle.write(",".join(f"x{j}" for j in range(10)) + "\n")
        written = 0
        while written < target:
            block = np.round(rng.normal(50, 15, size=(20_000, 10)), 2)
            text = "\n".join(",".join(map(str, row)) for row in block) + "\n"
            handle.write(text)
            written += len(text)
    return path


def _long_text_csv(path: Path, megabytes: float) -> Path:
    import numpy as np

    rng = np.random.default_rng(12)
    words = [f"free text answer number {k:05d} with more words" for k in range(5000)]
    target = int(megabytes * 2**20)
    with open(path, "w") as handle:
        handle.write("id,note,comment,score\n")
        written, i = 0, 0
        while written < target:
            picks = rng.integers(0, len(words), size=(10_000, 2))
            text = "".join(
                f"{i + k},{words[a]},{words[b]},{k % 10}\n" for k, (a, b) in enumerate(picks)
            )
            i += 10_000
            handle.write(text)
            written += len(text)
    return path


def _unique_text_csv(path: Path, megabytes: float) -> Path:
    """Every text value different (record ids, dates as text, free text): pandas cannot share
    one string object between cells, the worst case for memory per MB."""
    target = int(megabytes * 2**20)
    with open(path, "w") as handle:
        handle.write("a,b,c,d,e,f\n")
        written, i = 0, 0
        while written < target:
            text = "".join(
                f"r{k:08d}a,r{k:08d}b,r{k:08d}c,r{k:08d}d,r{k:08d}e,r{k:08d}f\n"
                for k in range(i, i + 10_000)
            )
            i += 10_000
            handle.write(text)
            written += len(text)
    return path


# name -> (file name, how to make it)
FILES: dict[str, tuple[str, Any]] = {
    "csv numbers 20 MB": ("numbers_20mb.csv", lambda p: _numeric_csv(p, 20)),
    "csv short text 20 MB": ("short_text_20mb.csv", lambda p: write_text_csv(p, 20)),
    "csv long text 20 MB": ("long_text_20mb.csv", lambda p: _long_text_csv(p, 20)),
    "csv unique text 20 MB": ("unique_text_20mb.csv", lambda p: _unique_text_csv(p, 20)),
    "csv clinical 200k rows": ("clinical", None),
    "csv 20,000 columns": ("wide_20000.csv", lambda p: write_wide_csv(p, 20_000, 50)),
    "xlsx numbers 1M cells": ("numbers_1m.xlsx", lambda p: write_xlsx(p, 200_000, 5)),
    "xlsx shared strings 1M cells": (
        "strings_1m.xlsx",
        lambda p: write_xlsx(p, 200_000, 5, strings=200_000, string_length=16),
    ),
}


def ensure(name: str) -> Path:
    file_name, make = FILES[name]
    if make is None:
        return harness.ensure_csv(200_000)
    path = harness.DATA_DIR / "read_memory" / file_name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name("tmp-" + file_name)
        make(tmp)
        tmp.rename(path)
    return path


def child(name: str) -> dict[str, Any]:
    """In a fresh process: the plan's estimate, then the read, its peak and its CPU time."""
    import pandas  # noqa: F401

    from utils import data_io, read_limits

    path = ensure(name)
    plan = read_limits.plan_path(path)
    gc.collect()
    probe = harness.PeakRss(every_s=0.005)
    before = probe.now_mb()
    cpu = time.process_time()
    with probe:
        dataset = data_io.read_table(path, name=path.name)
    cpu_s = time.process_time() - cpu
    peak = max(probe.peak_mb, harness.ru_maxrss_mb())
    held = probe.now_mb() - before
    size_mb = path.stat().st_size / 2**20
    growth = peak - before
    return {
        "file": name,
        "size_mb": size_mb,
        "shape": list(dataset.df.shape),
        "cells": int(dataset.df.size),
        "peak_growth_mb": growth,
        "held_after_mb": held,
        "growth_per_input_mb": growth / size_mb,
        "estimate_mb": plan.need_mb,
        "estimate_over_measured": plan.need_mb / growth if growth > 0 else float("inf"),
        "cpu_s": cpu_s,
        "ru_maxrss_mb": harness.ru_maxrss_mb(),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench.read_memory", description=__doc__)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--only", nargs="*", default=[], help="measure these files only")
    args = parser.parse_args(argv)
    if args.child:
        harness.emit_child_result(child(args.child))
        return {}
    runs = []
    for name in args.only or FILES:
        ensure(name)  # made here, so that the child's peak is the read's alone
        runs.append(
            harness.run_child(
                "bench.read_memory", ["--child", name], env=MEASURE_ENV, timeout_s=900
            )
        )
    harness.table(
        "Reading an upload (data_io.read_table, a fresh process each; RSS polled every 5 ms)",
        [
            "file",
            "MB",
            "values",
            "peak +MB",
            "per input MB",
            "estimate MB",
            "est/measured",
            "CPU s",
        ],
        [
            [
                r["file"],
                r["size_mb"],
                r["cells"],
                r["peak_growth_mb"],
                r["growth_per_input_mb"],
                r["estimate_mb"],
                r["estimate_over_measured"],
                r["cpu_s"],
            ]
            for r in runs
        ],
    )
    payload = {
        "runs": runs,
        "estimate_never_below_measured": all(r["estimate_over_measured"] >= 1 for r in runs),
    }
    if not args.only:
        harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
