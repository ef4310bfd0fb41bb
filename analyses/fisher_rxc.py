"""Fisher's exact test on r x c tables (Fisher-Freeman-Halton), exact as R's fisher.test.

The p-value is the total probability of the tables with the observed margins that are no more
probable than the observed one. Every such table has probability K exp(-sum log n_ij!), so a
table counts exactly when its sum of log n_ij! reaches the observed sum (less R's tolerance).

Tables are built column by column, as in Mehta & Patel's network algorithm (R's FEXACT): a
node is the multiset of row totals still to fill (rows with equal totals are interchangeable),
and a path to it carries its chance so far and its "past", the sum of log n_ij! of the columns
filled. Bounds on what the remaining columns can add settle most paths at once: every
completion counts, or none does; only the others are extended, and paths that reach a node
with the same past are merged. The work is bounded (MAX_WORK); beyond it the caller uses a
Monte Carlo p-value, as R users do when fisher.test runs out of workspace.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

# R's FEXACT counts a table as extreme when its log-probability is at most the observed one's
# plus this ("the square root of the smallest relative spacing").
TOL = 3.45254e-7
# Pasts are merged when equal after rounding to 1e-8 (the same sum reached in another order).
MERGE_SCALE = 1e8
# Units of work: extending one path by one arc is 1; enumerating one column fill costs
# FILL_WORK (LAST_FILL_WORK for the last free column, whose fills are not sorted or merged)
# and visiting a node NODE_WORK (Python's loop), as measured. MAX_WORK keeps a table under
# about 1 s on one busy core of the 2-core host, and its arrays under ~60 MB.
FILL_WORK = 8
LAST_FILL_WORK = 3
NODE_WORK = 100
MAX_WORK = 2_000_000
MERGE_CHUNK = 1 << 18  # open paths held before they are merged (memory)


def _fills(nodes: np.ndarray, c: int, limit: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Every column x with 0 <= x <= m and sum c for each node m: (node of each, fills).

    None when there would be more than limit fills.
    """
    after = np.cumsum(nodes[:, ::-1], axis=1)[:, ::-1] - nodes  # what the later rows can hold
    owner = np.arange(len(nodes), dtype=np.int32)
    parts = np.zeros((len(nodes), 0), dtype=np.int32)
    sums = np.zeros(len(nodes), dtype=np.int32)
    for i in range(nodes.shape[1]):
        low = np.maximum(0, c - sums - after[owner, i])
        high = np.minimum(nodes[owner, i], c - sums)
        counts = np.maximum(high - low + 1, 0)
        if counts.sum() > limit:
            return None
        pick, step = _ranges(np.zeros_like(counts), counts)
        x = low[pick] + step
        owner, parts, sums = owner[pick], np.column_stack([parts[pick], x]), sums[pick] + x
    return owner, parts


