"""Internal validation by the bootstrap: Harrell's optimism correction (as rms::validate).

In each of B samples drawn with replacement, the model is fitted again; its performance on
that sample (apparent) minus its performance on the original patients (test) is the optimism.
The corrected figure is the original apparent performance minus the mean optimism (Harrell,
Lee & Mark 1996; Efron 1983). What is refitted is a `Refit`: the reported model's design
(`fixed_design_refit`, when no step chose the covariates) or the whole modelling with its
screening (analyses/outcome_bootstrap.py). Seeded: the same data, spec and seed give the same
figures.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analyses.calibration import brier, calibration_slope
from analyses.cancellation import progress
from analyses.errors import AnalysisError
from analyses.firth import fit_firth
from analyses.logistic import fit_logit

VALIDATION_COLUMNS = ("measure", "apparent", "training", "test", "optimism", "corrected")
MEASURES = ("c_statistic", "slope", "intercept", "brier")
# Fewer events (or non-events) than this and most bootstrap samples cannot support the model.
MIN_EVENTS = 10


@dataclass(frozen=True)
class Validation:
    table: pd.DataFrame  # VALIDATION_COLUMNS, one row per measure
    samples: int  # B asked
    used: int  # samples whose model fitted (the others had one outcome only or no estimates)


def c_statistic(y: np.ndarray, p: np.ndarray) -> float:
    """The C statistic by the Mann-Whitney rank sum (ties count half): one ranking, no CI."""
    events = y > 0.5
    m = int(events.sum())
    n = len(y) - m
    ranks = stats.rankdata(p)
    return float((ranks[events].sum() - m * (m + 1) / 2) / (m * n))


def performance(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """C statistic, calibration slope and intercept (logit p as the covariate), Brier."""
    c = c_statistic(y, p)
    intercept, slope, _ = calibration_slope(y, p)
    return np.array([c, slope, intercept, brier(y, p)])


def _fitter(
    method: str, start: np.ndarray
) -> Callable[[np.ndarray, np.ndarray], np.ndarray | None]:
    """Coefficients by the estimator the reported model used, or None when it fails.

    Maximum likelihood starts from the reported estimates: a resample's optimum is near them,
    so Newton needs about half the steps (the optimum reached is the same)."""

    def fit(X: np.ndarray, y: np.ndarray) -> np.ndarray | None:
        if method == "firth":
            result = fit_firth(X, y, inference=False)
        else:
            result = fit_logit(X, y, start=start)
        if result is None or not result.converged or not np.all(np.isfinite(result.params)):
            return None
        return result.params

    return fit


def check_events(y: np.ndarray) -> None:
    """Refuse data with too few events or non-events for the bootstrap, saying what to do."""
    events = int(y.sum())
    fewest = min(events, len(y) - events)
    if fewest < MIN_EVENTS:
        which = "events" if events <= len(y) - events else "patients without the event"
        raise AnalysisError(
            f"Bootstrap validation needs at least {MIN_EVENTS} events and {MIN_EVENTS} "
            f"patients without the event in the model; there are {fewest} {which}. "
            "Untick 'Internal validation by bootstrap' (the other results stand without it)."
        )


# One resample's whole modelling: given the drawn patients (indices), the outcome and the
# predictions on that resample (apparent) and on the original patients (test), or None when
# no model could be fitted there.
Refit = Callable[[np.ndarray], "tuple[Pair, Pair] | None"]
Pair = tuple[np.ndarray, np.ndarray]


def fixed_design_refit(X: np.ndarray, y: np.ndarray, params: np.ndarray, method: str) -> Refit:
    """Refit the reported model's design (same covariates and columns) in each resample."""
    fit = _fitter(method, params)

    def refit(rows: np.ndarray) -> tuple[Pair, Pair] | None:
        yb = y[rows]
        if yb.min() == yb.max():
            return None
        beta = fit(X[rows], yb)
        if beta is None:
            return None
        with np.errstate(over="ignore"):
            return (
                (yb, 1.0 / (1.0 + np.exp(-(X[rows] @ beta)))),
                (y, 1.0 / (1.0 + np.exp(-(X @ beta)))),
            )

    return refit


def optimism_bootstrap(
    X: np.ndarray,
    y: np.ndarray,
    params: np.ndarray,
    method: str,
    samples: int,
    seed: int,
    refit: Refit | None = None,
    population: int | None = None,
) -> Validation:
    """Optimism-corrected C, slope, intercept and Brier of the model with coefficients params.

    By default each resample (of the model's patients) refits its design; `refit` replaces
    that with the whole modelling (screening included) on resamples of `population` patients.
    """
    check_events(y)
    refit = refit or fixed_design_refit(X, y, params, method)
    apparent = performance(y, 1.0 / (1.0 + np.exp(-(X @ params))))
    rng = np.random.default_rng(seed)
    n = population or len(y)
    training, test = [], []
    for b in range(1, samples + 1):
        progress(f"Bootstrap {b} of {samples}")
        done = refit(rng.integers(0, n, n))
        if done is None:
            continue
        (yb, pb), (yo, po) = done
        if yb.min() == yb.max() or yo.min() == yo.max():
            continue
        training.append(performance(yb, pb))
        test.append(performance(yo, po))
    if len(training) < max(2, samples // 2):
        raise AnalysisError(
            f"Only {len(training)} of {samples} bootstrap samples gave a model: the data are "
            "too sparse for the model in resampled patients (separation, or too few events). "
            "Use fewer covariates, or untick 'Internal validation by bootstrap'."
        )
    mean_training = np.nanmean(np.array(training), axis=0)
    mean_test = np.nanmean(np.array(test), axis=0)
    optimism = mean_training - mean_test
    table = pd.DataFrame(
        {
            "measure": MEASURES,
            "apparent": apparent,
            "training": mean_training,
            "test": mean_test,
            "optimism": optimism,
            "corrected": apparent - optimism,
        },
        columns=list(VALIDATION_COLUMNS),
    )
    return Validation(table, samples, len(training))
