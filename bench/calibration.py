"""Calibrated confidence for merge proposals: the share of proposals that were right, by kind
(matching/proposals.py: case, spelling, abbreviation, typo, fuzzy, model) and score bin.

Run: .venv/bin/python -m bench.calibration   (writes bench/results/calibration.json)
Fitted on bench/data/messy_labels.csv (the label-matching benchmark, every label repeated as
often as the set says), with rapidfuzz only and with the embedding model; a proposal is right
when the label and the canonical label it goes into are in one labelled group. Confidence per
bin is (right + 1) / (n + 2), so a bin seen a few times never claims certainty. Checked on the
opposite set's tuning part (bench/data/opposites_tuning.csv): how many wrong proposals each
bin holds there and whether any wrong one would be pre-ticked.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from typing import Any

from bench import harness, opposites, similarity
from matching.embeddings import EmbeddingClient, EmbeddingsUnavailable
from matching.proposals import CALIBRATION, TICK_AT
from matching.similarity import HarmonizeSpec, harmonize_labels

BINS = (0.0, 0.8, 0.9)  # lowest score of each bin


def bin_of(score: float) -> float:
    return max(b for b in BINS if score >= b)


def tally(columns: dict[str, list[tuple[str, Any]]], spec, embed) -> dict:
    """(kind, bin) -> [proposals, right, pre-ticked, pre-ticked and wrong]."""
    out: dict = defaultdict(lambda: [0, 0, 0, 0])
    for rows in columns.values():
        truth = {label: group for label, group, *_ in rows}
        labels = [label for label, _, *count in rows for _ in range(count[0] if count else 1)]
        result = harmonize_labels(tuple(labels), spec, embed=embed)
        for p in result.proposals.values():
            right = truth[p.label] == truth[p.into]
            cell = out[(p.kind, bin_of(p.score))]
            cell[0] += 1
            cell[1] += right
            cell[2] += p.ticked
            cell[3] += p.ticked and not right
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Tally both runs on the benchmark and the tuning part; print the table; write the JSON."""
    bench_set = similarity.load()
    tuning = {g: [(lb, m) for lb, m in rows] for g, rows in opposites.load("tuning").items()}
    runs = {"benchmark/rapidfuzz": tally(bench_set, HarmonizeSpec(embeddings=False), None)}
    runs["tuning/rapidfuzz"] = tally(tuning, HarmonizeSpec(embeddings=False), None)
    client = EmbeddingClient(memory=None, enabled=True, idle_s=600.0)
    try:
        runs["benchmark/model"] = tally(bench_set, HarmonizeSpec(), client.embed)
        runs["tuning/model"] = tally(tuning, HarmonizeSpec(), client.embed)
    except EmbeddingsUnavailable as exc:
        harness.out(f"model unavailable: {exc}")
    finally:
        client.stop("bench done")
    payload: dict[str, Any] = {"tick_at": TICK_AT, "shipped": CALIBRATION, "runs": {}}
    for name, cells in runs.items():
        rows = []
        for (kind, low), (n, right, ticked, wrong_ticked) in sorted(cells.items()):
            share = (right + 1) / (n + 2)
            rows.append(
                {"kind": kind, "score_from": low, "n": n, "right": right, "share": share,
                 "ticked": ticked, "ticked_wrong": wrong_ticked}
            )  # fmt: skip
            harness.out(
                f"{name:20s} {kind:12s} score>={low:.1f} n {n:4d} right {right:4d} "
                f"(+1)/(+2) {share:.2f}  pre-ticked {ticked:4d}, of them wrong {wrong_ticked}"
            )
        payload["runs"][name] = rows
    harness.write_result("calibration", "python -m bench.calibration", payload)
    return payload


if __name__ == "__main__":
    main(sys.argv[1:])
