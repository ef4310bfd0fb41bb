"""Label harmonisation: which labels of a column mean the same thing, by a cascade cheapest first.

1. normalise (matching/normalize.py: case, accents, punctuation, spelling, abbreviations) and
   exact match; labels that the principles keep apart (matching/principles.py: negation,
   opposing prefixes and words, numbers, acronyms) or whose guard words differ never match;
2. rapidfuzz scores for all pairs at once (process.cdist): at or above `high` the same, below
   `low` different, no further work;
3. sentence embeddings (a separate worker process) only for the pairs in between, mixed with
   the fuzzy score;
4. groups by average linkage with the guarded pairs kept apart (matching/clustering.py).
logic registers the kind "harmonize" -> this module (VERSION, analyze).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from analyses.errors import AnalysisError
from matching import embeddings
from matching.clustering import average_linkage
from matching.cross_match import (
    Embedder,
    band_cosines,
    choose_embedder,
    conflicts_cross,
    fuzzy_cross,
)
from matching.normalize import Canon, canonical
from matching.opposites import parse
from matching.principles import blocked, different_qualifiers
from matching.proposals import Proposal, propose

log = logging.getLogger(__name__)

VERSION = "2"
# Work done by the cascade since the server started, for the stats panel (cache hits add none).
_TOTAL_FIELDS = ("columns", "pairs", "early_exits", "embedded_labels", "columns_with_model")
_totals = dict.fromkeys(_TOTAL_FIELDS, 0.0)
_totals_lock = threading.Lock()
MAX_LABELS = 2000  # distinct labels per column; beyond this it is free text, not categories


@dataclass(frozen=True)
class HarmonizeSpec:
    """What to harmonise and how strictly. Thresholds: fuzzy scores 0-100, similarity 0-1."""

    column: str | None = None  # the column of the data; None: the first
    high: float = 90.0  # fuzzy score at or above: the same, without embeddings
    low: float = 40.0  # fuzzy score below: different, without embeddings
    cut: float = 0.65  # groups merge while their average similarity is at least this
    fuzzy_weight: float = 0.5  # weight of the fuzzy score against the cosine in the band
    embeddings: bool = True  # False: rapidfuzz only
    abbreviations: bool = True  # False: leave out the built-in abbreviation/synonym list


@dataclass(frozen=True)
class Harmonization:
    """Proposed groups of one column's labels; `mapping` sends every label to its canonical."""

    mapping: dict[str, str]
    groups: tuple[tuple[str, ...], ...]  # members, canonical first, largest group first
    counts: dict[str, int]  # rows per label
    confidence: dict[str, float]  # canonical -> lowest similarity inside its group
    unsure: tuple[tuple[str, str, float], ...]  # pairs settled in the uncertain band
    stats: dict[str, float] = field(default_factory=dict)
    mode: str = "rapidfuzz"  # "embeddings" when the model took part, else "rapidfuzz"
    note: str = ""  # why the model did not take part, when it was wanted
    # label -> its proposed merge into its group's canonical label (reason, calibrated
    # confidence, pre-ticked or not); canonical labels and labels alone have none.
    proposals: dict[str, Proposal] = field(default_factory=dict)


def _embed_band(
    texts: list[str], band: np.ndarray, embed: Embedder | None
) -> tuple[np.ndarray | None, int, str]:
    """Cosines for the band pairs (None if no embeddings), texts embedded, and why not."""
    upper = np.triu(band, 1)
    if embed is None or not upper.any():
        return None, 0, ""
    try:
        cos, embedded = band_cosines(texts, texts, upper, embed)
    except embeddings.EmbeddingsUnavailable as exc:
        return None, 0, str(exc)
    return np.maximum(cos, cos.T), embedded, ""


def _canonical_label(members: Iterable[str], counts: Counter) -> str:
    """The most frequent label; ties go to the tidier spelling (no stray spaces, then A-Z)."""
    return min(members, key=lambda s: (-counts[s], s != s.strip(), s.isupper(), s.islower(), s))


