"""Which estimator a model gets (standard or Firth), and the fallbacks taken on the way."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from analyses.firth import fit_firth, separated_columns
from analyses.logistic import Fit, fit_logit

# Below this many cells (rows x columns) the LP separation check is run on every model: it takes
# milliseconds there, while on 100k rows it takes seconds and runs only when a fit looks wrong.
ALWAYS_CHECK_CELLS = 50_000
# A coefficient whose standard error exceeds this on the scale of one SD of its column (for a
# 0/1 column, about its own scale) only happens when the likelihood has no finite maximum.
HUGE_STANDARDIZED_SE = 8.0
LOW_EPV_FOR_FIRTH = 5.0


@dataclass(frozen=True)
class Choice:
    """A fitted model and why it is the one reported."""

    fit: Fit
    separated: bool  # separation detected (by counts, the LP check, or an exploding fit)
    separated_columns: tuple[int, ...]  # design columns involved, when known
    reason: str  # "", "separation", "low_epv", "requested", "no_convergence"


def _looks_separated(fit: Fit, X: np.ndarray) -> bool:
    if not fit.converged:
        return True
    with np.errstate(invalid="ignore"):
        scale = X[:, 1:].std(axis=0)
        standardized = fit.bse[1:] * np.where(scale > 0, scale, 1.0)
    return bool(np.any(~np.isfinite(standardized)) or np.any(standardized > HUGE_STANDARDIZED_SE))


def _firth(
    X: np.ndarray, y: np.ndarray, inference: bool | str, fallbacks: tuple[str, ...]
) -> Fit | None:
    fit = fit_firth(X, y, inference=inference)
    return None if fit is None else replace(fit, fallbacks=fallbacks)


def choose_and_fit(
    X: np.ndarray,
    y: np.ndarray,
    method: str,
    known_separated: tuple[int, ...] = (),
    low_epv: bool = False,
    inference: bool | str = True,
    exact_separation: bool = False,
) -> Choice | None:
    """Fit y on X (intercept first) by `method` ("auto", "logit", "firth").

    auto: Firth when separation is known from the counts, when EPV is low, when the standard
    fit does not converge (Newton -> BFGS -> Firth) or when it explodes and the LP check
    confirms separation; otherwise standard ML. logit: always standard ML, separation only
    flagged (Firth only if no ML estimates exist at all). firth: always Firth.
    `exact_separation`: `known_separated` is already exact (one covariate), skip the LP check.
    None when no estimator produced estimates.
    """
    small = X.size <= ALWAYS_CHECK_CELLS and not exact_separation
    if method == "firth":
        fit = _firth(X, y, inference, ())
        sep = list(known_separated)
        if not sep and small:
            sep = separated_columns(X, y)
        return None if fit is None else Choice(fit, bool(sep), tuple(sep), "requested")
    if method == "auto" and known_separated:
        fit = _firth(X, y, inference, ())
        return None if fit is None else Choice(fit, True, tuple(known_separated), "separation")
    if method == "auto" and low_epv:
        fit = _firth(X, y, inference, ())
        sep = separated_columns(X, y) if small else []
        return None if fit is None else Choice(fit, bool(sep), tuple(sep), "low_epv")

    logit = fit_logit(X, y)
    sep = list(known_separated)
    suspicious = logit is None or _looks_separated(logit, X)
    if not sep and (small or (suspicious and not exact_separation)):
        sep = separated_columns(X, y)
    if logit is None or (method == "auto" and not logit.converged):
        chain = ("newton->bfgs", "bfgs->firth")
        fit = _firth(X, y, inference, chain)
        if fit is None:
            return None
        return Choice(fit, bool(sep), tuple(sep), "separation" if sep else "no_convergence")
    if method == "auto" and sep:
        fit = _firth(X, y, inference, (*logit.fallbacks, f"{logit.solver}->firth"))
        if fit is not None:
            return Choice(fit, True, tuple(sep), "separation")
    return Choice(logit, bool(sep), tuple(sep), "")
