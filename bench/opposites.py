"""Labels that look alike but mean different things: how many the cascade wrongly merges.

Run: .venv/bin/python -m bench.opposites [--show-heldout-errors]   (writes
bench/results/opposites.json). Data: bench/data/opposites_{tuning,heldout}.csv (see
bench/data/OPPOSITES.md). Each group is one column; a different-meaning pair is wrongly
merged when the cascade proposes both labels in one group, and wrongly pre-ticked when Apply
would merge them without the user ticking anything.

Three runs per part: rapidfuzz only; with the embedding model (a real worker); and "worst-case
scores", a fake model that calls every pair identical with the fuzzy thresholds opened wide, so
every pair the principles do not block is merged: what stands between a diagnosis and a wrong
merge when the scores are wrong. The held-out part's mistakes are printed only on request: its
figures are reported, never used to tune (bench/data/OPPOSITES.md).
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from bench import harness
from matching.embeddings import EmbeddingClient, EmbeddingsUnavailable
from matching.similarity import Harmonization, HarmonizeSpec, harmonize_labels

DATA = Path(__file__).resolve().parent / "data"
PARTS = ("tuning", "heldout")
WORST_CASE = HarmonizeSpec(low=0.0, high=101.0, cut=0.01)


def load(part: str) -> dict[str, list[tuple[str, str]]]:
    """group -> [(label, meaning)] in file order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    with (DATA / f"opposites_{part}.csv").open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            groups.setdefault(row["group"], []).append((row["label"], row["meaning"]))
    return groups


def everything_identical(texts):
    """The worst model: every text gets the same vector, so every cosine is 1."""
    return {t: np.full(4, 0.5, dtype=np.float32) for t in texts}


def ticked(result: Harmonization, a: str, b: str) -> bool:
    """Would Apply, with nothing changed by the user, merge a and b?"""
    if result.mapping[a] != result.mapping[b]:
        return False
    proposals = getattr(result, "proposals", None)
    if proposals is None:  # before proposals carried their own tick: every group was ticked
        return True
    head = result.mapping[a]
    return all(label == head or proposals[label].ticked for label in (a, b))


def measure(
    groups: dict[str, list[tuple[str, str]]], spec: HarmonizeSpec, embed: Callable | None
) -> dict[str, Any]:
    """Wrong merges (proposed, pre-ticked) and missed merges over every group of one part."""
    out = {"different_pairs": 0, "wrongly_proposed": 0, "wrongly_ticked": 0}
    out |= {"same_pairs": 0, "same_kept_apart": 0, "same_not_ticked": 0}
    wrong: list[str] = []
    missed: list[str] = []
    began = time.perf_counter()
    for group, rows in groups.items():
        labels = [label for label, _ in rows]
        result = harmonize_labels(tuple(labels), spec, embed=embed)
        for (a, ma), (b, mb) in combinations(rows, 2):
            together = result.mapping[a] == result.mapping[b]
            pre = ticked(result, a, b)
            if ma != mb:
                out["different_pairs"] += 1
                out["wrongly_proposed"] += together
                out["wrongly_ticked"] += pre
                if together:
                    wrong.append(f"{group}: {a!r} + {b!r}{' (ticked)' if pre else ''}")
            else:
                out["same_pairs"] += 1
                out["same_kept_apart"] += not together
                out["same_not_ticked"] += not pre
                if not together:
                    missed.append(f"{group}: {a!r} / {b!r}")
    out["seconds"] = time.perf_counter() - began
    return {**out, "wrong": wrong, "missed": missed}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Every part under the three runs; prints counts (and tuning errors); writes the JSON."""
    argv = list(argv or [])
    show_heldout = "--show-heldout-errors" in argv
    runs: dict[str, dict[str, Any]] = {}
    client = EmbeddingClient(memory=None, enabled=True, idle_s=600.0)
    try:
        for part in PARTS:
            groups = load(part)
            runs[f"{part}/rapidfuzz"] = measure(groups, HarmonizeSpec(embeddings=False), None)
            runs[f"{part}/worst_case_scores"] = measure(groups, WORST_CASE, everything_identical)
            try:
                runs[f"{part}/model"] = measure(groups, HarmonizeSpec(), client.embed)
            except EmbeddingsUnavailable as exc:
                runs[f"{part}/model"] = {"unavailable": str(exc)}
    finally:
        client.stop("bench done")
    for name, r in runs.items():
        if "unavailable" in r:
            harness.out(f"{name:32s} model unavailable: {r['unavailable']}")
            continue
        harness.out(
            f"{name:32s} wrongly merged {r['wrongly_proposed']:3d} of {r['different_pairs']} "
            f"(pre-ticked {r['wrongly_ticked']}); same pairs kept apart "
            f"{r['same_kept_apart']} of {r['same_pairs']} (not pre-ticked "
            f"{r['same_not_ticked']})  {r['seconds']:.2f} s"
        )
        if name.startswith("tuning") or show_heldout:
            for line in r["wrong"]:
                harness.out(f"    wrong  {line}")
    hidden = ("wrong", "missed")
    payload = {
        name: {
            k: v
            for k, v in r.items()
            if show_heldout or name.startswith("tuning") or k not in hidden
        }
        for name, r in runs.items()
    }
    harness.write_result("opposites", "python -m bench.opposites", {"runs": payload})
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
