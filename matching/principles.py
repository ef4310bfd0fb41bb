"""Which pairs of labels the principles keep apart (matching/opposites.py reads the labels).

Vectorised over two lists of parsed labels, so a column of 2,000 labels costs a few numpy
passes: the number codes and the opposing-word sets compare by id, the acronym sets by their
few distinct values, and prefix/suffix forms through an index of shared stems.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from rapidfuzz.distance import OSA

from matching.opposites import NOT, Parsed

# What each principle is called where a reason is shown, in the order they are reported.
PRINCIPLES = {
    "numbers": "a different number, grade, stage or dose",
    "negation": "one negates the other (non-, un-, a-, in-, dis-, no, a leading N)",
    "prefix": "opposite prefixes on the same word (hyper/hypo, pre/post, tachy/brady...)",
    "suffix": "different endings on the same stem (-cytosis/-penia, -ectomy/-ostomy...)",
    "words": "opposite words (positive/negative, left/right, high/low...)",
    "acronyms": "different acronyms that the abbreviation list does not make the same",
    "qualifiers": "each names something the other does not (bowel / liver surgery)",
}
# Two words this alike (OSA: a transposition is one edit) are one word misspelt: 'satge'.
SAME_WORD = 0.5


def _ids(values: Sequence, ids: dict) -> np.ndarray:
    return np.array([ids.setdefault(v, len(ids)) for v in values], dtype=np.int64)


def _numbers(a: Sequence[Parsed], b: Sequence[Parsed], strict: bool) -> np.ndarray:
    ids: dict = {}
    ia, ib = _ids([p.codes for p in a], ids), _ids([p.codes for p in b], ids)
    differ = ia[:, None] != ib[None, :]
    if strict:
        return differ
    has_a = np.array([bool(p.codes) for p in a])
    has_b = np.array([bool(p.codes) for p in b])
    return differ & has_a[:, None] & has_b[None, :]


def _words(a: Sequence[Parsed], b: Sequence[Parsed], strict: bool) -> np.ndarray:
    """Opposing words: for labels any difference ('HER2' vs 'HER2-'), for names both sides."""
    out = np.zeros((len(a), len(b)), dtype=bool)
    present = {k for p in [*a, *b] for k, _ in p.classes}
    for k in present:
        ids: dict = {}
        va = _ids([dict(p.classes).get(k) for p in a], ids)
        vb = _ids([dict(p.classes).get(k) for p in b], ids)
        differ = va[:, None] != vb[None, :]
        if not strict:
            none = ids.get(None, -1)
            differ &= (va[:, None] != none) & (vb[None, :] != none)
        out |= differ
    return out


def _acronyms(a: Sequence[Parsed], b: Sequence[Parsed]) -> np.ndarray:
    ids: dict = {}
    ia, ib = _ids([p.acronyms for p in a], ids), _ids([p.acronyms for p in b], ids)
    sets = list(ids)
    table = np.zeros((len(sets), len(sets)), dtype=bool)
    for i, x in enumerate(sets):
        for j, y in enumerate(sets):
            table[i, j] = bool(x - y) and bool(y - x)  # each holds one the other lacks
    return table[ia[:, None], ib[None, :]]


def _index(items: Sequence[Parsed]) -> dict[tuple[str, str], dict[int, set[str]]]:
    index: dict[tuple[str, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for i, p in enumerate(items):
        for kind, stem, tag in p.forms:
            index[(kind, stem)][i].add(tag)
    return index


def _forms(a: Sequence[Parsed], b: Sequence[Parsed]) -> dict[str, np.ndarray]:
    """negation / prefix / suffix: a stem both labels hold, with different tags."""
    out = {name: np.zeros((len(a), len(b)), dtype=bool) for name in ("negation", "prefix")}
    out["suffix"] = np.zeros((len(a), len(b)), dtype=bool)
    index_b = _index(b)
    for key, tags_a in _index(a).items():
        tags_b = index_b.get(key)
        if not tags_b:
            continue
        groups_a, groups_b = defaultdict(list), defaultdict(list)
        for i, tags in tags_a.items():
            groups_a[frozenset(tags)].append(i)
        for j, tags in tags_b.items():
            groups_b[frozenset(tags)].append(j)
        for ta, rows in groups_a.items():
            for tb, cols in groups_b.items():
                if ta == tb:
                    continue
                name = "suffix" if key[0] == "s" else "negation" if NOT in (ta ^ tb) else "prefix"
                out[name][np.ix_(rows, cols)] = True
    return out


def blocked_by(
    a: Sequence[Parsed], b: Sequence[Parsed], strict: bool = True
) -> dict[str, np.ndarray]:
    """Principle name -> len(a) x len(b) bools: True where that principle keeps them apart.

    strict: True for labels (a number or an opposing word on one side only differs:
    'DM' vs 'Type 2 DM', 'HER2' vs 'HER2-'); False for column names, where one side may add a
    qualifier ('MACE' vs 'MACE_1yr') but two different numbers or words still differ.
    Pairs with the same canonical text are never blocked.
    """
    same = (
        np.array([p.text for p in a], dtype=object)[:, None]
        == np.array([p.text for p in b], dtype=object)[None, :]
    )
    if not len(a) or not len(b):
        same = np.zeros((len(a), len(b)), dtype=bool)
    found = {"numbers": _numbers(a, b, strict), **_forms(a, b)}
    found["words"] = _words(a, b, strict)
    if strict:  # column names are abbreviations by nature ('qol_bl', 'qol0'): labels only
        found["acronyms"] = _acronyms(a, b)
    return {name: found[name] & ~same for name in PRINCIPLES if name in found}


def blocked(a: Sequence[Parsed], b: Sequence[Parsed], strict: bool = True) -> np.ndarray:
    """len(a) x len(b) bools: True where any principle keeps the two apart."""
    out = np.zeros((len(a), len(b)), dtype=bool)
    for matrix in blocked_by(a, b, strict).values():
        out |= matrix
    return out


def why_apart(x: Parsed, y: Parsed, strict: bool = True) -> str | None:
    """The first principle that keeps x and y apart (a key of PRINCIPLES), or None."""
    for name, matrix in blocked_by([x], [y], strict).items():
        if matrix[0, 0]:
            return name
    return None


def different_qualifiers(texts: Sequence[str], pairs: np.ndarray) -> np.ndarray:
    """Where `pairs` (square, over canonical texts): both labels share a word and each holds one
    word the other lacks that is no misspelling of it ('peripheral oedema' / 'lung oedema',
    'bowel surgery' / 'liver surgery'). Numbers are the numbers principle's; only the pairs
    asked about are read, so a column of 2,000 labels costs what its close pairs cost."""
    words = [frozenset(w for w in t.split() if not w.replace(".", "").isdigit()) for t in texts]
    out = np.zeros(pairs.shape, dtype=bool)
    for i, j in zip(*np.nonzero(pairs)):
        x, y = words[i], words[j]
        only_x, only_y = x - y, y - x
        if len(only_x) == len(only_y) == 1 and x & y:
            out[i, j] = not any(
                OSA.normalized_similarity(u, v) >= SAME_WORD for u in only_x for v in only_y
            )
    return out
