"""Template: the Outcome analysis (crude and adjusted odds ratios), copied into scripts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analyses.effect_scale import scale_table
from analyses.model_fit import (
    auc_delong,
    bernoulli_loglik,
    hosmer_lemeshow,
    likelihood_summary,
    variance_inflation,
)

from .coding import (
    Factor,
    Numeric,
    binary_outcome,
    column_groups,
    model_design,
    per_increment,
)
from .logistic import fit_logistic, intercept_only_loglik, variable_p

# --- SCRIPT ---


def outcome_covariates(df, outcome, y, covariates, categorical, reference):
    """Covariates in the order chosen; those empty or constant among the patients with a known
    outcome are left out, as MedStat does (it says so in a warning)."""
    known = ~np.isnan(y)
    kept = []
    for name in dict.fromkeys(covariates):
        if name == outcome:
            continue
        if name in categorical:
            cov = Factor(df[name], reference.get(name))
            n_values = len(np.unique(cov.codes[known & cov.present()]))
        else:
            cov = Numeric(df[name])
            values = cov.values[known & cov.present()]
            n_values = 0 if len(values) == 0 else (1 if np.ptp(values) == 0 else 2)
        if n_values >= 2:
            kept.append(cov)
    return kept


def decimals(scale):
    """One decimal for everyday clinical scales, more for small ones (0.35 -> 2)."""
    if not np.isfinite(scale) or scale <= 0:
        return 1
    return int(min(4, max(1, 1 - math.floor(math.log10(scale)))))


def formatted(value, digits):
    return "—" if not np.isfinite(value) else f"{value:.{digits}f}"


def group_summaries(x, y, summary):
    """'mean (SD)' or 'median [Q1–Q3]' of a number in the no-event and the event group."""
    groups = (x[y <= 0.5], x[y > 0.5])
    if summary == "median":
        quartiles = [
            np.percentile(g, [25, 50, 75]) if len(g) else np.full(3, np.nan) for g in groups
        ]
        spread = np.nanmax([q[2] - q[0] for q in quartiles] + [0.0])
        d = decimals(spread if spread > 0 else np.nanmax(np.abs(x)) / 10)
        return [
            f"{formatted(q[1], d)} [{formatted(q[0], d)}–{formatted(q[2], d)}]" for q in quartiles
        ]
    means = [g.mean() if len(g) else np.nan for g in groups]
    sds = [g.std(ddof=1) if len(g) > 1 else np.nan for g in groups]
    spread = np.nanmax(sds + [0.0])
    d = decimals(spread if spread > 0 else np.nanmax(np.abs(x)) / 10)
    return [f"{formatted(m, d)} ({formatted(s, d)})" for m, s in zip(means, sds, strict=True)]


def level_counts(codes, y, n_levels):
    """Per level: patients, events, and 'n (%)' in the no-event and in the event group."""
    n = np.bincount(codes, minlength=n_levels)
    events = np.bincount(codes, weights=y, minlength=n_levels).round().astype(np.int64)
    cells = []
    for counts in (n - events, events):
        total = counts.sum()
        pct = counts / total * 100 if total else np.full(n_levels, np.nan)
        cells.append([f"{c} ({formatted(p, 1)})" for c, p in zip(counts, pct, strict=True)])
    return n, events, cells[0], cells[1]


def odds_ratio_row(name, level, fit, column, per, n, events):
    """A row with the odds ratio exp(per x beta), its 95% CI and p (the reference: OR 1)."""
    row = {"variable": name, "level": level, "n": int(n), "events": int(events)}
    if column is None:
        return {
            **row,
            "is_reference": True,
            "estimate": 1.0,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "p_value": np.nan,
        }
    with np.errstate(over="ignore"):
        est, lo, hi = np.exp(per * np.array([fit.params[column], *fit.ci[column]]))
    return {
        **row,
        "is_reference": False,
        "estimate": est,
        "ci_low": lo,
        "ci_high": hi,
        "p_value": float(fit.pvalues[column]),
    }


def crude_odds_ratios(
    df,
    outcome,
    event,
    covariates,
    categorical=(),
    reference=None,
    estimators=None,
    summary="mean",
    effect_scale="unit",
):
    """Table: one logistic model per covariate (the patients with the outcome and that
    covariate), with each outcome group's summary of it."""
    y_all, event = binary_outcome(df[outcome], event)
    known = ~np.isnan(y_all)
    rows = []
    for cov in outcome_covariates(df, outcome, y_all, covariates, categorical, reference or {}):
        used = known & cov.present()
        y = y_all[used]
        X = np.column_stack([np.ones(len(y)), cov.design(used)])
        method = estimators[cov.name]
        fit = fit_logistic(X, y, method)
        if isinstance(cov, Factor):
            n, events, s0, s1 = level_counts(cov.codes[used], y, len(cov.levels))
            out = [
                odds_ratio_row(cov.name, level, fit, i if i else None, 1.0, n[i], events[i])
                | {"summary_no_event": s0[i], "summary_event": s1[i]}
                for i, level in enumerate(cov.levels)
            ]
            if len(cov.levels) > 2:
                whole = variable_p(fit, X, y, list(range(1, X.shape[1])))
            else:
                whole = out[1]["p_value"]
        else:
            s0, s1 = group_summaries(cov.values[used], y, summary)
            per = per_increment(cov, known, effect_scale)
            out = [
                odds_ratio_row(cov.name, "", fit, 1, per, len(y), y.sum())
                | {"summary_no_event": s0, "summary_event": s1}
            ]
            whole = out[0]["p_value"]
        rows += [r | {"global_p": whole, "method": method} for r in out]
    columns = [
        "variable",
        "level",
        "is_reference",
        "n",
        "events",
        "summary_no_event",
        "summary_event",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "global_p",
        "method",
    ]
    return pd.DataFrame(rows, columns=columns)


