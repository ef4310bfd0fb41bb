"""Template: Diagnostic accuracy (AUC with DeLong CI, cut-offs, sensitivity, specificity...).

The ROC, DeLong and accuracy code is MedStat's (analyses/delong.py, diagnostic_roc.py,
diagnostic_accuracy.py, diagnostic_data.py), copied unchanged at the end of the script."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from analyses.delong import Z95, compare_paired, placements
from analyses.diagnostic_accuracy import accuracy_rows
from analyses.diagnostic_data import encode_binary_test, encode_reference, numeric_marker
from analyses.diagnostic_roc import (
    Orientation,
    counts_at,
    curve_points,
    orient,
    roc_curve,
    youden,
)

from .data import as_text

# --- SCRIPT ---


level_label = as_text


class DiagnosticTest:
    """One test: its score oriented so that higher means positive, and how it reads."""

    def __init__(self, name, test_type, score, orientation, level=""):
        self.name, self.test_type, self.score = name, test_type, score
        self.orientation, self.level = orientation, level


def diagnostic_tests(df, y, markers, binary_tests, direction):
    """The markers (direction "auto": the group with the higher median is the diseased one)
    and binary tests that have patients in both reference groups and vary."""
    known = ~np.isnan(y)
    tests = []
    for name in dict.fromkeys(markers):
        values = numeric_marker(df[name])
        usable = known & ~np.isnan(values)
        positive = y[usable] > 0.5
        if usable.sum() == 0 or positive.all() or not positive.any() or np.ptp(values[usable]) == 0:
            continue
        o = orient(positive, values[usable], direction)
        tests.append(DiagnosticTest(name, "marker", o.sign * values, o))
    for name, level in dict.fromkeys(map(tuple, binary_tests)):
        values = encode_binary_test(df[name], level)
        positive = y[known & ~np.isnan(values)] > 0.5
        if not (positive.all() or not positive.any()):
            tests.append(
                DiagnosticTest(name, "binary", values, Orientation(1.0, False), str(level).strip())
            )
    return tests


class DiagnosticData:
    """The reference standard (1 = condition present) and the tests."""

    def __init__(self, df, reference, positive=None, markers=(), binary_tests=(), direction="auto",
                 cutoffs=None, ci_method="exact"):  # fmt: skip
        self.y = encode_reference(df[reference], positive).y
        self.tests = diagnostic_tests(df, self.y, markers, binary_tests, direction)
        self.cutoffs, self.ci_method = dict(cutoffs or {}), ci_method


def auc_table(data):
    """Table: each test's AUC with its DeLong standard error and 95% CI (clipped to 0-1)."""
    rows = []
    for test in data.tests:
        usable = ~np.isnan(data.y) & ~np.isnan(test.score)
        positive, score = data.y[usable] > 0.5, test.score[usable]
        p = placements(positive, score)
        se = float(np.sqrt(p.variance)) if np.isfinite(p.variance) else np.nan
        rows.append(
            {"variable": test.name, "test_type": test.test_type, "n": len(score),
             "positives": int(positive.sum()), "negatives": int((~positive).sum()),
             "direction": test.orientation.direction,
             "direction_auto": test.orientation.automatic, "estimate": p.auc, "se": se,
             "ci_low": max(0.0, p.auc - Z95 * se) if np.isfinite(se) else np.nan,
             "ci_high": min(1.0, p.auc + Z95 * se) if np.isfinite(se) else np.nan}
        )  # fmt: skip
    return pd.DataFrame(rows)


def cutoff_counts(data, test):
    """The cut-off (chosen, else Youden's optimum; a binary test's own level) and its 2x2."""
    usable = ~np.isnan(data.y) & ~np.isnan(test.score)
    positive, score = data.y[usable] > 0.5, test.score[usable]
    chosen = data.cutoffs.get(test.name)
    if test.test_type == "binary":
        threshold, source = 0.5, "binary"
    elif chosen is not None and np.isfinite(chosen):
        threshold, source = test.orientation.sign * float(chosen), "chosen"
    else:
        threshold, source = youden(roc_curve(positive, score)).threshold, "youden"
    return threshold, source, counts_at(positive, score >= threshold)


def cutoff_table(data):
    """Table: each test's cut-off, rule, Youden's J and its 2x2 table (tp, fp, fn, tn)."""
    rows = []
    for test in data.tests:
        threshold, source, c = cutoff_counts(data, test)
        rows.append(
            {"variable": test.name, "source": source,
             "cutoff": np.nan if source == "binary" else test.orientation.sign * threshold,
             "rule": "=" if source == "binary" else test.orientation.rule, "level": test.level,
             "youden_j": c.tp / (c.tp + c.fn) + c.tn / (c.tn + c.fp) - 1.0,
             "tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn}
        )  # fmt: skip
    return pd.DataFrame(rows)


def accuracy_table(data):
    """Table: sensitivity, specificity, PPV, NPV, likelihood ratios, accuracy and prevalence
    at each test's cut-off, with 95% CIs (Clopper-Pearson "exact" or Wilson)."""
    rows = []
    for test in data.tests:
        rows += accuracy_rows(test.name, cutoff_counts(data, test)[2], data.ci_method)
    return pd.DataFrame(rows)


def auc_comparisons(data):
    """Table: DeLong's test for each pair of tests, on the patients with both."""
    rows = []
    for a, b in itertools.combinations(data.tests, 2):
        both = ~np.isnan(data.y) & ~np.isnan(a.score) & ~np.isnan(b.score)
        positive = data.y[both] > 0.5
        if positive.any() and not positive.all():
            c = compare_paired(positive, a.score[both], b.score[both])
            rows.append(
                {"variable_1": a.name, "variable_2": b.name, "n": int(both.sum()),
                 "auc_1": c.auc1, "auc_2": c.auc2, "difference": c.difference,
                 "ci_low": c.ci_low, "ci_high": c.ci_high, "z": c.z, "p_value": c.p_value}
            )  # fmt: skip
    columns = ["variable_1", "variable_2", "n", "auc_1", "auc_2", "difference", "ci_low",
               "ci_high", "z", "p_value"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def roc_table(data):
    """Table: each test's ROC curve, threshold (in the marker's units), sensitivity and
    specificity, thinned as MedStat thins a long curve (the cut-off's point always kept)."""
    parts = []
    for test in data.tests:
        usable = ~np.isnan(data.y) & ~np.isnan(test.score)
        positive, score = data.y[usable] > 0.5, test.score[usable]
        threshold = cutoff_counts(data, test)[0]
        cut, sens, spec = curve_points(roc_curve(positive, score), test.orientation.sign, threshold)
        parts.append(
            pd.DataFrame(
                {"variable": test.name, "threshold": cut, "sensitivity": sens, "specificity": spec}
            )
        )
    return pd.concat(parts, ignore_index=True)
