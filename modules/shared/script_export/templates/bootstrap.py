"""Template: the Outcome model's bootstrap validation (Harrell's optimism correction), copied
into exported scripts.

The validation itself is MedStat's analyses/bootstrap_validation.py, copied at the end of the
script (its fit_logit and fit_firth are this part's refit_logit and refit_firth: the script's
own fit_logit and fit_firth give the reported tables). Written only for a model whose
covariates no screening chose: then each resample refits the reported model's design, drawn
from the same seed in the same order as MedStat, so the figures are MedStat's."""

from __future__ import annotations

import warnings

import numpy as np
from firthmodels import FirthLogisticRegression
from statsmodels.discrete.discrete_model import Logit

from analyses.bootstrap_validation import optimism_bootstrap

from .outcome import AdjustedModel

# --- SCRIPT ---


class Refitted:
    """A bootstrap refit: its coefficients (intercept first) and whether its estimator
    converged (a sample whose model did not converge is left out, as MedStat leaves it)."""

    def __init__(self, params, converged):
        self.params, self.converged = params, converged


def refit_firth(X, y, inference=False):
    """Firth's penalized likelihood, as MedStat refits it in a bootstrap sample (no CIs or
    p-values); None when the fit fails (analyses/firth.py)."""
    model = FirthLogisticRegression(max_iter=100, backend="numpy")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X[:, 1:], y)
    except (ValueError, np.linalg.LinAlgError):
        return None
    return Refitted(np.r_[model.intercept_, model.coef_], bool(model.converged_))


def _logit_attempt(X, y, method, start):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return Logit(y, X, check_rank=False).fit(
                method=method, start_params=start, maxiter=35 if method == "newton" else 400,
                disp=0,
            )  # fmt: skip
    except (np.linalg.LinAlgError, ValueError, OverflowError):
        return None


def _logit_converged(res):
    if res is None or not res.mle_retvals.get("converged", False):
        return False
    return bool(np.all(np.isfinite(res.params)) and np.all(np.isfinite(res.bse)))


def refit_logit(X, y, start=None):
    """Maximum likelihood, as MedStat refits it in a bootstrap sample: Newton from `start` (the
    reported estimates), then BFGS from where Newton stopped when it did not converge (its
    result kept only if it converged); None when neither gave estimates
    (analyses/logistic.py)."""
    res = _logit_attempt(X, y, "newton", start)
    if not _logit_converged(res):
        retry = _logit_attempt(X, y, "bfgs", None if res is None else res.params)
        if retry is not None and (res is None or _logit_converged(retry)):
            res = retry
    if res is None:
        return None
    return Refitted(np.asarray(res.params, dtype=float), _logit_converged(res))


def bootstrap_validation(df, outcome, event, covariates, categorical=(), reference=None,
                         method="logit", samples=200, seed=2026, **_):  # fmt: skip
    """Table: the adjusted model's C statistic, calibration slope and intercept and Brier
    score, apparent, in the bootstrap samples (training) and on the original patients (test),
    the optimism and the optimism-corrected figure (as rms::validate)."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, method)
    return optimism_bootstrap(model.X, model.y, model.fit.params, method, samples, seed).table