def screened(crude, screen_p, force=()):
    """The adjusted model's covariates: crude p (of the whole variable) below screen_p, or
    forced in; all when screen_p is None; the strongest one alone when none passes."""
    p_of = dict(zip(crude["variable"], crude["global_p"], strict=False))
    if screen_p is None:
        return list(p_of)
    chosen = [v for v, p in p_of.items() if v in force or (np.isfinite(p) and p < screen_p)]
    if chosen:
        return chosen
    ranked = sorted(p_of, key=lambda v: (not np.isfinite(p_of[v]), p_of[v]))
    print(f"No crude p below {screen_p}: the adjusted model holds only {ranked[0]!r}.")
    return ranked[:1]


class AdjustedModel:
    """The adjusted logistic model: its covariates, its complete cases, its design and fit."""

    def __init__(self, df, outcome, event, covariates, categorical, reference, method):
        self.y_all, self.event = binary_outcome(df[outcome], event)
        self.known = ~np.isnan(self.y_all)
        reference = reference or {}
        self.covs = outcome_covariates(df, outcome, self.y_all, covariates, categorical, reference)
        self.used = self.known.copy()
        for cov in self.covs:
            self.used &= cov.present()
        self.y = self.y_all[self.used]
        self.X, self.keep = model_design(self.covs, self.used)
        self.fit = None if method is None else fit_logistic(self.X, self.y, method)


