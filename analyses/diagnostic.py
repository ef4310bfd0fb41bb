"""Diagnostic accuracy: ROC curves, DeLong AUCs and their comparison, accuracy at a cut-off.

A pure function of (DataFrame, DiagnosticSpec). Each test uses the patients with that test and
the reference known; two tests are compared on the patients with both (paired, as
pROC::roc.test).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint, steps
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
from analyses.errors import AnalysisError
from analyses.fit_records import DiagnosticInfo
from analyses.results import (
    DIAGNOSTIC_ACCURACY_COLUMNS,
    DIAGNOSTIC_AUC_COLUMNS,
    DIAGNOSTIC_COMPARISON_COLUMNS,
    DIAGNOSTIC_CUTOFF_COLUMNS,
    DIAGNOSTIC_ROC_COLUMNS,
    DiagnosticResult,
)
from analyses.specs import DiagnosticSpec

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "1"
# Fewer patients than this in either reference group makes every interval wide; say so.
SMALL_GROUP = 10


@dataclass(frozen=True)
class Test:
    """One test ready to analyse: its oriented score (higher = positive) and how it reads."""

    name: str
    test_type: str  # "marker" or "binary"
    score: np.ndarray  # NaN where missing; already multiplied by the orientation's sign
    orientation: Orientation
    level: str = ""  # binary tests: the level read as positive


def _prepare_tests(df: pd.DataFrame, spec: DiagnosticSpec, y: np.ndarray):
    """Encoded tests in spec order, and notes on those left out."""
    known = ~np.isnan(y)
    tests: list[Test] = []
    notes: list[str] = []
    for name in dict.fromkeys(spec.markers):
        values = numeric_marker(df[name])
        usable = known & ~np.isnan(values)
        positive = y[usable] > 0.5
        if usable.sum() == 0 or positive.all() or not positive.any():
            notes.append(
                f"'{name}' was left out: no patients of one of the reference groups have a value."
            )
            continue
        if np.ptp(values[usable]) == 0:
            notes.append(f"'{name}' was left out: it has the same value for every patient.")
            continue
        o = orient(positive, values[usable], spec.direction)
        tests.append(Test(name, "marker", o.sign * values, o))
    for name, level in dict.fromkeys(spec.binary_tests):
        values = encode_binary_test(df[name], level)
        positive = y[known & ~np.isnan(values)] > 0.5
        if positive.all() or not positive.any():
            notes.append(
                f"'{name}' was left out: no patients of one of the reference groups have a value."
            )
            continue
        tests.append(Test(name, "binary", values, Orientation(1.0, False), str(level).strip()))
    return tests, notes


def _auc_row(test: Test, positive: np.ndarray, score: np.ndarray) -> dict:
    p = placements(positive, score)
    se = float(np.sqrt(p.variance)) if np.isfinite(p.variance) else float("nan")
    low = max(0.0, p.auc - Z95 * se) if np.isfinite(se) else float("nan")
    high = min(1.0, p.auc + Z95 * se) if np.isfinite(se) else float("nan")
    return {
        "variable": test.name,
        "test_type": test.test_type,
        "n": int(len(score)),
        "positives": int(positive.sum()),
        "negatives": int((~positive).sum()),
        "direction": test.orientation.direction,
        "direction_auto": test.orientation.automatic,
        "estimate": p.auc,
        "se": se,
        "ci_low": low,
        "ci_high": high,
    }


def _analyse_test(test: Test, y: np.ndarray, spec: DiagnosticSpec):
    """AUC, curve, cut-off with its 2x2 table, accuracy rows and notes for one test."""
    usable = ~np.isnan(y) & ~np.isnan(test.score)
    positive = y[usable] > 0.5
    score = test.score[usable]
    notes: list[str] = []
    auc = _auc_row(test, positive, score)
    curve = roc_curve(positive, score)
    chosen = dict(spec.cutoffs).get(test.name)
    if test.test_type == "binary":
        threshold, source = 0.5, "binary"
    elif chosen is not None and np.isfinite(chosen):
        threshold, source = test.orientation.sign * float(chosen), "chosen"
    else:
        best = youden(curve)
        threshold, source = best.threshold, "youden"
        if best.ties > 1:
            notes.append(
                f"'{test.name}': {best.ties} cut-offs share the best Youden index; the most "
                "sensitive one is shown."
            )
        if not best.youden_j > 0:
            notes.append(
                f"'{test.name}' does not separate the groups better than chance at any cut-off."
            )
    counts = counts_at(positive, score >= threshold)
    j = counts.tp / (counts.tp + counts.fn) + counts.tn / (counts.tn + counts.fp) - 1.0
    cutoff = {
        "variable": test.name,
        "source": source,
        "cutoff": float("nan") if source == "binary" else test.orientation.sign * threshold,
        "rule": "=" if source == "binary" else test.orientation.rule,
        "level": test.level,
        "youden_j": j,
        "tp": counts.tp,
        "fp": counts.fp,
        "fn": counts.fn,
        "tn": counts.tn,
    }
    thresholds, sens, spec_ = curve_points(curve, test.orientation.sign, threshold)
    roc = pd.DataFrame(
        {"variable": test.name, "threshold": thresholds, "sensitivity": sens, "specificity": spec_}
    )
    if test.test_type == "marker" and not test.orientation.automatic and auc["estimate"] < 0.5:
        notes.append(
            f"'{test.name}' has an AUC below 0.5: with the direction chosen it points the wrong "
            "way. Try the automatic direction."
        )
    if min(auc["positives"], auc["negatives"]) < SMALL_GROUP:
        notes.append(
            f"'{test.name}' has fewer than {SMALL_GROUP} patients in one reference group: its "
            "confidence intervals are wide."
        )
    for zero, what in ((counts.fp, "false positives"), (counts.fn, "false negatives")):
        if zero == 0:
            notes.append(
                f"'{test.name}' has no {what} at this cut-off, so a likelihood ratio is 0 or "
                "infinite and has no confidence interval."
            )
    return auc, cutoff, accuracy_rows(test.name, counts, spec.ci_method), roc, notes


def _comparisons(tests: list[Test], y: np.ndarray) -> list[dict]:
    """DeLong's paired test for every pair of tests, on the patients with both."""
    rows = []
    for a, b in steps(list(itertools.combinations(tests, 2)), "Comparison"):
        both = ~np.isnan(y) & ~np.isnan(a.score) & ~np.isnan(b.score)
        positive = y[both] > 0.5
        if not positive.any() or positive.all():
            continue
        c = compare_paired(positive, a.score[both], b.score[both])
        rows.append(
            {
                "variable_1": a.name,
                "variable_2": b.name,
                "n": int(both.sum()),
                "auc_1": c.auc1,
                "auc_2": c.auc2,
                "difference": c.difference,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "z": c.z,
                "p_value": c.p_value,
            }
        )
    return rows