def _ranges(begin: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The integers begin[i] <= v < end[i] for every i: (i of each, v)."""
    counts = end - begin
    owner = np.repeat(np.arange(len(begin)), counts)
    step = np.arange(len(owner)) - np.repeat(np.cumsum(counts) - counts, counts)
    return owner, begin[owner] + step


def _row_ids(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows (sorted) and the index of each row among them."""
    radix = int(rows.max()) + 1 if rows.size else 1
    if rows.shape[1] * np.log2(radix) < 62:  # one integer code per row
        codes = rows.astype(np.int64) @ (radix ** np.arange(rows.shape[1] - 1, -1, -1))
        _, first, inverse = np.unique(codes, return_index=True, return_inverse=True)
        return rows[first], inverse.ravel()
    order = np.lexsort(rows.T[::-1])
    ordered = rows[order]
    new = np.ones(len(rows), dtype=bool)
    new[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    inverse = np.empty(len(rows), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return ordered[new], inverse


def _merge(keys: tuple[np.ndarray, ...], past: np.ndarray, weight: np.ndarray):
    """Entries with the same keys and past (to 1e-8), merged: keys, past, summed weight."""
    q = np.round(past * MERGE_SCALE)
    order = np.lexsort((q, *keys[::-1]))
    keys = tuple(k[order] for k in keys)
    q, past = q[order], past[order]
    new = np.ones(len(q), dtype=bool)
    new[1:] = q[1:] != q[:-1]
    for k in keys:
        new[1:] |= k[1:] != k[:-1]
    group = np.cumsum(new) - 1
    return tuple(k[new] for k in keys), past[new], np.bincount(group, weights=weight[order])


def _arcs(nodes: np.ndarray, c: int, lf: np.ndarray, limit: int, last: bool):
    """The ways to fill the next column (total c) from each node; None beyond limit fills.

    Per arc: its node, the child node, the column's sum of log x! and the chance of the fill
    given the node (multivariate hypergeometric). Fills from one node to the same child with
    the same sum are one arc. For the last free column the child is fixed by the fill, and the
    arc's sum includes the child's column (children are then not returned).
    """
    filled = _fills(nodes, c, limit)
    if filled is None:
        return None
    owner, x = filled
    m = nodes[owner]
    left = m - x
    s = lf[x].sum(axis=1)
    total = m.sum(axis=1)
    log_chance = lf[m].sum(axis=1) - lf[left].sum(axis=1) - s
    chance = np.exp(log_chance - (lf[total] - lf[c] - lf[total - c]))
    if last:
        return owner, None, None, s + lf[left].sum(axis=1), chance
    children, child = _row_ids(np.sort(left, axis=1))
    (owner, child), s, chance = _merge((owner, child), s, chance)
    return owner, children, child, s, chance


def _most_even(caps: np.ndarray, total: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """Least sum of log x_i! with sum x = total and 0 <= x <= caps, per row of caps (sorted).

    The most even fill (water-filling) is majorized by every other fill, and a sum of a convex
    function is smallest there: rows below the water level are full, the others share the rest.
    """
    n, r = caps.shape
    before = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(caps, axis=1)], axis=1)
    best = np.full(n, np.inf)
    for k in range(r):  # the k smallest rows full, the other r - k share what is left
        left = total - before[:, k]
        q, rem = np.divmod(np.maximum(left, 0), r - k)
        ok = (left >= 0) & (caps[:, k] >= q + (rem > 0)) & ~np.isfinite(best)
        value = lf[caps[:, :k]].sum(axis=1) + rem * lf[q + 1] + (r - k - rem) * lf[q]
        best = np.where(ok, value, best)
    return best


def _most_uneven(caps: np.ndarray, total: np.ndarray, lf: np.ndarray) -> np.ndarray:
    """Greatest sum of log x_i! with sum x = total and 0 <= x <= caps: largest rows first."""
    desc = caps[:, ::-1]
    before = np.cumsum(desc, axis=1) - desc
    return lf[np.clip(total[:, None] - before, 0, desc)].sum(axis=1)


def _bounds(nodes: np.ndarray, rest: np.ndarray, lf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Least and greatest sum of log n_ij! over the tables that complete each node.

    nodes: (n, r) row totals left, sorted; rest: the column totals left. Each column alone
    (with the rows as caps) and each row alone (with the columns as caps) bounds the sum, since
    a completion must satisfy both: the larger of the two least sums, the smaller greatest.
    """
    n, rest = len(nodes), np.sort(rest)
    low_c, high_c, low_r, high_r = (np.zeros(n) for _ in range(4))
    for c in rest:
        low_c += _most_even(nodes, np.full(n, c), lf)
        high_c += _most_uneven(nodes, np.full(n, c), lf)
    col_caps = np.broadcast_to(rest, (n, len(rest)))
    for i in range(nodes.shape[1]):
        low_r += _most_even(col_caps, nodes[:, i], lf)
        high_r += _most_uneven(col_caps, nodes[:, i], lf)
    return np.maximum(low_c, low_r), np.minimum(high_c, high_r)


def _extend(past, weight, arc_low, arc_high, arc_chance, exact: bool):
    """One node: the chance of the (path, arc) pairs settled as extreme, and the open pairs.

    past is relative to the threshold: a pair is settled when even the most even completion
    reaches it (past + arc_low >= 0), dropped when even the most uneven cannot (past +
    arc_high < 0). Only the open pairs are formed, from whichever order of the arcs lists
    fewer candidates. Returns (settled chance, path index, arc index, pairs formed).
    """
    need = -past
    by_low = np.argsort(arc_low)
    tail = np.concatenate([np.cumsum(arc_chance[by_low][::-1])[::-1], [0.0]])
    settled = np.searchsorted(arc_low[by_low], need, side="left")
    p = float(weight @ tail[settled])
    if exact:  # arc_low == arc_high (the last free column): every pair is settled or dropped
        return p, settled[:0], settled[:0], 0
    by_high = np.argsort(arc_high)
    alive = np.searchsorted(arc_high[by_high], need, side="left")
    if settled.sum() <= (len(arc_high) - alive).sum():
        path, at = _ranges(np.zeros_like(settled), settled)
        arc = by_low[at]
        keep = arc_high[arc] >= need[path]
    else:
        path, at = _ranges(alive, np.full_like(alive, len(arc_high)))
        arc = by_high[at]
        keep = arc_low[arc] < need[path]
    return p, path[keep], arc[keep], len(path)


def _advance(paths, arcs, n_nodes: int, budget: int, exact: bool):
    """Extend every open path by every arc leaving its node.

    paths: (node, past, weight) sorted by node; arcs: (node, child, sum, low, high, chance)
    sorted by node; exact: low == high (the last free column). Returns the chance settled as
    extreme, the paths still open as (child, past, weight) merged, and the work done; None
    beyond budget.
    """
    node, past, weight = paths
    arc_node, arc_child, arc_s, arc_low, arc_high, arc_chance = arcs
    starts = np.searchsorted(node, np.arange(n_nodes + 1))
    arc_starts = np.searchsorted(arc_node, np.arange(n_nodes + 1))
    settled, formed = 0.0, 0
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    size, limit = 0, MERGE_CHUNK
    for k in range(n_nodes):
        a, b, u, v = starts[k], starts[k + 1], arc_starts[k], arc_starts[k + 1]
        p, path, arc, n_pairs = _extend(
            past[a:b], weight[a:b], arc_low[u:v], arc_high[u:v], arc_chance[u:v], exact
        )
        settled += p
        formed += n_pairs + NODE_WORK
        if formed > budget:
            return None
        arc = arc + u
        kept.append(
            (arc_child[arc], past[a:b][path] + arc_s[arc], weight[a:b][path] * arc_chance[arc])
        )
        size += len(arc)
        if size > limit:  # keep memory bounded: merge as we go, at doubling sizes
            (child,), merged_past, merged_weight = _merge(*_joined(kept))
            kept, size = [(child, merged_past, merged_weight)], len(child)
            limit = max(MERGE_CHUNK, 2 * size)
    (child,), past, weight = _merge(*_joined(kept))
    return settled, (child, past, weight), formed


def _joined(kept):
    """The kept (child, past, weight) pieces as the arguments of _merge."""
    child, past, weight = (np.concatenate(part) for part in zip(*kept, strict=True))
    return (child,), past, weight


def fisher_exact_rxc(table: np.ndarray, max_work: int = MAX_WORK) -> float | None:
    """Two-sided p of Fisher's exact test of an r x c table as R's fisher.test; None when
    the computation would take more than max_work units (see MAX_WORK)."""
    table = np.asarray(table, dtype=np.int64)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0].astype(np.int32)
    if min(table.shape) < 2:
        return 1.0
    if table.shape[0] > table.shape[1]:
        table = table.T  # the shorter side makes the nodes; the longer one is walked
    cols = np.sort(table.sum(axis=0))
    lf = gammaln(np.arange(int(table.sum()) + 2, dtype=float) + 1.0)
    threshold = float(lf[table].sum()) - TOL
    nodes = np.sort(table.sum(axis=1))[None, :]
    # Open paths, sorted by node: node index, past minus the threshold, chance so far.
    paths = (np.zeros(1, dtype=np.int64), np.array([-threshold]), np.ones(1))
    p, work = 0.0, 0
    for j in range(len(cols) - 1):
        last = j == len(cols) - 2  # then the fill fixes the final column: no path stays open
        fill_work = LAST_FILL_WORK if last else FILL_WORK
        arcs = _arcs(nodes, int(cols[j]), lf, (max_work - work) // fill_work, last)
        if arcs is None:
            return None
        arc_node, children, arc_child, arc_s, arc_chance = arcs
        work += fill_work * len(arc_node)
        if last:  # every pair is settled or dropped
            arc_child = np.zeros(len(arc_node), dtype=np.int64)
            arc_low = arc_high = arc_s
        else:
            low, high = _bounds(children, cols[j + 1 :], lf)
            arc_low, arc_high = arc_s + low[arc_child], arc_s + high[arc_child]
        step = _advance(
            paths,
            (arc_node, arc_child, arc_s, arc_low, arc_high, arc_chance),
            len(nodes),
            max_work - work,
            exact=last,
        )
        if step is None:
            return None
        settled, (child, past, weight), formed = step
        p += settled
        work += formed
        if len(child) == 0:
            break
        # Only the nodes that an open path reaches are extended at the next column.
        used, child = np.unique(child, return_inverse=True)
        nodes, paths = children[used], (child.ravel(), past, weight)
    return float(min(1.0, p))
