"""Linear, Poisson and negative binomial regression: crude screening, then one adjusted model.

A pure function of (DataFrame, RegressionSpec), shaped like the logistic outcome analysis:
covariates are encoded by analyses.encoding, each is fitted alone (univariable table), the
screened ones together (multivariable table). Count models report incidence rate ratios; with
an exposure column the offset log(exposure) makes them rate ratios.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress, steps
from analyses.effect_models import Response
from analyses.effect_modifiers import modifier_tables
from analyses.effect_scale import check_effect_scale, rescale, scale_table
from analyses.encoding import Covariate
from analyses.errors import AnalysisError
from analyses.fit_records import RegressionFit
from analyses.model_fit import variance_inflation
from analyses.regression_data import (
    complete_rows,
    encode_covariates,
    encode_exposure,
    encode_outcome,
    model_design,
)
from analyses.regression_fit import (
    OVERDISPERSION,
    Fit,
    choose_count_family,
    count_statistics,
    fit_model,
    global_p,
    linear_statistics,
)
from analyses.regression_tables import (
    Univariable,
    coefficient_rows,
    diagnostics_frame,
    fit_univariable,
)
from analyses.regression_warnings import regression_warnings
from analyses.results import (
    REGRESSION_MULTIVARIABLE_COLUMNS,
    REGRESSION_UNIVARIABLE_COLUMNS,
    RegressionResult,
)
from analyses.specs import RegressionSpec

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "3"  # 3: subgroup and interaction tables
MODELS = ("linear", "count", "poisson", "negbin")


def _screened(covs: list[Covariate], uni: dict[str, Univariable], spec: RegressionSpec):
    """Covariates for the adjusted model, in spec order, and a note when none passed."""
    if spec.screen_p is None:
        return covs, []
    forced = set(spec.force)
    chosen = [
        c
        for c in covs
        if c.name in forced
        or (np.isfinite(uni[c.name].global_p) and uni[c.name].global_p < spec.screen_p)
    ]
    if chosen:
        return chosen, []
    # As in the outcome analysis: an adjusted model always appears, holding the strongest one.
    best = min(covs, key=lambda c: (not np.isfinite(uni[c.name].global_p), uni[c.name].global_p))
    p = uni[best.name].global_p
    return [best], [
        f"No covariate had a univariable p below {spec.screen_p:g}; the multivariable model "
        f"contains only the strongest candidate, '{best.name}' (p = {p:.3g}). "
        "Raise the screening threshold or force covariates in to adjust for them."
    ]


def _family(spec: RegressionSpec, covs, y, offset, known) -> tuple[str, float, str]:
    """The family to fit, the Poisson dispersion that decided it, and why it was chosen.

    For "count" the decision uses the Poisson model with every candidate covariate (on its
    complete cases), so that screening itself runs on the right model.
    """
    if spec.model == "linear":
        return "linear", float("nan"), "requested"
    rows = complete_rows(covs, known)
    if rows.sum() <= 1:
        rows = known
    X, *_ = model_design(covs, rows)
    if len(X) <= X.shape[1]:
        X = X[:, :1]
    family, dispersion = choose_count_family(X, y[rows], offset[rows])
    if spec.model == "count":
        return family, dispersion, "overdispersion" if family == "negbin" else "no overdispersion"
    return spec.model, dispersion, "requested"


def _multivariable(covs: list[Covariate], family: str, y, offset, known):
    """The adjusted model on complete cases: its fit, design, table rows and fallbacks."""
    rows = complete_rows(covs, known)
    X, keep, owner, empty, aliased = model_design(covs, rows)
    yy, off = y[rows], offset[rows]
    fit = fit_model(family, X, yy, off)
    if fit is None:
        raise AnalysisError(
            "The multivariable model could not be fitted: there are too few complete patients "
            "for the number of covariates. Use fewer covariates or fill in missing values."
        )
    position = {j: i for i, j in enumerate(keep)}
    table, first = [], 1
    for cov in covs:
        cols = [i for i, o in enumerate(owner) if o == cov.name]
        p = global_p(fit, X, yy, off, cols)
        table += coefficient_rows(cov, rows, fit, first, position, p)
        first += len(cov.columns)
    groups = [
        (c.name, [i - 1 for i, o in enumerate(owner) if o == c.name])
        for c in covs
        if c.name in owner
    ]
    vif = variance_inflation(X[:, 1:], groups)
    return fit, X, yy, off, table, vif, empty, aliased


def _fit_record(
    spec, family, reason, dispersion, fit: Fit, X, yy, off, n_total, covs
) -> RegressionFit:
    model = {
        "family": family,
        "family_reason": reason,
        "outcome": spec.outcome,
        "exposure": spec.exposure or "",
        "estimate_name": "coefficient" if family == "linear" else "IRR",
        "n_total": int(n_total),
        "n_used": int(len(yy)),
        "n_excluded": int(n_total - len(yy)),
        "n_parameters": int(X.shape[1] - 1),
        "screen_p": spec.screen_p,
        "covariates_in_model": tuple(c.name for c in covs),
        "converged": bool(fit.converged),
        "fallbacks": tuple(fit.fallbacks),
        "screening_dispersion": float(dispersion),
        "overdispersion_threshold": OVERDISPERSION,
    }
    if family == "linear":
        model.update(linear_statistics(fit))
        model["outcome_mean"] = float(yy.mean())
    else:
        model.update(count_statistics(fit, X, yy, off))
        model["total_events"] = float(yy.sum())
        model["total_exposure"] = float(np.exp(off).sum()) if spec.exposure else float("nan")
    return RegressionFit(**model)


def analyze(df: pd.DataFrame, spec: RegressionSpec) -> RegressionResult:
    """Univariable screening and a multivariable regression of spec.outcome."""
    if spec.model not in MODELS:
        raise AnalysisError("The model must be linear, count, Poisson or negative binomial.")
    check_effect_scale(spec.effect_scale)
    needed = [spec.outcome, *spec.covariates, *([spec.exposure] if spec.exposure else [])]
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {', '.join(missing)}.")
    if spec.exposure and spec.model == "linear":
        raise AnalysisError(
            "An exposure (offset) only applies to count models; choose Poisson or negative "
            "binomial regression, or remove the exposure."
        )
    y, notes = encode_outcome(df[spec.outcome], "linear" if spec.model == "linear" else "count")
    offset, exposure_notes = encode_exposure(df, spec.exposure, len(df))
    notes += exposure_notes
    known = ~np.isnan(y) & ~np.isnan(offset)
    covs, cov_notes = encode_covariates(df, spec, known)
    notes += cov_notes
    if not covs:
        raise AnalysisError(
            "There are no usable covariates: every one chosen is empty or constant. "
            "Pick at least one column that varies between patients."
        )
    family, dispersion, reason = _family(spec, covs, y, offset, known)
    uni = {
        c.name: fit_univariable(c, family, y, offset, known, bool(spec.exposure))
        for c in steps(covs, "Crude model")
    }
    progress("Multivariable model")
    screened, screen_notes = _screened(covs, uni, spec)
    fit, X, yy, off, table, vif, empty, aliased = _multivariable(screened, family, y, offset, known)
    record = _fit_record(spec, family, reason, dispersion, fit, X, yy, off, known.sum(), screened)
    notes += screen_notes + regression_warnings(record, uni, vif, empty, aliased)
    # SD and IQR among the patients with the outcome (and exposure) known: the crude models'.
    scales, scale_notes = scale_table(covs, known, spec.effect_scale)
    univariable = pd.DataFrame(
        [row for c in covs for row in uni[c.name].rows],
        columns=list(REGRESSION_UNIVARIABLE_COLUMNS),
    )
    multivariable = pd.DataFrame(table, columns=list(REGRESSION_MULTIVARIABLE_COLUMNS))
    for frame in (univariable, multivariable):
        frame["is_reference"] = frame["is_reference"].astype(bool)
    ratio = family != "linear"
    response = Response(
        family,
        y,
        offset=None if family == "linear" else offset,
        alpha=fit.alpha if family == "negbin" else None,
    )
    subgroups, interactions, modifier_notes = modifier_tables(df, spec, response, screened, known)
    notes += modifier_notes
    return RegressionResult(
        univariable=rescale(univariable, scales, ratio),
        multivariable=rescale(multivariable, scales, ratio),
        fit=record,
        diagnostics=diagnostics_frame(fit, X),
        vif=vif,
        warnings=tuple(dict.fromkeys(notes + scale_notes)),
        scales=scales,
        subgroups=rescale(subgroups, scales, ratio),
        interactions=rescale(interactions, scales, ratio),
    )


__all__ = ["VERSION", "analyze"]
