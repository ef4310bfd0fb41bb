"""Benchmark 2: RSS while 200 different outcome analyses run in a loop on 100k rows, in a fresh
process with the small-host memory limit and a cache small enough that it must evict by bytes."""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from bench import harness
from bench.data_gen import FACTORS, OUTCOME, covariate_names

NAME = "memory_loop"
COMMAND = ".venv/bin/python -m bench.memory_loop"
# The small-host default, then a limit that admits every analysis of the loop (RSS after loading
# is ~260 MB and the largest estimate 86 MB), so the cache's byte bound is what evicts.
CONFIGS = {"default_limit": "300", "all_admitted": "450"}
# A result measures 33-44 kB (utils.cache.measure_bytes), so 200 of them are about 7.6 MB: an
# 8 MB cache would hardly evict. 4 MB holds about half of them, so eviction by bytes must happen
# (the item bound, 256, is never reached by 200 entries).
CACHE_MB = "4"
SCREEN_P = (None, 0.05, 0.1, 0.2, 0.3, 0.5)


def _specs(dataset, count: int, version: str, seed: int = 7) -> list:
    """`count` distinct outcome specs: covariate subsets and order, references, thresholds."""
    import logic
    from utils.cache import make_key

    rng = random.Random(seed)
    names = list(covariate_names(13))
    specs, keys = [], set()
    while len(specs) < count:
        chosen = rng.sample(names, rng.randint(2, len(names)))
        reference = {c: rng.choice(FACTORS[c]) for c in chosen if c in FACTORS}
        spec = logic.outcome_spec(
            dataset,
            OUTCOME,
            chosen,
            event="Yes",
            method=rng.choice(("auto", "auto", "logit")),
            screen_p=rng.choice(SCREEN_P),
            reference=reference,
            continuous_summary=rng.choice(("mean", "median")),
        )
        key = make_key("outcome", version, dataset.fingerprint, spec)
        if key not in keys:
            keys.add(key)
            specs.append(spec)
    return specs


def child(rows: int, count: int) -> dict[str, Any]:
    """Inside the fresh process: load, loop, and report RSS and the layers' stats."""
    import plotly.graph_objects  # noqa: F401
    import shiny  # noqa: F401  the server process holds these too; count them

    import logic
    from utils import data_io

    version = harness.start_logic()  # the memory watcher and its cleanups, as in the app
    rss_imports = harness.PeakRss().now_mb()
    path = harness.ensure_csv(rows)
    dataset = data_io.read_table(path, name=path.name)
    rss_loaded = harness.PeakRss().now_mb()
    specs = _specs(dataset, count, version)
    refusals: dict[str, int] = {}
    errors: dict[str, int] = {}
    series = []
    times = []
    with harness.PeakRss(every_s=0.02) as peak:
        for i, spec in enumerate(specs):
            started = time.perf_counter()
            try:
                logic.run("outcome", dataset, spec)
            except logic.MemoryRefused as exc:
                refusals[str(exc)] = refusals.get(str(exc), 0) + 1
            except logic.AnalysisError as exc:
                errors[str(exc)] = errors.get(str(exc), 0) + 1
            times.append(time.perf_counter() - started)
            if i % 10 == 9:
                series.append([i + 1, round(peak.now_mb(), 1)])
    stats = logic.stats()
    return {
        "rows": rows,
        "analyses": len(specs),
        "limit_mb": stats["memory"]["limit_mb"],
        "limit_source": logic.memory.limit_source,
        "cache_max_mb": stats["cache"]["max_mb"],
        "rss_after_imports_mb": rss_imports,
        "rss_after_load_mb": rss_loaded,
        "rss_peak_mb": peak.peak_mb,
        "rss_end_mb": peak.now_mb(),
        "ru_maxrss_mb": harness.ru_maxrss_mb(),
        "loop_seconds": sum(times),
        "analysis_s": harness.summary(times),
        "refusals": refusals,
        "analysis_errors": errors,
        "rss_every_10": series,
        "cache": stats["cache"],
        "memory": stats["memory"],
    }


def _row(label: str, r: dict[str, Any]) -> list[Any]:
    cache, memory = r["cache"], r["memory"]
    return [
        label,
        r["limit_mb"],
        r["rss_after_load_mb"],
        r["rss_peak_mb"],
        r["rss_end_mb"],
        r["analyses"] - sum(r["refusals"].values()),
        sum(r["refusals"].values()),
        cache["entries"],
        cache["mb"],
        cache["evictions"],
        memory["cleanups"],
        r["loop_seconds"],
    ]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the loop in fresh processes, print the table and write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--analyses", type=int, default=200)
    args = parser.parse_args(argv)
    if args.child:
        harness.emit_child_result(child(args.rows, args.analyses))
        return {}
    harness.ensure_csv(args.rows)
    runs = {}
    for label, limit in CONFIGS.items():
        env = {"MEDSTAT_MEMORY_LIMIT_MB": limit, "MEDSTAT_CACHE_MAX_MB": CACHE_MB}
        r = harness.run_child(
            "bench.memory_loop",
            ["--child", "--rows", str(args.rows), "--analyses", str(args.analyses)],
            env=env,
            timeout_s=420,
        )
        r["env"] = env
        r["goal_met"] = r["rss_peak_mb"] < r["limit_mb"]
        runs[label] = r
    harness.table(
        f"Memory: {args.analyses} different analyses on {args.rows:,} rows in a fresh process "
        f"(MEDSTAT_CACHE_MAX_MB={CACHE_MB}; MB, s)",
        [
            "run",
            "limit",
            "RSS loaded",
            "RSS peak",
            "RSS end",
            "computed",
            "refused",
            "cache entries",
            "cache MB",
            "evictions",
            "cleanups",
            "loop s",
        ],
        [_row(label, r) for label, r in runs.items()],
    )
    goal_met = all(r["goal_met"] for r in runs.values())
    evicted = runs["all_admitted"]["cache"]["evictions"] > 0
    harness.out(
        f"goal (peak RSS under the limit): {'met' if goal_met else 'MISSED'}; "
        f"cache evicted by bytes with every analysis admitted: {'yes' if evicted else 'NO'}"
    )
    payload = {
        "goal": "RSS stays under the configured limit; the cache evicts by bytes",
        "goal_met": goal_met,
        "evicted_by_bytes": evicted,
        "notes": (
            "fresh subprocess per run, importing logic, shiny and plotly like the server; data "
            "read with data_io.read_table from a generated CSV; the memory watcher runs "
            "(logic.start); 'default_limit' is the product's 300 MB budget, 'all_admitted' "
            f"raises the limit to {CONFIGS['all_admitted']} MB so that all 200 analyses run "
            "and the cache's byte bound is what evicts"
        ),
        "runs": runs,
    }
    path = harness.write_result(NAME, COMMAND, payload)
    harness.out(f"wrote {path.relative_to(harness.ROOT)}")
    return payload


if __name__ == "__main__":
    main()
