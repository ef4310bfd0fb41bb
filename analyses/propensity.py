"""Propensity scores: the model, matching or weighting, balance, and the treatment effect.

analyses/propensity_data.py prepares the complete cases, propensity_model.py fits the score,
propensity_match.py matches (nearest neighbour on the logit, MatchIt's rules),
propensity_weights.py weights (IPTW), propensity_balance.py measures balance and
propensity_effect.py estimates the effect with sandwich SEs. References: tests/r/propensity.R.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analyses.cancellation import progress
from analyses.errors import AnalysisError
from analyses.fit_records import PropensityFit
from analyses.propensity_balance import IMBALANCE, balance_table
from analyses.propensity_data import outcome_values, prepare
from analyses.propensity_effect import effects
from analyses.propensity_match import ORDERS, match, matching_weights, treated_order
from analyses.propensity_model import fit_scores
from analyses.propensity_weights import iptw, kish_ess, outside_support, truncate
from analyses.results import PROPENSITY_EFFECT_COLUMNS, PropensityResult
from analyses.specs import PropensitySpec

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "1"
MAX_RATIO = 10


def _check(spec: PropensitySpec) -> None:
    if spec.method not in ("matching", "weighting"):
        raise AnalysisError("Choose matching or weighting.")
    if spec.estimand not in ("ATT", "ATE"):
        raise AnalysisError("Choose the effect in the treated (ATT) or in everyone (ATE).")
    if spec.method == "matching" and spec.estimand != "ATT":
        raise AnalysisError(
            "Matching controls to the treated estimates the effect in the treated (ATT). "
            "For the effect in everyone (ATE), choose weighting."
        )
    if not 1 <= spec.ratio <= MAX_RATIO:
        raise AnalysisError(f"Controls per treated patient must be 1 to {MAX_RATIO}.")
    if spec.caliper is not None and not spec.caliper > 0:
        raise AnalysisError("The caliper must be above 0 SDs of the logit (0.2 is usual).")
    if spec.order not in ORDERS:
        raise AnalysisError("Choose the matching order.")
    if spec.truncate is not None and not 0 < spec.truncate < 50:
        raise AnalysisError("Truncate at a percentile between 0 and 50 (1 or 5 are usual).")


def _match(spec, data, model, kept):
    treated = data.treated
    rows = np.flatnonzero((treated == 1) & kept)
    order = treated_order(model.score, rows, spec.order, spec.seed)
    available = np.where(kept, treated, 1.0)  # a discarded control is never offered
    width = spec.caliper * float(np.std(model.logit[kept], ddof=1)) if spec.caliper else np.inf
    matches = match(model.logit, available, data.exact, order, spec.ratio, spec.replace, width)
    weights, subclass = matching_weights(matches, len(treated), spec.replace)
    if not (weights[treated == 1] > 0).any():
        raise AnalysisError(
            "No treated patient found a control within the caliper"
            + (" and the exact-matching groups" if spec.exact else "")
            + ". Widen the caliper, match exactly on fewer variables, or use weighting."
        )
    return weights, subclass, width


def _follow_up(df: pd.DataFrame, spec: PropensitySpec, rows: np.ndarray) -> np.ndarray:
    if not spec.time or spec.time not in df.columns:
        raise AnalysisError("Choose the follow-up time for a hazard ratio.")
    time = pd.to_numeric(df[spec.time].iloc[rows], errors="coerce").to_numpy(dtype=float)
    if (time[~np.isnan(time)] < 0).any():
        raise AnalysisError(f"The follow-up time '{spec.time}' has negative values.")
    return time


def analyze(df: pd.DataFrame, spec: PropensitySpec) -> PropensityResult:
    """The propensity-score analysis the spec asks for (see the module docstring)."""
    _check(spec)
    progress("Preparing the data")
    data = prepare(df, spec)
    progress("Fitting the propensity model")
    model = fit_scores(data)
    warnings = list(model.warnings)
    treated = data.treated
    discarded = outside_support(model.score, treated) if spec.trim else np.zeros(len(treated), bool)
    kept = ~discarded
    if not ((treated == 1) & kept).any() or not ((treated == 0) & kept).any():
        raise AnalysisError("No patient is left in the common support of the scores.")
    sd_logit = float(np.std(model.logit[kept], ddof=1))
    width = math.nan
    if spec.method == "matching":
        weights, subclass, width = _match(spec, data, model, kept)
        clusters = None if spec.replace else subclass
    else:
        progress("Weighting")
        weights = iptw(model.score, treated, spec.estimand, spec.stabilise)
        if spec.truncate is not None:
            weights = truncate(weights, treated, spec.estimand, spec.truncate)
        weights = np.where(kept, weights, 0.0)
        subclass, clusters = np.full(len(treated), -1, dtype=np.int64), None
    progress("Balance")
    balance = balance_table(data.balance, data.balance_terms, treated, weights, data.binary,
                            spec.estimand)  # fmt: skip
    after = balance["smd_after"].abs()
    imbalanced = int((after > IMBALANCE).sum())
    if imbalanced:
        worst = balance.loc[after.idxmax()]
        name = worst["variable"] + (f" = {worst['level']}" if worst["level"] else "")
        warnings.append(
            f"Imbalance remains: {imbalanced} of {len(balance)} rows of the balance table have "
            f"|SMD| > {IMBALANCE} after {spec.method} (largest: {name}, "
            f"{worst['smd_after']:.2f}). Add covariates, their squares or interactions to the "
            + ("model, narrow the caliper," if spec.method == "matching" else "model,")
            + " or adjust the effect for the imbalanced covariates."
        )
    t, w = treated == 1, weights
    n_unmatched = int(((w == 0) & t & kept).sum()) if spec.method == "matching" else 0
    if n_unmatched:
        warnings.append(
            f"{n_unmatched} of {int((t & kept).sum())} treated patients found no control "
            "within the caliper and are left out: the effect is for the matched treated."
        )
    effect = pd.DataFrame(columns=list(PROPENSITY_EFFECT_COLUMNS))
    n_outcome_missing, event = 0, None
    if spec.outcome:
        if spec.outcome not in df.columns:
            raise AnalysisError(f"The outcome '{spec.outcome}' is not in the data.")
        if spec.outcome in spec.covariates or spec.outcome == spec.treatment:
            raise AnalysisError("The outcome cannot also be the treatment or a covariate.")
        progress("Treatment effect")
        y, event = outcome_values(df, spec, data.rows)
        follow_up = None
        if spec.outcome_type == "survival":
            follow_up = _follow_up(df, spec, data.rows)
            y = np.where(np.isnan(follow_up), np.nan, y)
        n_outcome_missing = int((np.isnan(y) & (w > 0)).sum())
        effect = effects(y, treated, w, clusters, spec.outcome_type, follow_up)
    scores = pd.DataFrame({
        "row": data.rows, "treated": treated.astype(int), "score": model.score,
        "logit": model.logit, "weight": weights, "subclass": subclass, "discarded": discarded,
    })  # fmt: skip
    summary = PropensityFit(
        method=spec.method, estimand=spec.estimand, treated_level=data.treated_level,
        control_level=data.control_level, n_rows=data.n_rows, n_complete=len(data.rows),
        n_missing=data.n_missing, n_treated=int(t.sum()), n_control=int((~t).sum()),
        n_discarded_treated=int((discarded & t).sum()),
        n_discarded_control=int((discarded & ~t).sum()),
        c_statistic=model.c_statistic, sd_logit=sd_logit,
        caliper=float(spec.caliper) if spec.method == "matching" and spec.caliper else math.nan,
        caliper_width=float(width) if math.isfinite(width) else math.nan,
        ratio=spec.ratio, replace=spec.replace, order=spec.order, seed=spec.seed,
        exact=tuple(spec.exact), n_matched_treated=int((t & (w > 0)).sum()),
        n_matched_control=int((~t & (w > 0)).sum()), n_unmatched_treated=n_unmatched,
        ess_treated=kish_ess(w[t]), ess_control=kish_ess(w[~t]),
        stabilised=spec.method == "weighting" and spec.estimand == "ATE" and spec.stabilise,
        truncate=float(spec.truncate) if spec.truncate is not None else math.nan,
        weight_min=float(w[w > 0].min()), weight_max=float(w.max()),
        sd_denominator="treated" if spec.estimand == "ATT" else "pooled",
        max_abs_smd_after=float(after.max()), n_imbalanced=imbalanced,
        outcome=spec.outcome, outcome_type=spec.outcome_type if spec.outcome else "",
        event_level=event, n_outcome_missing=n_outcome_missing,
        se_method=str(effect["method"].iloc[0]) if len(effect) else "",
    )  # fmt: skip
    return PropensityResult(model.table, scores, balance, effect, summary, tuple(warnings))
