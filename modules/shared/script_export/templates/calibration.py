"""Template: the Outcome model's calibration and decision curve, copied into exported scripts.

The measures are MedStat's own code (analyses/calibration.py, decision_curve.py, delong.py),
copied unchanged at the end of the script; this part fits the adjusted model again and
gathers its tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.calibration import (
    Z95,
    brier,
    calibration_errors,
    calibration_intercept,
    calibration_slope,
    curve_table,
    prediction_histogram,
    risk_groups,
    scaled_brier,
    smoothed_observed,
)
from analyses.decision_curve import net_benefit
from analyses.delong import placements

from .outcome import AdjustedModel

# --- SCRIPT ---


def calibration_tables(df, outcome, event, covariates, categorical=(), reference=None,
                       method="logit", **_):  # fmt: skip
    """Tables of the adjusted model's predicted risks: the calibration measures in one row
    (C-statistic, Brier and scaled Brier, calibration-in-the-large and slope with Wald 95% CIs,
    Eavg/E90/Emax as rms::val.prob), the patients in tenths of risk, the smoothed calibration
    curve, the histogram of predictions, and the net benefit at thresholds 1%-99%."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, method)
    y, X, fit = model.y, model.X, model.fit
    with np.errstate(over="ignore"):
        p = 1.0 / (1.0 + np.exp(-(X @ fit.params)))
    smoothed = smoothed_observed(y, p)
    citl, citl_se = calibration_intercept(y, p)
    intercept, slope, slope_se = calibration_slope(y, p)
    eavg, e90, emax, _ = calibration_errors(y, p, smoothed)
    measures = {
        "n": len(y),
        "events": int(y.sum()),
        "c_statistic": placements(y > 0.5, p).auc,
        "brier": brier(y, p),
        "scaled_brier": scaled_brier(y, p),
        "calibration_in_the_large": citl,
        "citl_ci_low": citl - Z95 * citl_se,
        "citl_ci_high": citl + Z95 * citl_se,
        "slope": slope,
        "slope_ci_low": slope - Z95 * slope_se,
        "slope_ci_high": slope + Z95 * slope_se,
        "slope_intercept": intercept,
        "eavg": eavg,
        "e90": e90,
        "emax": emax,
    }
    return (
        pd.DataFrame([measures]),
        risk_groups(y, p),
        curve_table(y, p, smoothed=smoothed),
        prediction_histogram(y, p),
        net_benefit(y, p),
    )
