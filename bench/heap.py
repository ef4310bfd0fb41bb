"""What glibc keeps after work is done: RSS after cold analyses in the worker threads, after the
cache is cleared and gc has run, and after malloc_trim(0). Run it with and without
MALLOC_ARENA_MAX=2 in the environment to compare (each thread may otherwise get its own arena).
"""

from __future__ import annotations

import gc
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psutil

from bench import harness
from bench.data_gen import covariate_names

NAME = "heap"
COMMAND = ".venv/bin/python -m bench.heap"
ROWS = 20_000
THREADS = 4  # settings.worker_threads' default


def rss_mb() -> float:
    return round(psutil.Process(os.getpid()).memory_info().rss / harness.MB, 1)


def main() -> dict[str, Any]:
    import logic
    from utils import data_io
    from utils.memory import release_heap

    dataset = data_io.read_table(str(harness.ensure_csv(ROWS)), name="heap.csv")
    names = covariate_names(13)
    subsets = [names[s : s + r] for r in range(3, 13) for s in range(0, 13 - r + 1, 2)][:40]
    after_read = rss_mb()
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(lambda c: logic.analyze_outcome(dataset, "died", c), subsets))
    after_work = rss_mb()
    logic.cache.clear()
    gc.collect()
    after_gc = rss_mb()
    release_heap()
    payload = {
        "malloc_arena_max": os.environ.get("MALLOC_ARENA_MAX", "unset"),
        "analyses": len(subsets),
        "rows": ROWS,
        "threads": THREADS,
        "rss_after_read_mb": after_read,
        "rss_after_analyses_mb": after_work,
        "rss_after_cache_clear_and_gc_mb": after_gc,
        "rss_after_malloc_trim_mb": rss_mb(),
    }
    harness.table(
        f"heap: {len(subsets)} cold analyses of {ROWS} rows in {THREADS} threads, "
        f"MALLOC_ARENA_MAX={payload['malloc_arena_max']}",
        ["stage", "RSS MB"],
        [[k, v] for k, v in payload.items() if k.startswith("rss_")],
    )
    suffix = (
        "" if payload["malloc_arena_max"] == "unset" else f"_arena{payload['malloc_arena_max']}"
    )
    harness.write_result(NAME + suffix, COMMAND, payload)
    return payload


if __name__ == "__main__":
    main()
