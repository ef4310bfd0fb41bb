"""Label harmonisation on bench/data/messy_labels.csv: pairwise precision, recall and F1 of
rapidfuzz alone, embeddings alone and the cascade, with embedding counts, time and memory.

Run: .venv/bin/python -m bench.similarity   (writes bench/results/similarity.json)
Pairs are all label pairs inside a column; a pair is true when both labels are in the same
group of the labelled set. "Best threshold" methods get the threshold that maximises their F1
on this very set (an optimistic baseline); the cascade runs with its shipped defaults.
"""

from __future__ import annotations

import csv
import gc
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import psutil
from rapidfuzz import fuzz, process

from bench import harness
from matching.embeddings import EmbeddingClient, EmbeddingsUnavailable
from matching.normalize import fold
from matching.similarity import HarmonizeSpec, harmonize_labels

DATA = Path(__file__).resolve().parent / "data" / "messy_labels.csv"
THRESHOLDS = np.round(np.arange(0.30, 1.0001, 0.01), 2)
MB = 1024 * 1024


def load() -> dict[str, list[tuple[str, int, int]]]:
    """column -> [(label, group, count)] in file order."""
    columns: dict[str, list[tuple[str, int, int]]] = {}
    with DATA.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            columns.setdefault(row["column"], []).append(
                (row["label"], int(row["group"]), int(row["count"]))
            )
    return columns


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def truth_pairs(rows: list[tuple[str, int, int]]) -> list[bool]:
    return [a[1] == b[1] for a, b in combinations(rows, 2)]


def best_threshold(scores: list[np.ndarray], truths: list[list[bool]]) -> dict[str, Any]:
    """The threshold (same when score >= t) with the best pooled F1, and its figures."""
    s = np.concatenate([x for x in scores if x.size])
    t = np.concatenate([np.array(x, dtype=bool) for x in truths if x])
    best: dict[str, Any] = {"f1": -1.0}
    for threshold in THRESHOLDS:
        pred = s >= threshold
        result = prf(int((pred & t).sum()), int((pred & ~t).sum()), int((~pred & t).sum()))
        if result["f1"] > best["f1"]:
            best = {**result, "threshold": float(threshold)}
    return best


def pair_scores(labels: list[str], matrix: np.ndarray) -> np.ndarray:
    i, j = np.triu_indices(len(labels), 1)
    return matrix[i, j]


def rapidfuzz_only(columns) -> dict[str, Any]:
    """Plain rapidfuzz (WRatio on folded labels) with the best single threshold."""
    began = time.perf_counter()
    scores, truths = [], []
    for rows in columns.values():
        labels = [fold(r[0]) for r in rows]
        matrix = process.cdist(labels, labels, scorer=fuzz.WRatio, dtype=np.float32) / 100
        scores.append(pair_scores(labels, matrix))
        truths.append(truth_pairs(rows))
    return {**best_threshold(scores, truths), "seconds": time.perf_counter() - began}


def embeddings_only(columns, client: EmbeddingClient) -> dict[str, Any]:
    """Cosine of MiniLM embeddings of the folded labels, every pair, best single threshold."""
    began = time.perf_counter()
    texts = sorted({fold(r[0]) for rows in columns.values() for r in rows})
    vectors = client.embed(texts)
    scores, truths = [], []
    for rows in columns.values():
        labels = [fold(r[0]) for r in rows]
        m = np.stack([vectors[t] for t in labels])
        scores.append(pair_scores(labels, m @ m.T))
        truths.append(truth_pairs(rows))
    result = best_threshold(scores, truths)
    return {**result, "embedded_labels": len(texts), "seconds": time.perf_counter() - began}


