"""A codebook's variables against a data set's columns, one to one, then their allowed values.

Each codebook variable is compared by its name AND its label with every column name
(matching/variable_names.py makes "Age (years)" and "age_yrs" both "age"), by the cascade of
matching/cross_match.py; the better of the two scores counts. The one-to-one assignment
maximises the total score (Hungarian method, scipy's linear_sum_assignment); pairs below
`accept` stay unmatched. A match is unsure when it was settled in the uncertain band or a
runner-up is close. logic registers the kind "codebook" -> this module (VERSION, analyze).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from matching.codebook import Codebook
from matching.cross_match import Embedder, choose_embedder, score_cross
from matching.value_match import ValueMatch, ValueSettings, match_values
from matching.variable_names import variable_canon

log = logging.getLogger(__name__)

VERSION = "2"  # 2: the result holds no codebook file name (it came from the first uploader)
AMBIGUOUS = 0.05  # a runner-up this close (row or column) makes a match unsure
ALTERNATIVES = 3
# A column name that only adds a qualifier ("mace_1yr" for "MACE") scores this share of its
# fuzzy score, so it lands in the band: proposed but unsure. Opposite qualifiers never match.
ADDED_KEY_FACTOR = 0.85


@dataclass(frozen=True)
class CodebookSpec:
    """What to match and how strictly; the cache key holds the codebook's fingerprint only."""

    codebook: Codebook
    high: float = 90.0  # fuzzy score at or above: the same, no model needed
    low: float = 50.0  # fuzzy score below: different, no model needed
    accept: float = 0.6  # an assigned pair below this similarity is left unmatched
    embeddings: bool = True

    def key_fields(self) -> dict:
        """What identifies the request in the cache: the codebook by its content digest."""
        return {
            "codebook": self.codebook.fingerprint,
            "high": self.high,
            "low": self.low,
            "accept": self.accept,
            "embeddings": self.embeddings,
        }


@dataclass(frozen=True)
class VariableMatch:
    """One codebook variable and the column proposed for it (None: no column fits)."""

    variable: str
    label: str
    type: str
    column: str | None
    score: float
    unsure: bool
    how: str  # exact, fuzzy, model, none
    alternatives: tuple[str, ...] = ()  # the next best columns, best first


@dataclass(frozen=True)
class CodebookMatch:
    """Proposed variable -> column matches and, per matched categorical variable, its values.

    Shared by every session with the same bytes (the cache key is the content), so it holds no
    file name: the page names the codebook the requesting session uploaded."""

    fingerprint: str
    variables: tuple[VariableMatch, ...]  # in codebook order
    unmatched_variables: tuple[str, ...]
    unmatched_columns: tuple[str, ...]
    values: dict[str, tuple[ValueMatch, ...]]  # codebook variable -> its column's labels
    stats: dict[str, float] = field(default_factory=dict)
    mode: str = "rapidfuzz"
    note: str = ""


def variable_scores(
    codebook: Codebook, columns: list[str], spec: CodebookSpec, embed: Embedder | None
):
    """(similarity, exact, band, mode, note, embedded): variables x columns, name or label."""
    cols = [variable_canon(c) for c in columns]
    kwargs = dict(high=spec.high, low=spec.low, embed=embed, added_key_factor=ADDED_KEY_FACTOR)
    names = [e.variable for e in codebook.entries]
    labels = [e.label for e in codebook.entries]
    by_name = score_cross([variable_canon(n) for n in names], cols, raw=(names, columns), **kwargs)
    by_label = score_cross(
        [variable_canon(x) for x in labels], cols, raw=(labels, columns), **kwargs
    )
    name_wins = by_name.similarity >= by_label.similarity
    similarity = np.maximum(by_name.similarity, by_label.similarity)
    exact = by_name.exact | by_label.exact
    band = np.where(name_wins, by_name.band, by_label.band) & ~exact
    modes = {by_name.mode, by_label.mode}
    mode = "embeddings" if "embeddings" in modes else "rapidfuzz"
    note = by_name.note or by_label.note
    return similarity, exact, band, mode, note, by_name.embedded + by_label.embedded


