"""Template: the Outcome model's bootstrap validation (Harrell's optimism correction), copied
into exported scripts.

The validation is MedStat's own modelling, copied at the end of the script (the
analyses/bootstrap_validation.py and outcome_bootstrap.py resampling, and the logistic, Firth,
estimator-choice, univariable and multivariable code each resample refits with; their Fit,
fit_logit and fit_firth are ModelFit, refit_logit and refit_firth there, beside the script's
own fits of the reported tables). Drawn from the same seed in the same order, each resample
repeats what MedStat repeats (the screening too, when a screening chose the covariates), so
the figures are MedStat's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from analyses.bootstrap_validation import optimism_bootstrap
from analyses.outcome_bootstrap import screening_refit

from .coding import Factor
from .outcome import AdjustedModel, outcome_covariates

# --- SCRIPT ---

Screen = Callable  # the screening a resample repeats (outcome_bootstrap's type hints)


def _take(cov, rows):
    """The covariate for the drawn patients (levels and reference unchanged)."""
    taken = object.__new__(type(cov))
    taken.__dict__.update(cov.__dict__)
    if isinstance(cov, Factor):
        taken.codes = cov.codes[rows]
    else:
        taken.values = cov.values[rows]
    return taken


@dataclass(frozen=True)
class Screening:
    """The analysis's choices a resample's screening reads."""

    method: str
    continuous_summary: str
    screen_p: float
    force: tuple


def screen_again(covs, uni, spec):
    """MedStat's screening (analyses/outcome.py): the covariates, in order, whose crude p is
    below screen_p or that are forced in; the strongest alone when none passes."""
    chosen = [
        c
        for c in covs
        if c.name in spec.force
        or (np.isfinite(uni[c.name].global_p) and uni[c.name].global_p < spec.screen_p)
    ]
    if chosen:
        return chosen, []
    ranked = sorted(
        covs, key=lambda c: (not np.isfinite(uni[c.name].global_p), uni[c.name].global_p)
    )
    return ranked[:1], []


def bootstrap_validation(df, outcome, event, covariates, categorical=(), reference=None,
                         method="logit", samples=200, seed=2026, screening=None,
                         **_):  # fmt: skip
    """Table: the adjusted model's C statistic, calibration slope and intercept and Brier
    score, apparent, in the bootstrap samples (training) and on the original patients (test),
    the optimism and the optimism-corrected figure (as rms::validate). `screening` (the
    covariates offered, the estimator asked for, the rule and the forced ones): each resample
    screens `screening["covariates"]` again and fits the model it chooses; without it, each
    resample refits the adjusted model's design."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, method)
    refit = population = None
    if screening is not None:
        offered = outcome_covariates(
            df, outcome, model.y_all, screening["covariates"], categorical, reference or {}
        )
        rule = Screening(
            screening["method"], screening["summary"], screening["screen_p"],
            tuple(screening["force"]),
        )  # fmt: skip
        refit, population = screening_refit(offered, model.y_all, rule, screen_again)
    params = model.fit.params
    return optimism_bootstrap(
        model.X, model.y, params, method, samples, seed, refit, population
    ).table
