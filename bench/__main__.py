"""`make bench`: run every benchmark (cache, memory, scaling, cross-worker, then the browser one)
and print a summary of the goals. `python -m bench NAME ...` runs only the named ones."""

from __future__ import annotations

import argparse
import logging
import shutil
import time
from collections.abc import Callable
from typing import Any

from bench import (
    cache_hit,
    cancel,
    concurrency,
    cross_worker,
    forest_render,
    harness,
    idle_worker,
    memory_loop,
    scaling,
    shared_tier,
    team_load,
)

# The order of the brief: 1, 2, 4, the shared tier, then 3, which needs chromium.
BENCHMARKS: dict[str, tuple[Callable[[list[str]], dict[str, Any]], str | None]] = {
    "cache_hit": (cache_hit.main, None),
    "memory_loop": (memory_loop.main, None),
    "scaling": (scaling.main, None),
    "cross_worker": (cross_worker.main, "redis-server"),
    "shared_tier": (shared_tier.main, "redis-server"),
    "cancel": (cancel.main, None),
    "concurrency": (concurrency.main, "chromium"),
    "forest_render": (forest_render.main, "chromium"),
    "idle_worker": (idle_worker.main, "chromium"),
    # nginx in front of 1, 2 and 4 workers sharing Redis, 40 users (~11 min on a busy host)
    "team_load": (team_load.main, "nginx"),
}
# The label-harmonisation and codebook benchmarks (issue 5) run too, last; their modules are
# imported only then because they may start the embedding worker.
LAZY = ("similarity", "codebook", "opposites", "calibration", "embedding_worker")


