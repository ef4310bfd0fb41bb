"""The adjusted model: complete cases, one design, one fit, its table and fit statistics."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analyses.cancellation import checkpoint
from analyses.encoding import Covariate, Factor
from analyses.firth import penalized_lr_p
from analyses.logistic import Fit, logit_loglik, lr_p_value, null_loglik
from analyses.model_choice import LOW_EPV_FOR_FIRTH, Choice, choose_and_fit
from analyses.model_fit import (
    auc_delong,
    bernoulli_loglik,
    hosmer_lemeshow,
    likelihood_summary,
    variance_inflation,
)


@dataclass(frozen=True)
class Multivariable:
    """The reported multivariable fit and everything derived from it."""

    rows: list[dict]
    choice: Choice | None
    stats: dict
    vif: pd.DataFrame
    column_owner: list[str]  # variable of each design column (intercept = "")
    aliased: list[str]  # "variable level" of columns dropped as redundant
    empty_levels: list[str]  # "variable level" with no complete case
    design: np.ndarray | None = None  # the fitted design (intercept first), complete cases
    outcome: np.ndarray | None = None  # their outcome, 0/1
    kept_columns: tuple[int, ...] = ()  # columns of build_design's matrix the fit used


def _independent_columns(X: np.ndarray) -> list[int]:
    """Greedy choice of columns that keep X'X full rank (aliased ones are left out, as R's NA)."""
    xtx = X.T @ X
    scale = np.sqrt(np.maximum(np.diag(xtx), 1e-300))
    corr = xtx / np.outer(scale, scale)
    keep: list[int] = []
    for j in range(X.shape[1]):
        trial = keep + [j]
        sub = corr[np.ix_(trial, trial)]
        if np.linalg.matrix_rank(sub, tol=1e-9) == len(trial):
            keep = trial
    return keep


def build_design(covs: list[Covariate], rows: np.ndarray):
    """Intercept + each covariate's columns on the complete cases, with the column owners."""
    blocks = [np.ones((int(rows.sum()), 1))]
    owner, label = [""], [""]
    for cov in covs:
        block = cov.design(rows)
        blocks.append(block)
        owner += [cov.name] * block.shape[1]
        label += list(cov.columns)
    return np.hstack(blocks), owner, label


def fit_multivariable(
    covs: list[Covariate], y_all: np.ndarray, method: str, inference: bool = True
) -> Multivariable:
    """Complete-case multivariable fit of the covariates in order.

    `inference=False` (a bootstrap refit, which needs only the estimates): Firth without
    profile CIs and likelihood-ratio tests, and no global p-values."""
    checkpoint()
    rows = ~np.isnan(y_all)
    for cov in covs:
        rows &= cov.present()
    y = y_all[rows]
    X_all, owner_all, label_all = build_design(covs, rows)
    nonempty = [j for j in range(X_all.shape[1]) if j == 0 or np.any(X_all[:, j] != 0)]
    empty = [f"{owner_all[j]} {label_all[j]}" for j in range(X_all.shape[1]) if j not in nonempty]
    keep = [nonempty[i] for i in _independent_columns(X_all[:, nonempty])]
    aliased = [f"{owner_all[j]} {label_all[j]}".strip() for j in nonempty if j not in keep]
    X = X_all[:, keep]
    owner = [owner_all[j] for j in keep]

    events = int(y.sum())
    n_params = X.shape[1] - 1
    epv = min(events, len(y) - events) / n_params if n_params else float("nan")
    known = _known_separated(covs, rows, y, keep)
    choice = None
    if len(y) > n_params + 1 and 0 < events < len(y):
        choice = choose_and_fit(
            X,
            y,
            method,
            known_separated=known,
            low_epv=bool(epv < LOW_EPV_FOR_FIRTH),
            inference=inference,
        )
    fit = choice.fit if choice is not None else None
    global_p = _global_p_values(covs, fit, X, y, owner) if inference else {}
    table = _rows(covs, rows, y, fit, keep, global_p)
    stats = _fit_statistics(fit, X, y, epv)
    vif = variance_inflation(X[:, 1:], _groups(covs, owner))
    return Multivariable(table, choice, stats, vif, owner, aliased, empty, X, y, tuple(keep))


