"""Logistic outcome analysis: crude screening, then one adjusted model; a pure function."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress, steps
from analyses.effect_models import Response
from analyses.effect_modifiers import modifier_tables
from analyses.effect_scale import check_effect_scale, rescale, scale_table
from analyses.encoding import (
    Covariate,
    Factor,
    Numeric,
    encode_factor,
    encode_numeric,
    encode_outcome,
)
from analyses.errors import AnalysisError
from analyses.fit_records import OutcomeFit
from analyses.multivariable import Multivariable, fit_multivariable
from analyses.outcome_bootstrap import screening_refit
from analyses.outcome_performance import model_performance
from analyses.outcome_proxies import find_proxies
from analyses.results import MULTIVARIABLE_COLUMNS, UNIVARIABLE_COLUMNS, OutcomeResult
from analyses.specs import OutcomeSpec
from analyses.univariable import Univariable, fit_univariable
from analyses.warnings_text import model_warnings

# Bump when the results of the same data and spec change meaning (cache keys include it).
# 4: calibration, decision curve and bootstrap validation; 3: subgroup and interaction tables;
# 2: a warning names outcome proxies
VERSION = "4"


def _covariates(df: pd.DataFrame, spec: OutcomeSpec, y: np.ndarray):
    """Encoded covariates in spec order, minus constant or empty ones (named in warnings)."""
    refs = dict(spec.reference)
    known_outcome = ~np.isnan(y)
    covs: list[Covariate] = []
    notes: list[str] = []
    empty, constant = [], []
    for name in dict.fromkeys(spec.covariates):
        if name == spec.outcome:
            continue
        if name in spec.categorical:
            cov, msgs = encode_factor(df[name], refs.get(name))
            notes += msgs
            seen = np.unique(cov.codes[known_outcome & cov.present()])
            n_values = len(seen)
        else:
            cov = encode_numeric(df[name])
            values = cov.values[known_outcome & cov.present()]
            n_values = 0 if len(values) == 0 else (1 if np.ptp(values) == 0 else 2)
        if n_values == 0:
            empty.append(name)
        elif n_values == 1:
            constant.append(name)
        else:
            covs.append(cov)
    if empty:
        notes.append(f"Left out because they have no values: {', '.join(empty)}.")
    if constant:
        notes.append(
            f"Left out because they have the same value for every patient: {', '.join(constant)}."
        )
    return covs, notes


# Values beyond this size overflow products in the fit (x squared passes 1.8e308 at 1.3e154).
HUGE_VALUE = 1e100


def _numeric_trouble(covs: list[Covariate]) -> str:
    """Why the fit's matrix algebra failed, naming columns with huge values when there are any."""
    huge = [
        (c.name, float(np.nanmax(np.abs(c.values))))
        for c in covs
        if isinstance(c, Numeric) and c.present().any() and np.nanmax(np.abs(c.values)) > HUGE_VALUE
    ]
    if huge:
        names = ", ".join(f"'{name}' (up to {top:.3g})" for name, top in huge)
        return (
            f"The model could not be computed: {names} has values too large to calculate with. "
            "Check those values for typing errors, or rescale the column (other units, or "
            "log10), and run again."
        )
    return (
        "The model could not be computed: the calculation failed numerically with these "
        "covariates. Leave out covariates that nearly copy each other or hold extreme values, "
        "and run again."
    )


def _screened(covs: list[Covariate], uni: dict[str, Univariable], spec: OutcomeSpec):
    """Covariates for the adjusted model, in spec order, and a warning when none passed."""
    forced = set(spec.force)
    if spec.screen_p is None:
        return covs, []
    chosen = [
        c
        for c in covs
        if c.name in forced
        or (np.isfinite(uni[c.name].global_p) and uni[c.name].global_p < spec.screen_p)
    ]
    if chosen:
        return chosen, []
    # finalfit users expect an adjusted model to appear; the strongest candidate alone is the
    # least surprising one, and the warning says exactly what happened.
    ranked = sorted(
        covs, key=lambda c: (not np.isfinite(uni[c.name].global_p), uni[c.name].global_p)
    )
    best = ranked[0]
    p = uni[best.name].global_p
    return [best], [
        f"No covariate had a univariable p below {spec.screen_p:g}; the multivariable model "
        f"contains only the strongest candidate, '{best.name}' (p = {p:.3g}). "
        "Raise the screening threshold or force covariates in to adjust for them."
    ]


