"""Crude (one covariate at a time) odds ratios with per-outcome-group summaries."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analyses.cancellation import checkpoint
from analyses.descriptive import factor_summaries, numeric_summary
from analyses.encoding import Covariate, Factor
from analyses.firth import penalized_lr_p
from analyses.logistic import lr_p_value, null_loglik, saturated_factor_fit
from analyses.model_choice import Choice, choose_and_fit


@dataclass(frozen=True)
class Univariable:
    """One covariate's crude rows, its global p and the fit behind them."""

    rows: list[dict]
    global_p: float
    method: str
    solver: str
    fallbacks: tuple[str, ...]
    separated: bool


def _known_separated_factor(events: np.ndarray, n: np.ndarray) -> tuple[int, ...]:
    bad = np.flatnonzero((events == 0) | (events == n))
    # Column j of the design is level j (level 0, the reference, is absorbed by the intercept).
    return tuple(int(j) if j > 0 else 0 for j in bad)


def _known_separated_numeric(x: np.ndarray, y: np.ndarray) -> tuple[int, ...]:
    ev, ne = x[y > 0.5], x[y <= 0.5]
    if len(ev) == 0 or len(ne) == 0:
        return (1,)
    overlap = ev.max() > ne.min() and ne.max() > ev.min()
    return () if overlap else (1,)


def _fit(
    cov: Covariate,
    rows: np.ndarray,
    y: np.ndarray,
    method: str,
    known: tuple[int, ...],
    inference: bool | str = True,
):
    if isinstance(cov, Factor) and method != "firth" and not known:
        exact = saturated_factor_fit(cov.codes[rows], y, len(cov.levels))
        if exact is not None:
            return Choice(exact, False, (), ""), None
    X = np.column_stack([np.ones(len(y)), cov.design(rows)])
    choice = choose_and_fit(
        X, y, method, known_separated=known, exact_separation=True, inference=inference
    )
    return choice, X


def fit_univariable(
    cov: Covariate, y_all: np.ndarray, method: str, summary: str, inference: bool | str = True
) -> Univariable:
    """Crude rows for one covariate on the patients with both the outcome and this covariate.

    `inference`: as choose_and_fit's; a bootstrap's screening passes firth.P_VALUES_ONLY (the
    same p-values, Wald CIs it does not use)."""
    checkpoint()
    rows = ~np.isnan(y_all) & cov.present()
    y = y_all[rows]
    if isinstance(cov, Factor):
        n, events, s0, s1 = factor_summaries(cov.codes[rows], y, len(cov.levels))
        known = _known_separated_factor(events, n)
        labels = list(cov.levels)
    else:
        x = cov.values[rows]
        s0, s1 = numeric_summary(x, y, summary)
        n, events = np.array([len(y)]), np.array([int(y.sum())])
        s0, s1 = [s0], [s1]
        known = _known_separated_numeric(x, y)
        labels = [""]
    choice, X = _fit(cov, rows, y, method, known, inference)
    fit = choice.fit if choice is not None else None

    out = []
    for i in range(len(labels)):
        is_ref = isinstance(cov, Factor) and i == 0
        j = i if isinstance(cov, Factor) else 1
        est = lo = hi = p = float("nan")
        if is_ref:
            est = 1.0
        elif fit is not None:
            with np.errstate(over="ignore"):  # a separated standard fit gives OR = inf
                est, lo, hi = (
                    float(v) for v in np.exp([fit.params[j], fit.ci[j, 0], fit.ci[j, 1]])
                )
            p = float(fit.pvalues[j])
        out.append(
            {
                "variable": cov.name,
                "level": labels[i],
                "is_reference": is_ref,
                "n": int(n[i]),
                "events": int(events[i]),
                "summary_no_event": s0[i],
                "summary_event": s1[i],
                "estimate": est,
                "ci_low": lo,
                "ci_high": hi,
                "p_value": p,
            }
        )
    if isinstance(cov, Factor) and len(cov.levels) > 2:
        global_p = _global_p(fit, X, y)
    else:
        global_p = next((r["p_value"] for r in out if not r["is_reference"]), float("nan"))
    for r in out:
        r["global_p"] = global_p
        r["method"] = fit.method if fit is not None else ""
    return Univariable(
        rows=out,
        global_p=global_p,
        method=fit.method if fit is not None else "",
        solver=fit.solver if fit is not None else "",
        fallbacks=fit.fallbacks if fit is not None else (),
        separated=bool(choice.separated) if choice is not None else bool(known),
    )


def _global_p(fit, X, y) -> float:
    """Likelihood-ratio p of the whole covariate against the intercept-only model."""
    if fit is None:
        return float("nan")
    df = len(fit.params) - 1
    if fit.method == "firth":
        return penalized_lr_p(fit, X, y, list(range(1, X.shape[1])))
    return lr_p_value(fit.loglik, null_loglik(y), df)
