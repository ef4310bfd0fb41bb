"""Fisher's exact test on r x c tables against R's fisher.test (tests/r/fisher_rxc.R, R 4.2.2)
and against the definition, summed over every table with the same margins.
"""

from __future__ import annotations

import itertools
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

from analyses.fisher_rxc import TOL, fisher_exact_rxc

R_REFERENCE = Path(__file__).resolve().parents[2] / "r" / "fisher_rxc.csv"
# Beyond the work bound (6 x 4, 352 patients, one level with a single patient): R's
# fisher.test stops there too with its default workspace ("FEXACT error 6/7").
LARGE = np.array(
    [[39, 51, 43, 30], [6, 17, 13, 15], [7, 6, 8, 10], [14, 24, 24, 19], [6, 9, 4, 6], [0, 1, 0, 0]]
)


def _r_tables() -> list[tuple[str, np.ndarray, float]]:
    reference = pd.read_csv(R_REFERENCE)
    return [
        (
            r.table,
            np.array([[int(v) for v in row.split()] for row in r.counts.split(";")]),
            float(r.p_value),
        )
        for r in reference.itertuples()
    ]


@pytest.mark.parametrize(("name", "table", "r_p"), _r_tables(), ids=lambda v: str(v)[:24])
def test_equals_r_fisher_test(name, table, r_p):
    # R: fisher.test(x)$p.value, network algorithm with the default workspace.
    assert fisher_exact_rxc(table) == pytest.approx(r_p, rel=1e-9)
    # The p-value does not depend on the order or orientation of rows and columns.
    shuffled = table[::-1][:, np.roll(np.arange(table.shape[1]), 1)].T
    assert fisher_exact_rxc(shuffled) == pytest.approx(r_p, rel=1e-9)


def _log_factorials(values) -> float:
    return float(gammaln(np.asarray(values, dtype=float) + 1.0).sum())


def _by_definition(table: np.ndarray) -> float:
    """Sum of the probabilities of all tables with these margins at most the observed one's."""
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    constant = _log_factorials(rows) + _log_factorials(cols) - _log_factorials(table.sum())
    observed = constant - _log_factorials(table)
    r, c = table.shape
    ranges = [range(min(rows[i], cols[j]) + 1) for i in range(r - 1) for j in range(c - 1)]
    total = 0.0
    for free in itertools.product(*ranges):
        t = np.zeros_like(table)
        t[:-1, :-1] = np.reshape(free, (r - 1, c - 1))
        t[:-1, -1] = rows[:-1] - t[:-1, :-1].sum(axis=1)
        t[-1, :] = cols - t[:-1, :].sum(axis=0)
        if (t < 0).any():
            continue
        log_p = constant - _log_factorials(t)
        if log_p <= observed + TOL:
            total += np.exp(log_p)
    return total


@pytest.mark.parametrize(
    "table",
    [
        np.array([[3, 0, 1], [0, 2, 1], [1, 1, 0]]),
        np.array([[2, 1, 1], [1, 2, 1], [1, 1, 2]]),  # many tables exactly as probable
        np.array([[4, 0, 2, 1], [0, 3, 1, 1]]),
        np.array([[0, 5], [2, 1], [3, 0]]),
    ],
)
def test_equals_the_definition_on_small_tables(table):
    assert fisher_exact_rxc(table) == pytest.approx(_by_definition(table), rel=1e-10)


def test_degenerate_tables():
    assert fisher_exact_rxc(np.array([[3, 4, 5]])) == 1.0  # one row: one table
    assert fisher_exact_rxc(np.array([[3, 0], [4, 0]])) == 1.0  # an empty column is dropped
    with_empty = np.array([[3, 0, 1], [0, 0, 0], [0, 2, 1]])
    assert fisher_exact_rxc(with_empty) == fisher_exact_rxc(with_empty[[0, 2]])


def test_gives_up_quickly_and_within_memory_beyond_the_work_bound():
    tracemalloc.start()
    start = time.perf_counter()
    assert fisher_exact_rxc(LARGE) is None
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert elapsed < 5.0  # about 0.05 s; generous for a busy shared host
    assert peak < 80e6