def harmonize_labels(
    labels: Sequence[str], spec: HarmonizeSpec = HarmonizeSpec(), embed: Embedder | None = None
) -> Harmonization:
    """Group labels that mean the same (repeats count towards the canonical choice).

    embed: texts -> unit vectors; by default the shared embedding worker when spec and
    settings allow it. It may raise EmbeddingsUnavailable: the cascade then goes on without.
    """
    started = time.perf_counter()
    counts = Counter(str(x) for x in labels)
    distinct = list(counts)
    if len(distinct) > MAX_LABELS:
        raise AnalysisError(
            f"This column has {len(distinct):,} different values: it looks like free text or an "
            "identifier, not categories. Pick a column with fewer distinct values."
        )
    embed, note = choose_embedder(spec.embeddings, embed)

    # Step 1: one node per canonical text; labels sharing it are the same without more work.
    canon_of = {label: canonical(label, spec.abbreviations) for label in distinct}
    nodes: dict[Canon, list[str]] = {}
    for label in distinct:
        nodes.setdefault(canon_of[label], []).append(label)
    node_canons = list(nodes)
    texts = [c.text for c in node_canons]
    n = len(node_canons)

    # Step 2: the principles (matching/principles.py) and the guard words keep pairs apart
    # before any score; fuzzy scores decide most of the rest.
    parsed = [parse(nodes[c], c, spec.abbreviations) for c in node_canons]
    principled = blocked(parsed, parsed)
    conflict = conflicts_cross(node_canons, node_canons) | principled
    fuzzy = fuzzy_cross(texts, texts)
    upper = np.triu(np.ones((n, n), dtype=bool), 1)
    close = upper & ~conflict & (fuzzy >= spec.low)
    qualified = different_qualifiers(texts, close)
    principled |= qualified | qualified.T
    conflict |= principled
    band = upper & ~conflict & (fuzzy >= spec.low) & (fuzzy < spec.high)

    # Step 3: embeddings for the band only.
    checkpoint()
    cos, embedded, why = _embed_band(texts, band, embed)
    similarity = fuzzy / 100.0
    if cos is not None:
        # The model may only raise a band pair's similarity: its cosines rank lexically close
        # labels below fuzzy scores (bench/similarity.py), so mixing alone would split them.
        mixed = spec.fuzzy_weight * similarity + (1 - spec.fuzzy_weight) * cos
        similarity = np.where(band | band.T, np.maximum(mixed, similarity), similarity)
    similarity = np.where(conflict, 0.0, similarity)

    # Step 4: groups.
    checkpoint()
    cluster = average_linkage(similarity, conflict, spec.cut)
    result = _assemble(nodes, node_canons, cluster, similarity, band, counts, spec)
    label_pairs = len(distinct) * (len(distinct) - 1) // 2
    node_pairs = n * (n - 1) // 2
    band_pairs = int(band.sum())
    stats = {
        "labels": float(len(distinct)),
        "pairs": float(label_pairs),
        "exact_pairs": float(label_pairs - node_pairs),
        "guarded_pairs": float((conflict & upper).sum()),
        "principle_pairs": float((principled & upper).sum()),
        "fuzzy_same": float((upper & ~conflict & (fuzzy >= spec.high)).sum()),
        "fuzzy_different": float((upper & ~conflict & (fuzzy < spec.low)).sum()),
        "band_pairs": float(band_pairs),
        "early_exits": float(label_pairs - band_pairs),
        "embedded_labels": float(embedded),
        "groups": float(len(result[0])),
        "seconds": time.perf_counter() - started,
    }
    mode = "embeddings" if cos is not None else "rapidfuzz"
    _count(stats, used_model=cos is not None)
    if why:
        note = why
    groups, mapping, confidence, unsure = result
    node_of = {label: i for i, c in enumerate(node_canons) for label in nodes[c]}
    by_model = (band | band.T) & (similarity > fuzzy / 100.0 + 1e-9) if cos is not None else None
    proposals = {}
    for head, *members in groups:
        for label in members:
            i, j = node_of[label], node_of[head]
            score = 1.0 if i == j else float(similarity[i, j])
            model = by_model is not None and bool(by_model[i, j])
            proposals[label] = propose(label, head, score, i == j, model)
    log.info(
        "harmonised %d labels into %d groups (%s): %d of %d pairs decided early, %d embedded",
        len(distinct),
        len(groups),
        mode,
        label_pairs - band_pairs,
        label_pairs,
        embedded,
    )
    return Harmonization(
        mapping=mapping,
        groups=groups,
        counts=dict(counts),
        confidence=confidence,
        unsure=unsure,
        stats=stats,
        mode=mode,
        note=note,
        proposals=proposals,
    )


def _count(stats: dict[str, float], used_model: bool) -> None:
    with _totals_lock:
        _totals["columns"] += 1
        _totals["pairs"] += stats["pairs"]
        _totals["early_exits"] += stats["early_exits"]
        _totals["embedded_labels"] += stats["embedded_labels"]
        _totals["columns_with_model"] += float(used_model)


def totals() -> dict[str, float]:
    """Columns harmonised, label pairs compared, pairs decided before any embedding, labels sent
    to the model and columns the model took part in, since the process started."""
    with _totals_lock:
        return dict(_totals)


def _assemble(nodes, node_canons, cluster, similarity, band, counts, spec):
    """Groups (canonical first, biggest first), the mapping, confidences and unsure pairs."""
    groups, mapping, confidence = [], {}, {}
    for gid in range(int(cluster.max()) + 1 if cluster.size else 0):
        idx = np.flatnonzero(cluster == gid)
        members = [label for i in idx for label in nodes[node_canons[i]]]
        head = _canonical_label(members, counts)
        rest = sorted((m for m in members if m != head), key=lambda s: (-counts[s], s))
        groups.append((head, *rest))
        inner = similarity[np.ix_(idx, idx)]
        confidence[head] = float(inner.min()) if idx.size > 1 else 1.0
        for label in members:
            mapping[label] = head
    groups.sort(key=lambda g: (-sum(counts[m] for m in g), g[0]))
    unsure = []
    for i, j in zip(*np.nonzero(band)):
        if abs(float(similarity[i, j]) - spec.cut) <= 0.12:
            a, b = nodes[node_canons[i]][0], nodes[node_canons[j]][0]
            unsure.append((a, b, round(float(similarity[i, j]), 3)))
    return tuple(groups), mapping, confidence, tuple(unsure)


def analyze(df: pd.DataFrame, spec: HarmonizeSpec) -> Harmonization:
    """logic.run's entry: harmonise spec.column of df (or its first column)."""
    if spec.column is not None and spec.column in df.columns:
        column = spec.column
    elif spec.column is None or df.shape[1] == 1:
        column = df.columns[0]
    else:
        raise AnalysisError(f"There is no column named '{spec.column}'. Choose one from the list.")
    values = df[column].dropna().astype(str)
    values = values[values.str.strip() != ""]
    return harmonize_labels(tuple(values.tolist()), spec)