def _summary_lines(name: str, p: dict[str, Any]) -> list[str]:
    def verdict(met: bool) -> str:
        return "met" if met else "MISSED"

    if name == "cache_hit":
        return [
            f"cache_hit {r['rows']:,} rows: cold {r['cold_ms']['median']:.0f} ms, hit "
            f"{r['hit_ms']['median']:.3f} ms ({r['speedup_median']:,.0f}x); seed-style key "
            f"{r['seed_hash_pandas_hit_ms']['median']:.1f} ms: {verdict(r['goal_met'])}; "
            f"API with a DataFrame {r['api_dataframe_hit_before_ms']['median']:.1f} -> "
            f"{r['api_dataframe_hit_ms']['median']:.2f} ms: {verdict(r['api_goal_met'])}"
            for r in p["runs"]
        ]
    if name == "team_load":
        return [
            f"team_load {r['workers']} worker(s): {r['errors']} errors, {r['refused']} refused, "
            f"outcome p50/p95 {r['by_kind']['outcome']['p50_ms']}/"
            f"{r['by_kind']['outcome']['p95_ms']} ms, {r['outcome_done_per_min']} runs/min, "
            f"hit rate {r['hit_rate']}"
            for r in p["runs"]
        ]
    if name == "idle_worker":
        s = p["served"]
        return [
            f"idle_worker: idle {s['idle_mb']:.0f} MB, one session {s['one_session_mb']:.0f} MB: "
            f"{verdict(p['goal_met'])}"
        ]
    if name == "memory_loop":
        return [
            f"memory_loop {label}: peak {r['rss_peak_mb']:.0f} of {r['limit_mb']:.0f} MB, "
            f"{sum(r['refusals'].values())} refused, {r['cache']['evictions']:.0f} evictions: "
            f"{verdict(r['goal_met'])}"
            for label, r in p["runs"].items()
        ]
    if name == "scaling":
        lines = []
        for r in p["runs"]:
            if "refused" in r:
                lines.append(f"scaling {r['rows']:,} x {r['covariates']}: refused")
                continue
            lines.append(
                f"scaling {r['rows']:,} x {r['covariates']}: {r['cold_s']['median']:.2f} s, "
                f"peak {r['ru_maxrss_mb']:.0f} MB"
            )
        lines.append(f"scaling goal (100k x 13): {verdict(p['goal_met'])}")
        return lines
    if name == "cross_worker":
        return [
            f"cross_worker: cold {p['worker1_cold_ms']['median']:.0f} ms in worker 1, redis hit "
            f"{p['worker2_redis_hit_ms']['median']:.1f} ms in worker 2, then memory hit "
            f"{p['worker2_memory_hit_ms']['median']:.3f} ms"
        ]
    if name == "shared_tier":
        return [
            f"shared_tier {r['stored_mb']:.0f} MB value: read and decoded {r['before_s']:.1f} s "
            f"(+{r['before_rss_growth_mb']:.0f} MB) before, refused in {r['refused_s']:.2f} s "
            f"(+{r['refused_rss_growth_mb']:.0f} MB) now"
            for r in p["runs"]
        ]
    if name == "concurrency":
        return [
            f"concurrency {app}: B during A p50 {r['during_ms'].get('median', float('nan')):.0f}"
            f" / p95 {r['during_ms'].get('p95', float('nan')):.0f} / max "
            f"{r['during_ms'].get('max', float('nan')):.0f} ms"
            for app, r in p["results"].items()
        ] + [f"concurrency goal: {verdict(p['goal_met'])}"]
    if name == "cancel":
        s = p["summary"]
        now, old = s["cpu_s_in_window_cooperative"], s["cpu_s_in_window_old"]
        return [
            f"cancel: CPU in the {cancel.WINDOW_S:g} s after Cancel {now:.2f} s, was {old:.1f} s "
            f"({s['cpu_ratio_old_over_cooperative']:,.0f}x); thread ends "
            f"{s['cancel_to_end_s_max']:.2f} s after Cancel at worst: {verdict(s['goal_met'])}"
        ]
    if name == "forest_render":
        return [
            f"forest_render {r['tab']}: {r['ticks']} ticks, drawn in {r['render_ms']:,} ms: "
            f"{verdict(r['goal_met'])}"
            for r in p["runs"]
        ]
    if name == "similarity":
        runs = p["runs"]
        lines = [
            f"similarity {method}: F1 {r['f1']:.3f} (precision {r['precision']:.3f}, recall "
            f"{r['recall']:.3f}), {r.get('embedded_labels', 0):.0f} labels embedded, "
            f"{r['seconds']:.2f} s"
            for method, r in runs.items()
        ]
        cascade = runs["cascade"]
        best_single = max(runs["rapidfuzz_only"]["f1"], runs["embeddings_only"]["f1"])
        lines.append(
            f"similarity goals: cascade F1 >= 0.85 and >= best single method "
            f"({best_single:.3f}): {verdict(cascade['f1'] >= max(0.85, best_single))}; "
            f"{cascade['decided_without_embeddings_share']:.1%} of pairs decided before any "
            f"embedding (>= 50%): {verdict(cascade['decided_without_embeddings_share'] >= 0.5)}"
        )
        for method in ("cascade", "cascade_rapidfuzz_only"):  # issue 12
            r = runs[method]
            met = r["f1"] >= 0.90 and r["precision"] >= 0.97
            lines.append(f"similarity {method}: F1 >= 0.90 with P >= 0.97: {verdict(met)}")
        return lines
    if name == "opposites":
        return [
            f"opposites {run}: {r['wrongly_proposed']} of {r['different_pairs']} wrongly merged "
            f"(goal 0), {r['wrongly_ticked']} pre-ticked: {verdict(r['wrongly_proposed'] == 0)}"
            for run, r in p.items()
            if "different_pairs" in r
        ]
    if name == "embedding_worker":
        s = p["summary"]
        return [
            f"embedding_worker: peak {s['peak_before_mb']:.0f} -> {s['peak_after_mb']:.0f} MB, "
            f"ready {s['ready_before_mb']:.0f} -> {s['ready_after_mb']:.0f} MB, F1 "
            f"{s['f1_before']:.3f} -> {s['f1_after']:.3f}; the model runs on a 2 GB machine's "
            f"default budget: {verdict(s['model_runs_on_2gb_default'])}",
            f"embedding_worker: F1 of logic.harmonize with `make run`'s settings "
            f"{s['f1_default_settings_with_model']:.3f} with the model, "
            f"{s['f1_at_the_floor_without_model']:.3f} without (512 MB floor)",
        ]
    if name == "codebook":
        return [
            f"codebook {run}: P {r['precision']:.2f} R {r['recall']:.2f}"
            for run, r in p["runs"].items()
            if "precision" in r
        ] + [
            f"codebook logic: cold {p['timing']['cold_ms']:.0f} ms, hit "
            f"{p['timing']['hit_ms']['median']:.3f} ms"
        ]
    return []


def main() -> None:
    """Run the chosen benchmarks in order and print one summary at the end."""
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of: {', '.join([*BENCHMARKS, *LAZY])}")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in BENCHMARKS and n not in LAZY]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    chosen = args.names or [*BENCHMARKS, *LAZY]
    lines, started = [], time.monotonic()
    for name in chosen:
        if name in LAZY:
            from importlib import import_module

            run, needs = import_module(f"bench.{name}").main, None
        else:
            run, needs = BENCHMARKS[name]
        if needs is not None and shutil.which(needs) is None:
            lines.append(f"{name}: SKIPPED ({needs} is not installed; `make system-deps`)")
            continue
        harness.out(f"\n=== {name} ===")
        begun = time.monotonic()
        payload = run([])
        lines += _summary_lines(name, payload)
        lines.append(f"  ({name} took {time.monotonic() - begun:.0f} s)")
    harness.out(f"\n=== summary ({time.monotonic() - started:.0f} s) ===")
    for line in lines:
        harness.out(line)


if __name__ == "__main__":
    main()
