"""A codebook's allowed values against the labels one data column holds.

Every data label goes to one allowed value or to None ("not in codebook": shown and flagged,
never mapped silently). Order: REDCap codes ("1" is "1, Male"), then the label cascade
(matching/cross_match.py) on canonical texts: exact, abbreviation prefix ("Curr" for "Current"),
fuzzy, and the model for the uncertain band. Guard keys keep "F" from "Male" and "Yes" from
"Unknown".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from matching.codebook import CodebookEntry
from matching.cross_match import Embedder, score_cross
from matching.normalize import canonical
from utils.column_kinds import level_label, text_counts

AMBIGUOUS = 0.05  # a runner-up this close to the best makes the match unsure
PREFIX_SCORE = 0.9


@dataclass(frozen=True)
class ValueMatch:
    """One data label and the allowed value it is proposed as (None: not in the codebook)."""

    label: str
    value: str | None
    score: float
    how: str  # code, exact, prefix, fuzzy, model, none
    unsure: bool
    rows: int


@dataclass(frozen=True)
class ValueSettings:
    """Thresholds of value matching: fuzzy scores 0-100, similarity 0-1."""

    high: float = 90.0
    low: float = 50.0
    cut: float = 0.75  # a label is matched when its best similarity is at least this


def data_labels(series: pd.Series) -> list[tuple[str, int]]:
    """Distinct trimmed labels of a column with their row counts, most frequent first."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        counts = series.dropna().map(level_label).value_counts()
    else:
        counts = text_counts(series)[0]
    pairs = [(str(k), int(v)) for k, v in counts.items() if v > 0]  # unused categories: no
    return sorted(pairs, key=lambda p: (-p[1], p[0]))


def _prefix_of(text: str, allowed: Sequence[str]) -> int | None:
    """The one allowed text whose words start with these words ('curr' of 'current')."""
    words = text.split()
    if not words or len(text) < 3:
        return None
    hits = [
        k
        for k, other in enumerate(allowed)
        if len(other.split()) >= len(words)
        and all(o.startswith(w) for w, o in zip(words, other.split()))
    ]
    return hits[0] if len(hits) == 1 else None


def match_values(
    series: pd.Series,
    entry: CodebookEntry,
    settings: ValueSettings = ValueSettings(),
    embed: Embedder | None = None,
) -> tuple[tuple[ValueMatch, ...], str, str]:
    """(matches in order of frequency, mode, note) for one column and one codebook variable."""
    labels = data_labels(series)
    if not labels or not entry.values:
        return tuple(ValueMatch(lb, None, 0.0, "none", False, n) for lb, n in labels), "", ""
    by_code = {level_label(c): v for c, v in zip(entry.codes, entry.values) if c}
    allowed = [canonical(v) for v in entry.values]
    rest = [(lb, n) for lb, n in labels if lb not in by_code]
    scored = score_cross(
        [canonical(lb) for lb, _ in rest],
        allowed,
        high=settings.high,
        low=settings.low,
        embed=embed,
        raw=([lb for lb, _ in rest], list(entry.values)),
    )
    found: dict[str, ValueMatch] = {
        lb: ValueMatch(lb, by_code[lb], 1.0, "code", False, n) for lb, n in labels if lb in by_code
    }
    texts = [a.text for a in allowed]
    for i, (label, rows) in enumerate(rest):
        sim = scored.similarity[i]
        best = int(np.argmax(sim))
        score = float(sim[best])
        second = float(np.partition(sim, -2)[-2]) if sim.size > 1 else 0.0
        how = "exact" if scored.exact[i, best] else "fuzzy"
        canon = canonical(label)
        k = None if how == "exact" else _prefix_of(canon.text, texts)
        if k is not None and canon.keys == allowed[k].keys and not scored.conflict[i, k]:
            best, score, how = k, max(float(sim[k]), PREFIX_SCORE), "prefix"
        elif how == "fuzzy" and scored.band[i, best] and scored.mode == "embeddings":
            how = "model"
        if score < settings.cut:
            found[label] = ValueMatch(label, None, round(score, 3), "none", False, rows)
            continue
        unsure = how in ("fuzzy", "model") and (
            score < settings.high / 100 or second >= score - AMBIGUOUS
        )
        found[label] = ValueMatch(label, entry.values[best], round(score, 3), how, unsure, rows)
    ordered = tuple(found[lb] for lb, _ in labels)
    return ordered, scored.mode if rest else "", scored.note