def _unsure(sim: np.ndarray, i: int, j: int, score: float, high: float) -> bool:
    row = np.delete(sim[i], j)
    col = np.delete(sim[:, j], i)
    runner_up = max(row.max(initial=0.0), col.max(initial=0.0))
    return score < high / 100 or runner_up >= score - AMBIGUOUS


def match_codebook(
    df: pd.DataFrame, spec: CodebookSpec, embed: Embedder | None = None
) -> CodebookMatch:
    """Variables to columns (one to one) and allowed values to labels of matched columns."""
    # Imported here: scipy.optimize costs the app ~30 MB at rest, and most sessions never match.
    from scipy.optimize import linear_sum_assignment

    started = time.perf_counter()
    embed, note = choose_embedder(spec.embeddings, embed)
    codebook = spec.codebook
    columns = [str(c) for c in df.columns]
    sim, exact, band, mode, why, embedded = variable_scores(codebook, columns, spec, embed)
    rows, cols = linear_sum_assignment(sim, maximize=True) if sim.size else ((), ())
    assigned = {int(i): int(j) for i, j in zip(rows, cols) if sim[i, j] >= spec.accept}
    matches, values = [], {}
    value_modes = set()
    for i, entry in enumerate(codebook.entries):
        checkpoint()  # Cancel (or a closed tab) stops a large codebook between variables
        order = [j for j in np.argsort(-sim[i], kind="stable") if sim[i, j] >= spec.accept]
        j = assigned.get(i)
        if j is None:
            alternatives = tuple(columns[k] for k in order[:ALTERNATIVES])
            matches.append(
                VariableMatch(
                    entry.variable, entry.label, entry.type, None, 0.0, False, "none", alternatives
                )  # fmt: skip
            )
            continue
        score = float(sim[i, j])
        how = (
            "exact" if exact[i, j] else "model" if band[i, j] and mode == "embeddings" else "fuzzy"
        )
        unsure = not exact[i, j] and _unsure(sim, i, j, score, spec.high)
        alternatives = tuple(columns[k] for k in order if k != j)[:ALTERNATIVES]
        matches.append(
            VariableMatch(
                entry.variable,
                entry.label,
                entry.type,
                columns[j],
                round(score, 3),
                unsure,
                how,
                alternatives,
            )  # fmt: skip
        )
        if entry.type == "categorical" and entry.values:
            found, value_mode, value_note = match_values(
                df[columns[j]], entry, ValueSettings(spec.high, spec.low), embed
            )
            values[entry.variable] = found
            value_modes.add(value_mode)
            why = why or value_note
    used = {columns[j] for j in assigned.values()}
    if "embeddings" in value_modes:
        mode = "embeddings"
    result = CodebookMatch(
        fingerprint=codebook.fingerprint,
        variables=tuple(matches),
        unmatched_variables=tuple(m.variable for m in matches if m.column is None),
        unmatched_columns=tuple(c for c in columns if c not in used),
        values=values,
        stats={
            "variables": float(len(codebook.entries)),
            "columns": float(len(columns)),
            "pairs": float(sim.size),
            "exact_pairs": float(exact.sum()),
            "band_pairs": float(band.sum()),
            "matched": float(len(assigned)),
            "unsure": float(sum(m.unsure for m in matches)),
            "embedded_texts": float(embedded),
            "seconds": time.perf_counter() - started,
        },
        mode=mode,
        note=why or note,
    )
    log.info(
        "codebook matched %d of %d variables to %d columns (%s) in %.1f ms",
        len(assigned),
        len(codebook.entries),
        len(columns),
        mode,
        result.stats["seconds"] * 1000,
    )
    return result


def analyze(df: pd.DataFrame, spec: CodebookSpec) -> CodebookMatch:
    """logic.run's entry."""
    return match_codebook(df, spec)
