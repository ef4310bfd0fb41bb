"""Greedy nearest-neighbour matching on the logit of the propensity score, MatchIt's rules.

Treated patients are taken in the chosen order (largest score first, smallest first, data
order, or a random order from a shown seed); each takes the nearest control still available
(without replacement) on the logit, within the caliper and the exact-matching stratum. 1:k
matching runs in k rounds: every treated patient gets its first control before any gets its
second (MatchIt's nn_matchC). Ties between controls at the same distance go to the one earlier
in the data. Without a control within the caliper a treated patient stays unmatched.

The controls of a stratum are sorted once; the nearest available one to either side is found
by a binary search and two "next available" pointer arrays with path compression, so a
treated patient costs about O(log n), not a pass over every control (bench/propensity.py).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from analyses.cancellation import checkpoint, progress

ORDERS = ("largest", "smallest", "data", "random")


@dataclass(frozen=True)
class Matches:
    """Controls matched to each treated patient (positions among the analysed rows)."""

    treated: np.ndarray  # positions of the treated, in matching order
    controls: list[list[int]]  # per treated (same order): its controls, nearest first


def treated_order(score: np.ndarray, treated_rows: np.ndarray, order: str, seed: int) -> np.ndarray:
    """The treated positions in matching order (ties keep data order, as R's order())."""
    s = score[treated_rows]
    if order == "largest":
        return treated_rows[np.argsort(-s, kind="stable")]
    if order == "smallest":
        return treated_rows[np.argsort(s, kind="stable")]
    if order == "random":
        return treated_rows[np.random.default_rng(seed).permutation(len(treated_rows))]
    return treated_rows


def _find(pointer: list[int], i: int) -> int:
    """The available slot reached from i (path compression); -1 or len: none."""
    root = i
    while 0 <= root < len(pointer) and pointer[root] != root:
        root = pointer[root]
    while 0 <= i < len(pointer) and pointer[i] != i:
        pointer[i], i = root, pointer[i]
    return root


class _Pool:
    """The controls of one stratum sorted by (logit, data position), with the used ones
    skipped through pointer arrays."""

    def __init__(self, logit: np.ndarray, rows: np.ndarray) -> None:
        order = np.lexsort((rows, logit[rows]))
        self.rows = rows[order].tolist()
        self.values = logit[rows][order].tolist()
        self.right = list(range(len(self.rows)))  # the next available at or after i
        self.left = list(range(len(self.rows)))  # the next available at or before i

    def take(self, i: int) -> None:
        self.right[i] = i + 1
        self.left[i] = i - 1

    def _first_of_run(self, i: int) -> int:
        """The first available slot with the same value as slot i (the smallest data row)."""
        while True:
            j = _find(self.left, i - 1) if i > 0 else -1
            if j < 0 or self.values[j] != self.values[i]:
                return i
            i = j

    def nearest(self, x: float) -> int:
        """The slot of the nearest available control to x, or -1 when none is left."""
        n = len(self.rows)
        p = bisect.bisect_left(self.values, x)
        lo = _find(self.left, p - 1) if p > 0 else -1
        hi = _find(self.right, p) if p < n else n
        candidates = ([self._first_of_run(lo)] if lo >= 0 else []) + ([hi] if hi < n else [])
        if not candidates:
            return -1
        return min(candidates, key=lambda s: (abs(self.values[s] - x), self.rows[s]))


def _k_nearest(pool: _Pool, x: float, k: int, caliper: float) -> list[int]:
    """With replacement: the k nearest controls (every one available), nearest first."""
    n = len(pool.values)
    p = bisect.bisect_left(pool.values, x)
    lo, hi, found = p - 1, p, []
    while len(found) < k and (lo >= 0 or hi < n):
        left = abs(pool.values[lo] - x) if lo >= 0 else np.inf
        right = abs(pool.values[hi] - x) if hi < n else np.inf
        if left < right or (left == right and pool.rows[lo] < pool.rows[hi]):
            slot, dist, lo = lo, left, lo - 1
        else:
            slot, dist, hi = hi, right, hi + 1
        if dist > caliper:
            break
        found.append(slot)
    # equal distances on one side: the earlier data row first
    found.sort(key=lambda s: (abs(pool.values[s] - x), pool.rows[s]))
    return [pool.rows[s] for s in found]


def match(
    logit: np.ndarray,
    treated: np.ndarray,
    strata: np.ndarray,
    order: np.ndarray,
    ratio: int = 1,
    replace: bool = False,
    caliper: float = np.inf,
) -> Matches:
    """Match the treated in `order` (positions) to controls; see the module docstring."""
    controls_of: list[list[int]] = [[] for _ in order]
    control_rows = np.flatnonzero(treated == 0)
    pools = {
        s: _Pool(logit, control_rows[strata[control_rows] == s]) for s in np.unique(strata[order])
    }
    x = logit.tolist()
    stratum = strata.tolist()
    done = 0
    for round_ in range(ratio if not replace else 1):
        progress(f"Matching: round {round_ + 1} of {ratio}" if ratio > 1 else "Matching")
        for i, t in enumerate(order.tolist()):
            done += 1
            if done % 2000 == 0:
                checkpoint()
            if len(controls_of[i]) < round_:
                continue  # found no control in an earlier round: none is nearer now
            pool = pools[stratum[t]]
            if replace:
                controls_of[i] = _k_nearest(pool, x[t], ratio, caliper)
                continue
            slot = pool.nearest(x[t])
            if slot < 0 or abs(pool.values[slot] - x[t]) > caliper:
                continue
            pool.take(slot)
            controls_of[i].append(pool.rows[slot])
    return Matches(treated=order, controls=controls_of)


def matching_weights(matches: Matches, n: int, replace: bool) -> tuple[np.ndarray, np.ndarray]:
    """MatchIt's ATT weights and subclasses: a matched treated patient 1; a control the sum
    over its treated of 1 / (that treated's number of controls), scaled so that the controls'
    weights sum to their number; subclass = the matched set (-1: unmatched, or with
    replacement, where a control can be in several sets)."""
    weights = np.zeros(n)
    subclass = np.full(n, -1, dtype=np.int64)
    set_id = 0
    for t, controls in zip(matches.treated.tolist(), matches.controls, strict=True):
        if not controls:
            continue
        weights[t] = 1.0
        share = 1.0 / len(controls)
        for c in controls:
            weights[c] += share
        if not replace:
            subclass[t] = set_id
            subclass[controls] = set_id
        set_id += 1
    treated = np.zeros(n, dtype=bool)
    treated[matches.treated] = True
    used = (~treated) & (weights > 0)
    if used.any():
        weights[used] *= used.sum() / weights[used].sum()
    return weights, subclass
