"""One test against the reference: its direction, ROC curve, Youden's cut-off and 2x2 counts.

Thresholds follow pROC: the midpoints between consecutive distinct values, plus -inf and +inf,
so a cut-off never coincides with a patient's value and "positive if >= cut-off" is unambiguous.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A curve drawn with more points than this is thinned for the figure; the AUC is always exact.
MAX_CURVE_POINTS = 2000


@dataclass(frozen=True)
class Orientation:
    """Which way a marker reads: sign = +1 when higher values mean disease, -1 when lower."""

    sign: float
    automatic: bool

    @property
    def direction(self) -> str:
        return "higher" if self.sign > 0 else "lower"

    @property
    def rule(self) -> str:
        """How a cut-off reads: positive test when the value is >= (or <=) the cut-off."""
        return ">=" if self.sign > 0 else "<="


def orient(positive: np.ndarray, values: np.ndarray, direction: str) -> Orientation:
    """The requested direction, or pROC's direction="auto": compare the two groups' medians."""
    if direction == "higher":
        return Orientation(1.0, False)
    if direction == "lower":
        return Orientation(-1.0, False)
    # pROC: controls' median above the cases' median -> lower values mean disease.
    lower = np.median(values[~positive]) > np.median(values[positive])
    return Orientation(-1.0 if lower else 1.0, True)


@dataclass(frozen=True)
class Curve:
    """Sensitivity and specificity at every threshold of the oriented score, ascending."""

    thresholds: np.ndarray  # on the oriented score: positive test when score >= threshold
    sensitivity: np.ndarray
    specificity: np.ndarray


def roc_curve(positive: np.ndarray, score: np.ndarray) -> Curve:
    """The empirical ROC curve of an oriented score (higher = positive), vectorised."""
    distinct = np.unique(score)
    middle = (distinct[:-1] + distinct[1:]) / 2.0
    thresholds = np.concatenate([[-np.inf], middle, [np.inf]])
    pos = np.sort(score[positive])
    neg = np.sort(score[~positive])
    # Positives at or above each threshold; negatives below it.
    tp = len(pos) - np.searchsorted(pos, thresholds, side="left")
    tn = np.searchsorted(neg, thresholds, side="left")
    return Curve(thresholds, tp / len(pos), tn / len(neg))


@dataclass(frozen=True)
class Optimum:
    """Youden's optimum: the oriented threshold, J, and how many thresholds share that J."""

    threshold: float
    youden_j: float
    ties: int


def youden(curve: Curve) -> Optimum:
    """The finite threshold maximising sensitivity + specificity - 1 (the first if several)."""
    finite = np.isfinite(curve.thresholds)
    if not finite.any():
        return Optimum(float("nan"), float("nan"), 0)
    j = curve.sensitivity + curve.specificity - 1.0
    j = np.where(finite, j, -np.inf)
    best = float(j.max())
    at_best = np.flatnonzero(np.isclose(j, best, rtol=0, atol=1e-12))
    # The lowest threshold among ties keeps the most sensitive cut-off, as a screening test wants.
    return Optimum(float(curve.thresholds[at_best[0]]), best, len(at_best))


@dataclass(frozen=True)
class Counts:
    """The 2x2 table of a test against the reference."""

    tp: int
    fp: int
    fn: int
    tn: int


def counts_at(positive: np.ndarray, test_positive: np.ndarray) -> Counts:
    """Cross-tabulate the reference with a positive/negative test result."""
    return Counts(
        tp=int(np.sum(test_positive & positive)),
        fp=int(np.sum(test_positive & ~positive)),
        fn=int(np.sum(~test_positive & positive)),
        tn=int(np.sum(~test_positive & ~positive)),
    )


def curve_points(curve: Curve, sign: float, keep: float) -> tuple[np.ndarray, ...]:
    """Thresholds in the marker's own units with sensitivity and specificity, thinned if long.

    `keep` is an oriented threshold (the cut-off) that must survive the thinning.
    """
    index = np.arange(len(curve.thresholds))
    if len(index) > MAX_CURVE_POINTS:
        step = int(np.ceil(len(index) / MAX_CURVE_POINTS))
        chosen = set(index[::step]) | {0, len(index) - 1}
        hit = np.flatnonzero(curve.thresholds == keep)
        chosen |= set(hit.tolist())
        index = np.array(sorted(chosen))
    # Back to the marker's units; a "lower" marker's -inf/+inf swap places, as they should.
    return sign * curve.thresholds[index], curve.sensitivity[index], curve.specificity[index]