def cascade(columns, spec: HarmonizeSpec, embed: Callable | None) -> dict[str, Any]:
    """The shipped cascade: groups per column, scored pairwise against the labelled groups."""
    tp = fp = fn = 0
    totals = {"pairs": 0.0, "early_exits": 0.0, "embedded_labels": 0.0, "seconds": 0.0}
    columns_without_embeddings = 0
    mistakes: list[str] = []
    for column, rows in columns.items():
        labels = [label for label, _, count in rows for _ in range(count)]
        result = harmonize_labels(tuple(labels), spec, embed=embed)
        for (a, ga, _), (b, gb, _) in combinations(rows, 2):
            same = result.mapping[a] == result.mapping[b]
            tp += same and ga == gb
            fp += same and ga != gb
            fn += (not same) and ga == gb
            if same != (ga == gb) and len(mistakes) < 400:
                mistakes.append(f"{column}: {a!r} {'+' if same else '/'} {b!r}")
        for key in totals:
            totals[key] += result.stats[key]
        columns_without_embeddings += result.stats["embedded_labels"] == 0
    return {
        **prf(tp, fp, fn),
        **totals,
        "decided_without_embeddings_share": totals["early_exits"] / totals["pairs"],
        "columns_without_embeddings": columns_without_embeddings,
        "mistakes": mistakes,
    }


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / MB


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run every method, print a table, write bench/results/similarity.json."""
    columns = load()
    n_labels = sum(len(r) for r in columns.values())
    gc.collect()
    main_before = rss_mb()
    client = EmbeddingClient(memory=None, enabled=True, idle_s=600.0)
    runs: dict[str, Any] = {
        "rapidfuzz_only": rapidfuzz_only(columns),
        "cascade_rapidfuzz_only": cascade(columns, HarmonizeSpec(embeddings=False), None),
    }
    memory: dict[str, Any] = {"main_rss_before_mb": main_before}
    try:
        began = time.perf_counter()
        client.embed(["warm up"])
        memory["worker_start_s"] = time.perf_counter() - began
        runs["embeddings_only"] = embeddings_only(columns, client)
        client._cache.clear()  # the cascade pays for its own embeddings
        runs["cascade"] = cascade(columns, HarmonizeSpec(), client.embed)
        runs["cascade_without_abbreviations"] = cascade(
            columns, HarmonizeSpec(abbreviations=False), client.embed
        )
        memory["worker_rss_during_mb"] = client.stats()["worker_rss_mb"]
        memory["worker_peak_rss_mb"] = client.stats()["worker_peak_rss_mb"]
        memory["main_rss_during_mb"] = rss_mb()
        client.idle_s = 1.0  # the idle watcher (polling every 0.25 s now) stops the worker
        time.sleep(1.0)
        client.embed(["idle check"])  # touch it once so the watcher restarts with the new period
        client._watcher = None
        client._watch_idle()
        time.sleep(2.5)
        memory["worker_running_after_idle"] = client.running()
        memory["idle_stops"] = client.stats()["idle_stops"]
    except EmbeddingsUnavailable as exc:
        memory["embeddings_unavailable"] = str(exc)
    finally:
        client.stop("bench done")
    gc.collect()
    memory["main_rss_after_mb"] = rss_mb()
    memory["torch_in_main_process"] = "torch" in sys.modules
    for name, r in runs.items():
        extra = f" t={r['threshold']:.2f}" if "threshold" in r else ""
        harness.out(
            f"{name:32s} P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f}"
            f"{extra}  embedded {r.get('embedded_labels', 0):.0f}  {r['seconds']:.2f} s"
        )
    if "cascade" in runs:
        c = runs["cascade"]
        harness.out(
            f"cascade: {c['early_exits']:.0f} of {c['pairs']:.0f} pairs decided before any "
            f"embedding ({100 * c['decided_without_embeddings_share']:.1f}%), "
            f"{c['columns_without_embeddings']} of {len(columns)} columns without the model"
        )
    harness.out(f"memory: {memory}")
    payload = {"labels": n_labels, "columns": len(columns), "runs": runs, "memory": memory}
    harness.write_result("similarity", "python -m bench.similarity", payload)
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
