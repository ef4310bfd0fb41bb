"""Plain-language warnings about a fitted outcome analysis, for the doctor reading the tables."""

from __future__ import annotations

import numpy as np

from analyses.encoding import Covariate, Factor
from analyses.fit_records import OutcomeFit

VIF_MODERATE = 5.0
VIF_SERIOUS = 10.0
EPV_LOW = 10.0


def _names(items) -> str:
    return ", ".join(f"'{i}'" for i in items)


def _level_warnings(covs: list[Covariate], uni) -> list[str]:
    out = []
    for cov in covs:
        if not isinstance(cov, Factor):
            continue
        none = [r["level"] for r in uni[cov.name].rows if r["n"] and r["events"] == 0]
        every = [r["level"] for r in uni[cov.name].rows if r["n"] and r["events"] == r["n"]]
        if none:
            out.append(f"In '{cov.name}', no patient in {_names(none)} had the event.")
        if every:
            out.append(f"In '{cov.name}', every patient in {_names(every)} had the event.")
    return out


def _separation_warnings(covs, uni, multi, method: str) -> list[str]:
    out = []
    crude = [c.name for c in covs if uni[c.name].separated]
    if crude:
        if method == "logit":
            out.append(
                f"WARNING: separation in the crude analysis of {_names(crude)}: the outcome is "
                "perfectly predicted, so these standard odds ratios and p-values are not "
                "trustworthy (they head to infinity). Use Firth's method (auto or firth)."
            )
        else:
            out.append(
                f"Separation in the crude analysis of {_names(crude)}: some categories or "
                "values predict the outcome perfectly, so Firth's penalized regression was "
                "used for them."
            )
    choice = multi.choice
    if choice is None:
        return out
    involved = sorted({multi.column_owner[j] for j in choice.separated_columns if j > 0})
    which = f" (involving {_names(involved)})" if involved else ""
    if choice.separated and choice.fit.method == "logit":
        out.append(
            f"WARNING: separation in the multivariable model{which}: standard logistic "
            "regression has no finite estimates here, so its odds ratios, CIs and p-values are "
            "not trustworthy. Use Firth's method (auto or firth)."
        )
    elif choice.reason == "separation":
        out.append(
            f"Separation in the multivariable model{which}: the outcome is perfectly predicted "
            "by some covariates, so Firth's penalized logistic regression was used."
        )
    elif choice.reason == "low_epv":
        out.append(
            "Few events for the number of parameters (fewer than 5 per parameter), so Firth's "
            "penalized logistic regression was used for the multivariable model."
        )
    elif choice.reason == "no_convergence":
        out.append(
            "The standard multivariable model did not converge, so Firth's penalized "
            "logistic regression was used instead."
        )
    elif not choice.fit.converged:
        out.append(
            "WARNING: the multivariable model did not converge; its estimates are unreliable."
        )
    return out


def _vif_warnings(vif) -> list[str]:
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
            f"Moderate collinearity (VIF above 5): {_names(moderate)}. Their adjusted odds "
            "ratios may be imprecise."
        )
    return out


def model_warnings(covs, uni, multi, model: OutcomeFit, method: str) -> list[str]:
    """Every warning about the fitted analysis, most important first."""
    out = _separation_warnings(covs, uni, multi, method)
    out += _level_warnings(covs, uni)
    if multi.empty_levels:
        out.append(
            f"No complete patient in {_names(multi.empty_levels)}; these levels have no "
            "adjusted odds ratio."
        )
    if multi.aliased:
        out.append(
            f"Left out of the multivariable model because fully determined by other covariates: "
            f"{_names(multi.aliased)}."
        )
    epv = model.events_per_variable
    if np.isfinite(epv) and epv < EPV_LOW:
        out.append(
            f"Only {epv:.1f} events per parameter in the multivariable model (10 or more is "
            "advised): the adjusted odds ratios may be overestimated. Consider fewer covariates."
        )
    out += _vif_warnings(multi.vif)
    return out