def _fit_record(spec, event, y, multi: Multivariable, screened) -> OutcomeFit:
    fit = multi.choice.fit if multi.choice is not None else None
    n_total = int((~np.isnan(y)).sum())
    model = {
        "method": fit.method if fit is not None else "",
        "event": event,
        "n_total": n_total,
        "n_excluded": n_total - multi.stats["n_used"],
        "n_outcome_missing": int(np.isnan(y).sum()),
        "screen_p": spec.screen_p,
        "covariates_in_model": tuple(c.name for c in screened),
        "solver": fit.solver if fit is not None else "",
        "fallbacks": fit.fallbacks if fit is not None else (),
        "separation": bool(multi.choice.separated) if multi.choice is not None else False,
    }
    model.update(multi.stats)
    return OutcomeFit(**model)


def analyze(df: pd.DataFrame, spec: OutcomeSpec) -> OutcomeResult:
    """Univariable screening and a multivariable logistic model of spec.outcome."""
    missing = [c for c in (spec.outcome, *spec.covariates) if c not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {', '.join(missing)}.")
    check_effect_scale(spec.effect_scale)
    y, event, notes = encode_outcome(df[spec.outcome], spec.event)
    # Most important first: a covariate that is the outcome makes every other number moot.
    proxies = [p.warning() for p in find_proxies(df, y, spec.covariates)]
    covs, cov_notes = _covariates(df, spec, y)
    notes = proxies + notes + cov_notes
    if not covs:
        raise AnalysisError(
            "There are no usable covariates: every one chosen is empty or constant. "
            "Pick at least one column that varies between patients."
        )
    try:
        uni = {
            c.name: fit_univariable(c, y, spec.method, spec.continuous_summary)
            for c in steps(covs, "Crude model")
        }
        screened, screen_notes = _screened(covs, uni, spec)
        progress("Multivariable model")
        multi = fit_multivariable(screened, y, spec.method)
    except (np.linalg.LinAlgError, OverflowError, FloatingPointError) as exc:
        # Values near the float limit overflow the fit's matrix algebra; say which column.
        raise AnalysisError(_numeric_trouble(covs)) from exc
    if multi.choice is None:
        raise AnalysisError(
            "The multivariable model could not be fitted: there are too few complete patients "
            "for the number of covariates, or the outcome does not vary among them. "
            "Use fewer covariates or fill in missing values."
        )
    fit = _fit_record(spec, event, y, multi, screened)
    # SD and IQR among the patients with a known outcome: the crude models' patients.
    scales, scale_notes = scale_table(covs, ~np.isnan(y), spec.effect_scale)
    warnings = notes + screen_notes + model_warnings(covs, uni, multi, fit, spec.method)
    performance = None
    if spec.calibration:
        # Screening is data-driven: each resample repeats it (the honest optimism, Harrell).
        refit = screening_refit(covs, y, spec, _screened) if spec.screen_p is not None else None
        performance, perf_notes = model_performance(
            multi.design, multi.outcome, multi.choice.fit, spec, refit
        )
        warnings += perf_notes
    univariable = pd.DataFrame(
        [row for c in covs for row in uni[c.name].rows], columns=list(UNIVARIABLE_COLUMNS)
    )
    multivariable = pd.DataFrame(multi.rows, columns=list(MULTIVARIABLE_COLUMNS))
    univariable["is_reference"] = univariable["is_reference"].astype(bool)
    multivariable["is_reference"] = multivariable["is_reference"].astype(bool)
    response = Response("logistic", y)
    base = np.ones(len(y), dtype=bool)
    subgroups, interactions, modifier_notes = modifier_tables(df, spec, response, screened, base)
    return OutcomeResult(
        univariable=rescale(univariable, scales, ratio=True),
        multivariable=rescale(multivariable, scales, ratio=True),
        fit=fit,
        warnings=tuple(dict.fromkeys(warnings + scale_notes + modifier_notes)),
        vif=multi.vif,
        scales=scales,
        subgroups=rescale(subgroups, scales, ratio=True),
        interactions=rescale(interactions, scales, ratio=True),
        performance=performance,
    )


__all__ = ["analyze", "Factor"]