def adjusted_odds_ratios(
    df,
    outcome,
    event,
    covariates,
    categorical=(),
    reference=None,
    method="logit",
    effect_scale="unit",
):
    """Table: one logistic model of all `covariates` (those MedStat's screening kept) on the
    patients with every value known (complete cases)."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, method)
    known, covs, used, y, X, fit = model.known, model.covs, model.used, model.y, model.X, model.fit
    position = {j: i for i, j in enumerate(model.keep)}  # design column -> fitted X's column
    rows, col = [], 1
    for cov in covs:
        mine = [position[j] for j in range(col, col + len(cov.columns)) if j in position]
        if len(mine) > 1:  # a factor of several levels: the p of the whole variable
            whole = variable_p(fit, X, y, mine)
        else:
            whole = float(fit.pvalues[mine[0]]) if mine else np.nan
        first = len(rows)
        if isinstance(cov, Factor):
            codes = cov.codes[used]
            n = np.bincount(codes, minlength=len(cov.levels))
            events = np.bincount(codes, weights=y, minlength=len(cov.levels)).round()
            for i, level in enumerate(cov.levels):
                j = None if i == 0 else position.get(col + i - 1)
                row = odds_ratio_row(cov.name, level, fit, j, 1.0, n[i], events[i])
                if i and j is None:  # a level dropped from the design: no estimate
                    row.update(is_reference=False, estimate=np.nan, p_value=np.nan)
                rows.append(row)
        else:
            per = per_increment(cov, known, effect_scale)
            rows.append(odds_ratio_row(cov.name, "", fit, position.get(col), per, len(y), y.sum()))
            if col not in position:  # dropped from the design: no estimate
                rows[-1].update(is_reference=False, estimate=np.nan, p_value=np.nan)
        for row in rows[first:]:
            row["global_p"] = whole
        col += len(cov.columns)
    columns = [
        "variable",
        "level",
        "is_reference",
        "n",
        "events",
        "estimate",
        "ci_low",
        "ci_high",
        "p_value",
        "global_p",
    ]
    return pd.DataFrame(rows, columns=columns)


def outcome_fit(
    df, outcome, event, covariates, categorical=(), reference=None, method="logit", **_
):
    """Table: the adjusted model's fit statistics in one row: patients and events, events per
    coefficient, the (unpenalized) log-likelihood, AIC, McFadden and Nagelkerke R², the
    C-statistic with its DeLong 95% CI, and the Hosmer-Lemeshow test over ten risk groups."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, method)
    y, X, fit = model.y, model.X, model.fit
    with np.errstate(over="ignore"):
        prob = 1.0 / (1.0 + np.exp(-(X @ fit.params)))
    events, k = int(y.sum()), X.shape[1] - 1
    loglik = bernoulli_loglik(y, prob)
    row = {
        "n_total": int(model.known.sum()),
        "n_used": len(y),
        "n_excluded": int(model.known.sum()) - len(y),
        "n_outcome_missing": int((~model.known).sum()),
        "events": events,
        "non_events": len(y) - events,
        "n_parameters": k,
        "events_per_variable": min(events, len(y) - events) / k if k else np.nan,
        "log_likelihood": loglik,
        **likelihood_summary(loglik, intercept_only_loglik(y), len(y), X.shape[1]),
    }
    row["auc"], row["auc_ci_low"], row["auc_ci_high"] = auc_delong(y, prob)
    chi2, hl_df, p = hosmer_lemeshow(y, prob)
    row.update(hosmer_lemeshow_chi2=chi2, hosmer_lemeshow_df=hl_df, hosmer_lemeshow_p=p)
    if fit.method == "firth":
        row["penalized_log_likelihood"] = fit.loglik
    return pd.DataFrame([row])


def outcome_vif(df, outcome, event, covariates, categorical=(), reference=None, **_):
    """Table: the generalized variance inflation factor of each covariate of the adjusted
    model (Fox & Monette; the classic VIF for one column), and GVIF^(1/df)."""
    model = AdjustedModel(df, outcome, event, covariates, categorical, reference, None)
    return variance_inflation(model.X[:, 1:], column_groups(model.covs, model.keep))


def outcome_scales(df, outcome, event, covariates, categorical=(), reference=None,
                   effect_scale="unit", **_):  # fmt: skip
    """Table: what each continuous covariate's odds ratios are per (a unit, 10 units, its SD or
    its IQR), with its SD and IQR among the patients whose outcome is known."""
    y, _ = binary_outcome(df[outcome], event)
    covs = outcome_covariates(df, outcome, y, covariates, categorical, reference or {})
    return scale_table(covs, ~np.isnan(y), effect_scale)[0]