def _known_separated(covs, rows, y, keep) -> tuple[int, ...]:
    """Design columns of factor levels with no events or only events among complete cases."""
    out, col = [], 1
    position = {j: i for i, j in enumerate(keep)}
    for cov in covs:
        if isinstance(cov, Factor):
            codes = cov.codes[rows]
            n = np.bincount(codes, minlength=len(cov.levels))
            ev = np.bincount(codes, weights=y, minlength=len(cov.levels))
            for level in range(len(cov.levels)):
                if n[level] and (ev[level] == 0 or ev[level] == n[level]):
                    out.append(col + level - 1 if level else 0)
        col += len(cov.columns)
    return tuple(sorted({position[c] for c in out if c in position}))


def _groups(covs, owner) -> list[tuple[str, list[int]]]:
    groups = []
    for cov in covs:
        cols = [j - 1 for j, o in enumerate(owner) if o == cov.name]
        if cols:
            groups.append((cov.name, cols))
    return groups


def _global_p_values(covs, fit: Fit | None, X, y, owner) -> dict[str, float]:
    """Per variable: LR p of dropping all its columns (only computed for multi-column factors)."""
    out: dict[str, float] = {}
    if fit is None:
        return out
    for cov in covs:
        cols = [j for j, o in enumerate(owner) if o == cov.name]
        if len(cols) == 1:
            out[cov.name] = float(fit.pvalues[cols[0]])
        elif len(cols) > 1:
            if fit.method == "firth":
                out[cov.name] = penalized_lr_p(fit, X, y, cols)
            else:
                rest = [j for j in range(X.shape[1]) if j not in set(cols)]
                reduced = logit_loglik(X[:, rest], y, start=fit.params[rest])
                out[cov.name] = lr_p_value(fit.loglik, reduced, len(cols))
    return out


def _rows(covs, rows, y, fit: Fit | None, keep, global_p) -> list[dict]:
    out, col = [], 1
    position = {j: i for i, j in enumerate(keep)}
    for cov in covs:
        gp = global_p.get(cov.name, float("nan"))
        if isinstance(cov, Factor):
            codes = cov.codes[rows]
            n = np.bincount(codes, minlength=len(cov.levels))
            ev = np.bincount(codes, weights=y, minlength=len(cov.levels)).round().astype(int)
            labels, design_cols = (
                list(cov.levels),
                [None] + [col + i for i in range(len(cov.columns))],
            )
        else:
            n, ev = [len(y)], [int(y.sum())]
            labels, design_cols = [""], [col]
        for i, label in enumerate(labels):
            is_ref = design_cols[i] is None
            est = 1.0 if is_ref else float("nan")
            lo = hi = p = float("nan")
            j = position.get(design_cols[i]) if not is_ref else None
            if fit is not None and j is not None:
                with np.errstate(over="ignore"):  # a separated standard fit gives OR = inf
                    est, lo, hi = (float(v) for v in np.exp([fit.params[j], *fit.ci[j]]))
                p = float(fit.pvalues[j])
            out.append(
                {
                    "variable": cov.name,
                    "level": label,
                    "is_reference": is_ref,
                    "n": int(n[i]),
                    "events": int(ev[i]),
                    "estimate": est,
                    "ci_low": lo,
                    "ci_high": hi,
                    "p_value": p,
                    "global_p": gp,
                }
            )
        col += len(cov.columns)
    return out


def _fit_statistics(fit: Fit | None, X, y, epv) -> dict:
    """Fit figures; for Firth they use the unpenalized likelihood at the Firth estimates."""
    events = int(y.sum())
    stats = {
        "n_used": int(len(y)),
        "events": events,
        "non_events": int(len(y) - events),
        "n_parameters": int(X.shape[1] - 1),
        "events_per_variable": float(epv),
    }
    nan = float("nan")
    keys = ("log_likelihood", "aic", "mcfadden_r2", "nagelkerke_r2", "auc", "auc_ci_low")
    stats.update(dict.fromkeys(keys + ("auc_ci_high", "hosmer_lemeshow_chi2"), nan))
    stats.update(hosmer_lemeshow_df=0, hosmer_lemeshow_p=nan)
    if fit is None:
        return stats
    loglik = bernoulli_loglik(y, fit.probabilities)
    stats["log_likelihood"] = loglik
    stats.update(likelihood_summary(loglik, null_loglik(y), len(y), X.shape[1]))
    stats["auc"], stats["auc_ci_low"], stats["auc_ci_high"] = auc_delong(y, fit.probabilities)
    chi2, df, p = hosmer_lemeshow(y, fit.probabilities)
    stats.update(hosmer_lemeshow_chi2=chi2, hosmer_lemeshow_df=df, hosmer_lemeshow_p=p)
    if fit.method == "firth":
        stats["penalized_log_likelihood"] = float(fit.loglik)
    return stats
