"""Continuous covariates reported per unit, per 10 units, per SD or per IQR.

A model linear in x gives, per k units, the coefficient k·β and the interval k·CI(β); a ratio
is exp(k·β) with interval exp(k·CI(β)). That is exactly what refitting on x/k gives, for
Wald intervals as for Firth's profile-likelihood ones (the penalty only shifts by a constant
under rescaling), so the estimates are rescaled after the fit and p-values stay as they are.

The SD and IQR of a covariate are taken once, from its non-missing values among the analysed
patients (those whose outcome is known: the patients of its crude model), and serve both the
crude and the adjusted estimate, so the two stay comparable.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import get_args

import numpy as np
import pandas as pd

from analyses.encoding import Covariate, Numeric
from analyses.errors import AnalysisError
from analyses.results import SCALE_COLUMNS
from analyses.specs import EffectScale

EFFECT_SCALES: tuple[str, ...] = get_args(EffectScale)


def check_effect_scale(value: object) -> EffectScale:
    """The scale as given, or an error saying which ones exist."""
    if value not in EFFECT_SCALES:
        raise AnalysisError(
            "Choose how continuous covariates are reported: per unit, per 10 units, per SD or "
            "per IQR."
        )
    return value  # type: ignore[return-value]


def fmt_increment(value: float) -> str:
    """An SD or IQR to 3 significant digits without an exponent where one can be avoided."""
    if not math.isfinite(value):
        return str(value)
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 1e-4:
        digits = max(0, 2 - math.floor(math.log10(size)))
        return f"{value:.{digits}f}"
    return f"{value:.3g}"


def _per(scale: str, sd: float, iqr: float) -> tuple[str, float, str]:
    """(scale used, increment, its text); a zero or non-finite spread falls back to per unit."""
    if scale == "10":
        return "10", 10.0, "per 10 units"
    if scale == "sd" and math.isfinite(sd) and sd > 0:
        return "sd", sd, f"per SD ({fmt_increment(sd)})"
    if scale == "iqr" and math.isfinite(iqr) and iqr > 0:
        return "iqr", iqr, f"per IQR ({fmt_increment(iqr)})"
    return "unit", 1.0, "per unit"


def scale_table(
    covs: Iterable[Covariate], analysed: np.ndarray, scale: str
) -> tuple[pd.DataFrame, list[str]]:
    """The increment of each continuous covariate, and notes for those kept per unit."""
    rows, fallback = [], []
    for cov in covs:
        if not isinstance(cov, Numeric):
            continue
        values = cov.values[analysed & cov.present()]
        with np.errstate(all="ignore"):
            sd = float(np.std(values, ddof=1)) if len(values) > 1 else math.nan
            q1, q3 = np.percentile(values, [25, 75]) if len(values) else (math.nan, math.nan)
        iqr = float(q3 - q1)
        used, per, text = _per(scale, sd, iqr)
        if used != scale:
            fallback.append(cov.name)
        rows.append(
            {
                "variable": cov.name,
                "scale": used,
                "per": per,
                "per_text": text,
                "n": len(values),
                "sd": sd,
                "iqr": iqr,
            }
        )
    notes = []
    if fallback:
        what = "interquartile range" if scale == "iqr" else "standard deviation"
        notes.append(
            f"The {what} of {', '.join(fallback)} is zero or cannot be computed (most values "
            "are the same, or they are too large); their estimates are reported per unit."
        )
    frame = pd.DataFrame(rows, columns=list(SCALE_COLUMNS))
    return frame.astype({"n": "int64", "per": float, "sd": float, "iqr": float}), notes


def rescale(table: pd.DataFrame, scales: pd.DataFrame, ratio: bool) -> pd.DataFrame:
    """Estimates and CIs of the continuous covariates per their increment; p-values unchanged.

    Ratios become ratio**k = exp(k·β); coefficients k·β. Per unit (k = 1) nothing is touched,
    so the default gives the fit's own numbers, bit for bit.
    """
    per = {v: k for v, k in zip(scales["variable"], scales["per"], strict=True) if k != 1.0}
    if not per or table.empty:
        return table
    out = table.copy()
    k = out["variable"].map(per).to_numpy(dtype=float)
    rows = ~np.isnan(k) & ~out["is_reference"].to_numpy(dtype=bool)
    for column in ("estimate", "ci_low", "ci_high"):
        values = out[column].to_numpy(dtype=float).copy()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            scaled = np.power(values[rows], k[rows]) if ratio else values[rows] * k[rows]
        values[rows] = scaled
        out[column] = values
    return out