def _check_columns(df: pd.DataFrame, spec: DiagnosticSpec) -> None:
    tests = [*spec.markers, *(name for name, _ in spec.binary_tests)]
    missing = [c for c in (spec.reference, *tests) if c not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {', '.join(missing)}.")
    if not tests:
        raise AnalysisError("Choose at least one marker or binary test to evaluate.")
    if spec.reference in tests:
        raise AnalysisError(
            f"'{spec.reference}' is the reference standard; it cannot also be a test. "
            "Remove it from the tests."
        )


def analyze(df: pd.DataFrame, spec: DiagnosticSpec) -> DiagnosticResult:
    """ROC/AUC of every test, DeLong comparisons, and accuracy at each test's cut-off."""
    _check_columns(df, spec)
    reference = encode_reference(df[spec.reference], spec.positive)
    y = reference.y
    if spec.ci_method not in ("exact", "wilson"):
        raise AnalysisError("The confidence interval method must be 'exact' or 'wilson'.")
    tests, notes = _prepare_tests(df, spec, y)
    notes = reference.notes + notes
    if not tests:
        raise AnalysisError(
            "None of the chosen tests can be evaluated: each is empty, constant, or has no "
            "patients in one of the reference groups. Choose other columns."
        )
    aucs, cutoffs, accuracy, curves = [], [], [], []
    for test in tests:
        checkpoint()
        auc, cutoff, rows, roc, test_notes = _analyse_test(test, y, spec)
        aucs.append(auc)
        cutoffs.append(cutoff)
        accuracy += rows
        curves.append(roc)
        notes += test_notes
    known = ~np.isnan(y)
    info = DiagnosticInfo(
        reference=spec.reference,
        positive=reference.positive,
        negative=reference.negative,
        n_total=int(known.sum()),
        n_reference_missing=int((~known).sum()),
        positives=int(np.sum(y[known] > 0.5)),
        negatives=int(np.sum(y[known] < 0.5)),
        ci_method=spec.ci_method,
        direction=spec.direction,
    )
    for row in aucs:
        dropped = info.n_total - row["n"]
        if dropped:
            notes.append(f"'{row['variable']}': {dropped} patients without a value were left out.")
    return DiagnosticResult(
        auc=pd.DataFrame(aucs, columns=list(DIAGNOSTIC_AUC_COLUMNS)),
        cutoffs=pd.DataFrame(cutoffs, columns=list(DIAGNOSTIC_CUTOFF_COLUMNS)),
        accuracy=pd.DataFrame(accuracy, columns=list(DIAGNOSTIC_ACCURACY_COLUMNS)),
        comparisons=pd.DataFrame(
            _comparisons(tests, y), columns=list(DIAGNOSTIC_COMPARISON_COLUMNS)
        ),
        roc=pd.concat(curves, ignore_index=True)[list(DIAGNOSTIC_ROC_COLUMNS)],
        info=info,
        warnings=tuple(dict.fromkeys(notes)),
    )
