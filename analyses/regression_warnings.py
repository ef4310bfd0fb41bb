"""Plain-language warnings about a fitted regression, for the doctor reading the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.fit_records import RegressionFit
from analyses.regression_fit import OVERDISPERSION

VIF_MODERATE = 5.0
VIF_SERIOUS = 10.0
PATIENTS_PER_PARAMETER = 10.0  # linear models: fewer than this per coefficient overfits


def _names(items) -> str:
    return ", ".join(f"'{i}'" for i in items)


def _dispersion_warnings(model: RegressionFit) -> list[str]:
    family, reason = model.family, model.family_reason
    screening = model.screening_dispersion
    final = model.dispersion if model.dispersion is not None else np.nan
    out = []
    if family == "negbin" and reason == "overdispersion":
        out.append(
            f"The counts vary more than a Poisson model allows (Pearson χ²/df = {screening:.2f}, "
            f"above {OVERDISPERSION:g}), so negative binomial regression was used; its rate "
            "ratios have honest confidence intervals."
        )
    elif family == "poisson" and np.isfinite(final) and final > OVERDISPERSION:
        out.append(
            f"WARNING: overdispersion: the counts vary more than a Poisson model allows "
            f"(Pearson χ²/df = {final:.2f}), so its confidence intervals are too narrow and its "
            "p-values too small. Use negative binomial regression (or the automatic choice)."
        )
    elif family == "poisson" and np.isfinite(final) and final < 1 / OVERDISPERSION:
        out.append(
            f"The counts vary less than a Poisson model expects (Pearson χ²/df = {final:.2f}); "
            "its confidence intervals are somewhat conservative."
        )
    return out


def _fit_warnings(model: RegressionFit) -> list[str]:
    out = []
    if not model.converged:
        out.append(
            "WARNING: the multivariable model did not converge; its estimates are unreliable. "
            "Use fewer covariates or merge rare categories."
        )
    n, k = model.n_used, model.n_parameters
    if model.family == "linear" and k and n / k < PATIENTS_PER_PARAMETER:
        out.append(
            f"Only {n / k:.1f} patients per coefficient in the multivariable model (10 or more "
            "is advised): the model may be overfitted. Consider fewer covariates."
        )
    if model.n_excluded:
        out.append(
            f"{model.n_excluded} patients with a missing value in a covariate of the "
            "multivariable model were left out of it (complete-case analysis)."
        )
    return out


def _vif_warnings(vif: pd.DataFrame) -> list[str]:
    serious = vif.loc[vif["vif_per_df"] > VIF_SERIOUS, "variable"].tolist()
    moderate = vif.loc[
        (vif["vif_per_df"] > VIF_MODERATE) & (vif["vif_per_df"] <= VIF_SERIOUS), "variable"
    ].tolist()
    out = []
    if serious:
        out.append(
            f"Serious collinearity (VIF above 10): {_names(serious)}. These covariates carry "
            "nearly the same information; keep one of them or combine them."
        )
    if moderate:
        out.append(
            f"Moderate collinearity (VIF above 5): {_names(moderate)}. Their adjusted "
            "estimates may be imprecise."
        )
    return out


def regression_warnings(model: RegressionFit, uni, vif, empty: list, aliased: list) -> list[str]:
    """Every warning about the fitted regression, most important first."""
    out = _dispersion_warnings(model) + _fit_warnings(model)
    failed = [name for name, u in uni.items() if u.fit is None]
    if failed:
        out.append(f"The univariable model could not be fitted for {_names(failed)}.")
    if empty:
        out.append(
            f"No complete patient in {_names(empty)}; these levels have no adjusted estimate."
        )
    if aliased:
        out.append(
            "Left out of the multivariable model because fully determined by other covariates: "
            f"{_names(aliased)}."
        )
    return out + _vif_warnings(vif)
