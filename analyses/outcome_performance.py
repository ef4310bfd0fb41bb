"""How well the outcome model predicts: calibration, decision curve, bootstrap validation.

Computed from the multivariable model's design, outcome and coefficients, only when the spec
asks for it (spec.calibration; spec.bootstrap > 0 for the bootstrap), so a plain outcome
analysis costs nothing more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses import calibration as cal
from analyses.bootstrap_validation import VALIDATION_COLUMNS, Refit, optimism_bootstrap
from analyses.cancellation import progress
from analyses.decision_curve import net_benefit
from analyses.delong import placements
from analyses.errors import AnalysisError
from analyses.fit_records import CalibrationFit
from analyses.logistic import Fit
from analyses.results import OutcomePerformance
from analyses.specs import OutcomeSpec

# Predictions that differ by less than this are one prediction: the model separates no one.
FLAT = 1e-9


def _check_spread(p: np.ndarray) -> None:
    if np.ptp(p) < FLAT:
        raise AnalysisError(
            "Calibration cannot be assessed: the model gives every patient the same predicted "
            "risk, so there is no slope to estimate and nothing to rank. Add covariates that "
            "differ between patients with and without the event, or untick 'Calibration and "
            "decision curve'."
        )


def _fit_record(y: np.ndarray, p: np.ndarray, smoothed) -> dict:
    citl, citl_se = cal.calibration_intercept(y, p)
    intercept, slope, slope_se = cal.calibration_slope(y, p)
    eavg, e90, emax, _ = cal.calibration_errors(y, p, smoothed)
    return {
        "n": int(len(y)),
        "events": int(y.sum()),
        "c_statistic": placements(y > 0.5, p).auc,
        "brier": cal.brier(y, p),
        "scaled_brier": cal.scaled_brier(y, p),
        "calibration_in_the_large": citl,
        "citl_ci_low": citl - cal.Z95 * citl_se,
        "citl_ci_high": citl + cal.Z95 * citl_se,
        "slope": slope,
        "slope_ci_low": slope - cal.Z95 * slope_se,
        "slope_ci_high": slope + cal.Z95 * slope_se,
        "slope_intercept": intercept,
        "eavg": eavg,
        "e90": e90,
        "emax": emax,
        "bootstrap_samples": 0,
        "bootstrap_used": 0,
        "bootstrap_screening": False,
    }


def model_performance(
    X: np.ndarray,
    y: np.ndarray,
    fit: Fit,
    spec: OutcomeSpec,
    refit: tuple[Refit, int] | None = None,
) -> tuple[OutcomePerformance, list[str]]:
    """Calibration and net benefit of the fitted model, and its bootstrap validation if asked.

    `refit`: the whole modelling to repeat in each resample and the patients drawn from
    (analyses/outcome_bootstrap.py); without it, the model's design is refitted."""
    progress("Calibration")
    p = np.asarray(fit.probabilities, dtype=float)
    _check_spread(p)
    smoothed = cal.smoothed_observed(y, p)
    record = _fit_record(y, p, smoothed)
    notes: list[str] = []
    validation = pd.DataFrame(columns=list(VALIDATION_COLUMNS))
    if spec.bootstrap > 0:
        whole, population = refit if refit is not None else (None, None)
        done = optimism_bootstrap(
            X, y, fit.params, fit.method, spec.bootstrap, spec.seed, whole, population
        )
        validation = done.table
        record.update(
            bootstrap_samples=done.samples,
            bootstrap_used=done.used,
            seed=spec.seed,
            bootstrap_screening=refit is not None,
        )
        if done.used < done.samples:
            notes.append(
                f"Bootstrap validation: {done.samples - done.used} of {done.samples} samples "
                "gave no model (one outcome only, or no estimates) and were left out."
            )
    performance = OutcomePerformance(
        fit=CalibrationFit(**record),
        groups=cal.risk_groups(y, p),
        curve=cal.curve_table(y, p, smoothed=smoothed),
        histogram=cal.prediction_histogram(y, p),
        decision=net_benefit(y, p),
        validation=validation,
    )
    return performance, notes
