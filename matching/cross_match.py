"""The cascade's scoring for two lists (codebook side x data side); the label cascade
(matching/similarity.py) uses it with one list against itself.

Same steps and thresholds as matching/similarity.py: canonical texts and guard keys
(matching/normalize.py), exact match, rapidfuzz scores for every pair at once, and sentence
embeddings only for the pairs in the uncertain band, which may raise a pair's score, never
lower it. Pairs the principles keep apart (matching/principles.py) and guarded pairs (pre vs
post, 1 vs 2, male vs female) score 0.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz, process

from matching import embeddings
from matching.normalize import Canon
from matching.opposites import parse
from matching.principles import blocked
from utils.config import settings

Embedder = Callable[[Sequence[str]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class Scored:
    """Similarity 0-1 of every (row, column) pair and how the cascade reached it."""

    similarity: np.ndarray
    exact: np.ndarray  # bool: same canonical text and keys
    band: np.ndarray  # bool: settled in the uncertain band (fuzzy or model)
    embedded: int  # texts sent to the model
    mode: str  # "embeddings" when the model scored any band pair, else "rapidfuzz"
    note: str  # why the model did not take part, when it was wanted
    conflict: np.ndarray  # bool: kept apart before any score (principles, guard words)


def fuzzy_cross(a: Sequence[str], b: Sequence[str]) -> np.ndarray:
    """len(a) x len(b) scores 0-100: the better of token-sort and 0.9 x token-set ratio."""
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    sort = process.cdist(a, b, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    tset = process.cdist(a, b, scorer=fuzz.token_set_ratio, dtype=np.float32)
    # token_set gives 100 to any subset ("diabetes" in "diabetes mellitus"): trust it less.
    return np.maximum(sort, 0.9 * tset)


def guard_relation(a: Sequence[Canon], b: Sequence[Canon]) -> tuple[np.ndarray, np.ndarray]:
    """len(a) x len(b) bools: keys differ at all; keys differ on both sides (neither holds the
    other's: 'pre' vs 'post', '1' vs '2'), as opposed to one side adding a key ('mace' vs
    'mace 1 year'). Computed per distinct key set, so a big codebook costs little."""
    ids: dict[frozenset[str], int] = {}
    left = np.array([ids.setdefault(c.keys, len(ids)) for c in a], dtype=int)
    right = np.array([ids.setdefault(c.keys, len(ids)) for c in b], dtype=int)
    sets = list(ids)
    both = np.array([[bool(x - y) and bool(y - x) for y in sets] for x in sets], dtype=bool)
    differ = left[:, None] != right[None, :]
    if not sets:
        return differ, differ
    return differ, both[left[:, None], right[None, :]]


def conflicts_cross(a: Sequence[Canon], b: Sequence[Canon]) -> np.ndarray:
    """len(a) x len(b) bool: True where the guard keys differ (the two can never match)."""
    return guard_relation(a, b)[0]


def choose_embedder(wanted: bool, embed: Embedder | None) -> tuple[Embedder | None, str]:
    """The embedder to use (None: rapidfuzz only) and why not, as the label cascade decides."""
    if not wanted:
        return None, ""
    if embed is not None:
        return embed, ""
    if not settings.embeddings:
        return None, "the embedding model is turned off (MEDSTAT_EMBEDDINGS=0)"
    return embeddings.shared().embed, ""


def band_cosines(
    a: Sequence[str], b: Sequence[str], band: np.ndarray, embed: Embedder
) -> tuple[np.ndarray, int]:
    """Cosines of the model's vectors for the band's (a, b) pairs (0 elsewhere), texts embedded."""
    rows, cols = np.nonzero(band)
    needed = sorted({a[i] for i in rows} | {b[j] for j in cols})
    vectors = embed(needed)
    left = np.stack([vectors[a[i]] for i in rows])
    right = np.stack([vectors[b[j]] for j in cols])
    out = np.zeros(band.shape, dtype=np.float32)
    out[rows, cols] = np.clip(np.einsum("ij,ij->i", left, right), 0.0, 1.0)
    return out, len(needed)


def score_cross(
    a: Sequence[Canon],
    b: Sequence[Canon],
    *,
    high: float,
    low: float,
    fuzzy_weight: float = 0.5,
    embed: Embedder | None = None,
    note: str = "",
    added_key_factor: float | None = None,
    raw: tuple[Sequence[str], Sequence[str]] | None = None,
) -> Scored:
    """Similarity of every (a, b) pair by the cascade; embed=None keeps to rapidfuzz.

    added_key_factor: None, keys must agree (labels: 'DM' is not 'Type 2 DM'); a number, a
    pair where one side only adds keys is allowed at its score times this factor (column names
    drop qualifiers: 'MACE_1yr' for 'Major adverse cardiac event'), while keys that differ on
    both sides still never match.
    raw: the texts as typed behind a and b (acronyms and prefixes are read from them), else
    the canonical texts. The principles (matching/principles.py) apply before any score.
    """
    ta, tb = [c.text for c in a], [c.text for c in b]
    raw_a, raw_b = raw if raw is not None else (ta, tb)
    principled = blocked(
        [parse((r,), c) for r, c in zip(raw_a, a)],
        [parse((r,), c) for r, c in zip(raw_b, b)],
        strict=added_key_factor is None,
    )
    differ, both = guard_relation(a, b)
    conflict = (differ if added_key_factor is None else both) | principled
    added = differ & ~conflict
    exact = (np.array(ta, dtype=object)[:, None] == np.array(tb, dtype=object)[None, :]) & ~differ
    fuzzy = np.where(exact, 100.0, fuzzy_cross(ta, tb))
    if added_key_factor is not None:
        fuzzy = np.where(added, fuzzy * added_key_factor, fuzzy)
    band = ~conflict & ~exact & (fuzzy >= low) & (fuzzy < high)
    similarity = fuzzy / 100.0
    embedded, mode = 0, "rapidfuzz"
    if embed is not None and band.any():
        try:
            cos, embedded = band_cosines(ta, tb, band, embed)
        except embeddings.EmbeddingsUnavailable as exc:
            note = str(exc)
        else:
            mixed = fuzzy_weight * similarity + (1 - fuzzy_weight) * cos
            similarity = np.where(band, np.maximum(mixed, similarity), similarity)
            mode = "embeddings"
    similarity = np.where(conflict, 0.0, similarity).astype(np.float64)
    return Scored(similarity, exact, band, embedded, mode, note, conflict)
