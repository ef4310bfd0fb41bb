"""Average-linkage clustering with cannot-link pairs: the last step of the label cascade.

Single-link components chain ("A pos" ~ "A neg" ~ "AB neg" ...); average linkage merges two
groups only when their labels are similar on average, and a cannot-link pair (a guard:
Type 1 vs Type 2) keeps their groups apart whatever the average says.
"""

from __future__ import annotations

import numpy as np


def average_linkage(similarity: np.ndarray, cannot: np.ndarray, cut: float) -> np.ndarray:
    """Cluster ids (0..k-1, in order of first member) for n items.

    similarity: n x n symmetric, in [0, 1]; cannot: n x n bool, True where two items must not
    share a group; cut: merging stops when no two groups average at least this similarity.
    """
    n = similarity.shape[0]
    if n == 0:
        return np.zeros(0, dtype=int)
    sim = similarity.astype(np.float64, copy=True)
    blocked = cannot.astype(bool, copy=True)
    np.fill_diagonal(sim, -np.inf)
    sim[blocked] = -np.inf
    size = np.ones(n)
    alive = np.ones(n, dtype=bool)
    members = [[i] for i in range(n)]
    while True:
        flat = int(np.argmax(sim))
        a, b = divmod(flat, n)
        if not np.isfinite(sim[a, b]) or sim[a, b] < cut:
            break
        if a > b:
            a, b = b, a
        # UPGMA: the mean similarity to a merged group is the size-weighted mean of the parts.
        merged = (size[a] * sim[a] + size[b] * sim[b]) / (size[a] + size[b])
        blocked[a] |= blocked[b]
        blocked[:, a] = blocked[a]
        merged[blocked[a]] = -np.inf
        merged[~alive] = -np.inf
        sim[a], sim[:, a] = merged, merged
        sim[a, a] = -np.inf
        sim[b, :], sim[:, b] = -np.inf, -np.inf
        alive[b] = False
        size[a] += size[b]
        members[a].extend(members[b])
        members[b] = []
    labels = np.empty(n, dtype=int)
    groups = sorted((min(m), m) for m in members if m)
    for gid, (_, m) in enumerate(groups):
        labels[m] = gid
    return labels
