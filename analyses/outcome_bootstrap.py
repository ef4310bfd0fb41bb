"""The outcome analysis's whole modelling repeated in a bootstrap resample (screening too).

Harrell's optimism is honest only when every data-driven step is repeated in each resample:
with covariates screened by their univariable p, a resample screens again (the same rule,
the same forced covariates), fits the multivariable model with the covariates it chose, and is
judged on the original patients who have those covariates. Resamples are drawn from every
patient with a known outcome, as the screening saw them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from analyses.bootstrap_validation import Pair, Refit
from analyses.encoding import Covariate, Factor, Numeric
from analyses.firth import P_VALUES_ONLY
from analyses.multivariable import build_design, fit_multivariable
from analyses.specs import OutcomeSpec
from analyses.univariable import fit_univariable

Screen = Callable[[list[Covariate], dict, OutcomeSpec], tuple[list[Covariate], list[str]]]


def _take(cov: Covariate, rows: np.ndarray) -> Covariate:
    """The covariate for the drawn patients (levels and reference unchanged)."""
    if isinstance(cov, Factor):
        return Factor(cov.name, cov.codes[rows], cov.levels)
    return Numeric(cov.name, cov.values[rows])


def screening_refit(
    covs: list[Covariate], y_all: np.ndarray, spec: OutcomeSpec, screen: Screen
) -> tuple[Refit, int]:
    """The refit of the screening and the adjusted model, and how many patients it draws from."""
    known = np.flatnonzero(~np.isnan(y_all))
    by_name = {c.name: c for c in covs}

    def refit(draw: np.ndarray) -> tuple[Pair, Pair] | None:
        rows = known[draw]
        yb = y_all[rows]
        if yb.min() == yb.max():
            return None
        resampled = [_take(c, rows) for c in covs]
        uni = {
            c.name: fit_univariable(c, yb, spec.method, spec.continuous_summary, P_VALUES_ONLY)
            for c in resampled
        }
        chosen, _ = screen(resampled, uni, spec)
        multi = fit_multivariable(chosen, yb, spec.method, inference=False)
        if multi.choice is None:
            return None
        beta = multi.choice.fit.params
        # The original patients with the chosen covariates, in the resample's design columns.
        originals = [by_name[c.name] for c in chosen]
        present = ~np.isnan(y_all)
        for cov in originals:
            present &= cov.present()
        X_all, _, _ = build_design(originals, present)
        X = X_all[:, list(multi.kept_columns)]
        with np.errstate(over="ignore"):
            test = 1.0 / (1.0 + np.exp(-(X @ beta)))
        return (multi.outcome, multi.choice.fit.probabilities), (y_all[present], test)

    return refit, len(known)
