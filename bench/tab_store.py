"""Benchmark: what the tab store in Redis costs, and what its frame format saves.

A tab's data set is written to Redis once per fingerprint, off the event loop (the writer
thread), and read back when a tab reconnects to another worker: its token and small parts while
the new session starts, on that worker's event loop; its frame in the worker pool, while the
Data tab says it is restoring. Measured for three data sets (the example, 100k x 20 and 1M x 10
mixed columns): the write, the session start, the data's read, the bytes stored, and beside them
the same frame through utils/codec.py's JSON (the result tier's format).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import pandas as pd

from bench import harness
from bench.cross_worker import start_redis

NAME = "tab_store"
COMMAND = ".venv/bin/python -m bench.tab_store"
SECRET = "bench-secret-of-at-least-32-characters"
BROWSER = "bench-browser"


def frame(rows: int, columns: int, seed: int = 7) -> pd.DataFrame:
    """Mixed clinical-looking columns: numbers with gaps, codes, categories, text, dates."""
    rng = np.random.default_rng(seed)
    data: dict[str, Any] = {}
    for i in range(columns):
        kind = i % 5
        if kind == 0:
            values = rng.normal(60, 10, rows)
            values[rng.random(rows) < 0.05] = np.nan
            data[f"num{i}"] = values
        elif kind == 1:
            data[f"code{i}"] = rng.integers(0, 5, rows)
        elif kind == 2:
            data[f"cat{i}"] = pd.Categorical(rng.choice(["none", "mild", "severe"], rows))
        elif kind == 3:
            data[f"text{i}"] = pd.Series(
                rng.choice(["left", "right", "both", "n/a"], rows), dtype="str"
            )
        else:
            start = np.datetime64("2015-01-01")
            data[f"date{i}"] = start + rng.integers(0, 3000, rows).astype("timedelta64[D]")
    return pd.DataFrame(data)


def dataset(df: pd.DataFrame, name: str) -> Any:
    from utils.dataset import ColumnMeta, Dataset, fingerprint_frame

    meta = {c: ColumnMeta(c, "continuous", c) for c in df.columns}
    return Dataset(df, name=name, fingerprint=fingerprint_frame(df), columns=meta)


def measure(ds: Any, url: str) -> dict[str, float]:
    import redis

    import logic
    from utils import codec, dataset_codec
    from utils.session_store import SessionStore
    from utils.shared_tab_store import SharedTabStore

    redis.Redis.from_url(url).flushall()
    here = SessionStore()
    token, _ = here.open(None, BROWSER)
    here.put(token, "data", (ds, False, 0))
    here.end(token)
    start = time.perf_counter()
    here.open(token, BROWSER)
    in_process_ms = (time.perf_counter() - start) * 1000

    def store() -> SharedTabStore:
        return SharedTabStore(url, logic.TAB_STATE_TYPES, secret=SECRET, debounce_s=0.0)

    a, b = SessionStore(shared=store()), SessionStore(shared=store())
    token, _ = a.open(None, BROWSER)
    start = time.perf_counter()
    a.put(token, "data", (ds, False, 0))
    assert a.shared.flush(600)
    write_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    _, restored = b.open(token, BROWSER)
    open_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    back = b.restore_data(restored["data"][0])
    restore_ms = (time.perf_counter() - start) * 1000
    assert back.df.shape == ds.df.shape
    stored_mb = len(dataset_codec.dump_frame(ds.df)) / 2**20

    start = time.perf_counter()
    text = codec.to_json(ds.df)
    json_write_ms = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    codec.from_json(text, [])
    json_read_ms = (time.perf_counter() - start) * 1000
    return {
        "rows": len(ds.df),
        "columns": ds.df.shape[1],
        "in_memory_mb": ds.df.memory_usage(deep=True).sum() / 2**20,
        "stored_mb": stored_mb,
        "json_mb": len(text) / 2**20,
        "write_ms": write_ms,
        "json_write_ms": json_write_ms,
        "session_start_ms": open_ms,
        "restore_ms": restore_ms,
        "json_read_ms": json_read_ms,
        "in_process_restore_ms": in_process_ms,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="leave out the 1M-row data set")
    args = parser.parse_args(argv)
    from modules.data.tab import example_dataset

    sets = {"example (500 x 15)": example_dataset(), "100k x 20": dataset(frame(100_000, 20), "b")}
    if not args.quick:
        sets["1M x 10"] = dataset(frame(1_000_000, 10), "c")
    port = harness.free_port()
    proc = start_redis(port)
    try:
        rows = {name: measure(ds, f"redis://127.0.0.1:{port}/0") for name, ds in sets.items()}
    finally:
        proc.kill()
    harness.table(
        "Tab store in Redis: a data set written once, restored by another worker",
        ["data", "stored MB", "JSON MB", "size ratio", "write ms", "JSON write ms",
         "start ms (loop)", "data ms (pool)", "JSON read ms", "read ratio", "in-process ms"],
        [
            [name, r["stored_mb"], r["json_mb"], r["json_mb"] / r["stored_mb"], r["write_ms"],
             r["json_write_ms"], r["session_start_ms"], r["restore_ms"], r["json_read_ms"],
             r["json_read_ms"] / r["restore_ms"], r["in_process_restore_ms"]]
            for name, r in rows.items()
        ],
    )  # fmt: skip
    harness.out(
        "start ms: on the new session's event loop; data ms: in the worker pool; write ms: in"
        " the writer thread."
    )
    path = harness.write_result(NAME, COMMAND, {"data_sets": rows})
    harness.out(f"wrote {path}")
    return rows


if __name__ == "__main__":
    main()
