"""Template: the Survival analysis (Kaplan-Meier curves, numbers at risk and medians, log-rank,
Cox with Efron ties, optionally stratified, and the proportional-hazards test).

The Kaplan-Meier, log-rank, Cox and cox.zph code itself is MedStat's (analyses/survival_km.py,
survival_cox.py, survival_efron.py, survival_zph.py), copied unchanged at the end of the
script."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.effect_scale import scale_table
from analyses.survival_cox import design, fit_model
from analyses.survival_km import (
    AT_RISK_COLUMNS,
    CURVE_COLUMNS,
    at_risk_rows,
    kaplan_meier,
    logrank,
    median_row,
    risk_times,
    survival_quantile,
)
from analyses.survival_zph import PH_COLUMNS, ph_test

from .coding import POSITIVE_LEVELS, Factor, Numeric, per_increment

# --- SCRIPT ---


CENSORED_LEVELS = {"0", "no", "n", "false", "alive", "censored", "censor", "living"}


def event_level_of(levels, level):
    """The value meaning "the event happened": the one chosen, else 2 of 1/2 (R's Surv), 1 of
    0/1 or another event-like word, else the one that is not a censoring word."""
    if level is not None:
        wanted = str(level).strip()
        same = [lv for lv in levels if lv == wanted]
        return (same or [lv for lv in levels if lv.lower() == wanted.lower()])[0]
    lowered = [lv.lower() for lv in levels]
    if set(lowered) == {"1", "2"}:
        return levels[lowered.index("2")]
    positive = [lv for lv, low in zip(levels, lowered, strict=True) if low in POSITIVE_LEVELS]
    if positive:
        return positive[0]
    others = [lv for lv, low in zip(levels, lowered, strict=True) if low not in CENSORED_LEVELS]
    return others[-1] if others else levels[-1]


class Strata:
    """The combinations of the strata columns as one factor (R's strata()): levels read as R
    prints them ("sex=2, ecog=1"), in the order of the columns' levels; -1 = a value missing."""

    def __init__(self, df, names):
        factors = [Factor(df[name]) for name in dict.fromkeys(names)]
        combined = np.zeros(len(df), dtype=np.int64)
        missing = np.zeros(len(df), dtype=bool)
        for f in factors:
            combined = combined * max(1, len(f.levels)) + np.maximum(f.codes, 0)
            missing |= f.codes < 0
        present, codes = np.unique(combined[~missing], return_inverse=True)
        self.levels = []
        for value in present:
            parts, rest = [], int(value)
            for f in reversed(factors):
                base = max(1, len(f.levels))
                parts.append(f"{f.name}={f.levels[rest % base]}")
                rest //= base
            self.levels.append(", ".join(reversed(parts)))
        self.codes = np.full(len(df), -1, dtype=np.int64)
        self.codes[~missing] = codes
        self.name = ", ".join(f.name for f in factors)

    def present(self):
        return self.codes >= 0


class SurvivalData:
    """Follow-up time, event (1) or censored (0), the group, the strata, the Cox covariates
    (group first)."""

    def __init__(self, df, event, time=None, start=None, end=None, event_level=None, group=None,
                 covariates=(), categorical=(), reference=None, conf_type="log",
                 effect_scale="unit", risk_times=(), strata=()):  # fmt: skip
        reference = reference or {}
        if time is not None:
            self.time = Numeric(df[time]).values
        else:  # days from the start date to the end date
            days = pd.to_datetime(df[end], errors="coerce") - pd.to_datetime(
                df[start], errors="coerce"
            )
            self.time = (days.dt.total_seconds() / 86400.0).to_numpy(dtype=float, na_value=np.nan)
        status = Factor(df[event])
        chosen = status.levels.index(event_level_of(status.levels, event_level))
        self.event = np.where(status.codes < 0, np.nan, (status.codes == chosen).astype(float))
        self.followed = ~np.isnan(self.time) & ~np.isnan(self.event)
        self.group = Factor(df[group], reference.get(group)) if group else None
        self.usable = self.followed & (self.group.present() if self.group else True)
        self.strata = Strata(df, strata) if strata else None
        if self.strata is not None:  # a patient without a stratum is in no model and no curve
            self.usable &= self.strata.present()
            self.followed &= self.strata.present()
        self.codes = None if self.strata is None else self.strata.codes
        self.conf_type, self.effect_scale, self.risk_times = conf_type, effect_scale, risk_times
        self.covariates = []
        if (
            self.group
            and len(np.unique(self.group.codes[self.followed & self.group.present()])) > 1
        ):
            self.covariates.append(self.group)
        for name in dict.fromkeys(covariates):
            if name in (time, start, end, event, group, *strata):
                continue
            cov = (
                Factor(df[name], reference.get(name)) if name in categorical else Numeric(df[name])
            )
            seen = self.followed & cov.present()
            if isinstance(cov, Factor):
                varies = len(np.unique(cov.codes[seen])) > 1
            else:
                varies = seen.sum() > 1 and np.ptp(cov.values[seen]) > 0
            if varies:
                self.covariates.append(cov)

    def curves(self):
        """(name, rows) of each Kaplan-Meier curve: all patients, each group, each stratum, or
        each group within each stratum ("group · stratum")."""
        if self.group is None:
            parts = [("All patients", self.usable)]
        else:
            parts = [
                (lv, self.usable & (self.group.codes == k))
                for k, lv in enumerate(self.group.levels)
            ]
        if self.strata is not None:
            parts = [
                (stratum if self.group is None else f"{name} · {stratum}",
                 rows & (self.strata.codes == j))
                for j, stratum in enumerate(self.strata.levels)
                for name, rows in parts
            ]  # fmt: skip
        return [(name, rows) for name, rows in parts if rows.any()]


def km_medians(data):
    """Table: n, events, median survival and its 95% CI per curve (as R's print.survfit)."""
    rows = [
        median_row(kaplan_meier(name, data.time[mask], data.event[mask], data.conf_type))
        for name, mask in data.curves()
    ]
    return pd.DataFrame(rows, columns=["group", "n", "events", "median", "ci_low", "ci_high"])


def km_curves(data):
    """Table: each curve at every distinct time: at risk, events, censored, survival, its
    standard error and pointwise band (as R's summary(survfit, censored=TRUE))."""
    parts = [
        kaplan_meier(name, data.time[mask], data.event[mask], data.conf_type).frame
        for name, mask in data.curves()
    ]
    return pd.concat(parts, ignore_index=True)[list(CURVE_COLUMNS)]


def at_risk_table(data):
    """Table: patients at risk and events so far at the times of the at-risk table."""
    at = risk_times(float(np.max(data.time[data.usable])), tuple(data.risk_times))
    rows = [
        r
        for name, mask in data.curves()
        for r in at_risk_rows(name, data.time[mask], data.event[mask], at)
    ]
    return pd.DataFrame(rows, columns=list(AT_RISK_COLUMNS))


def logrank_test(data):
    """Tables: observed and expected events per group (as R's survdiff), and the test; with
    strata, the groups' test within strata, or, without a group, the strata's own test."""
    by = data.group if data.group is not None else data.strata
    within = data.strata if data.group is not None else None
    present = [
        (k, name) for k, name in enumerate(by.levels) if np.any(data.usable & (by.codes == k))
    ]
    codes = np.full(len(data.time), -1)
    for j, (k, _) in enumerate(present):
        codes[by.codes == k] = j
    rows = data.usable & (codes >= 0)
    layers = None if within is None else within.codes[rows]
    names = tuple(name for _, name in present)
    table, test = logrank(data.time[rows], data.event[rows], codes[rows], names, layers)
    return table, pd.DataFrame([test])


def per_unit_to_scale(table, data):
    """Hazard ratios of continuous covariates per 10 units, SD or IQR: HR ** increment."""
    out = table.copy()
    for cov in data.covariates:
        if isinstance(cov, Numeric):
            k = per_increment(cov, data.followed, data.effect_scale)
            rows = (out["variable"] == cov.name) & ~out["is_reference"]
            out.loc[rows, ["estimate", "ci_low", "ci_high"]] **= k
    return out


def cox_crude(data):
    """Table: one Cox model (Efron ties) per covariate, on the patients who have it."""
    rows = []
    for cov in data.covariates:
        rows += fit_model([cov], data.followed, data.time, data.event, data.codes)[0]
    return per_unit_to_scale(
        pd.DataFrame(rows, columns=COX_COLUMNS).astype({"is_reference": bool}), data
    )


def cox_adjusted(data):
    """Table: one Cox model (Efron ties) of every covariate, on the complete cases."""
    rows = fit_model(data.covariates, data.followed, data.time, data.event, data.codes)[0]
    return per_unit_to_scale(
        pd.DataFrame(rows, columns=COX_COLUMNS).astype({"is_reference": bool}), data
    )


def ph_table(data):
    """Table: the proportional-hazards test of the adjusted model, per variable and global
    (R's cox.zph, transform "km"), within strata when stratified."""
    if not data.covariates:
        return pd.DataFrame(columns=list(PH_COLUMNS))
    _, fit, used, _ = fit_model(data.covariates, data.followed, data.time, data.event, data.codes)
    x, spans = design(data.covariates, used)
    names = [cov.name for cov in data.covariates]
    codes = None if data.codes is None else data.codes[used]
    rows = ph_test(data.time[used], data.event[used], x, fit.params, spans, names, codes)
    return pd.DataFrame(rows, columns=list(PH_COLUMNS))


COX_COLUMNS = ["variable", "level", "is_reference", "n", "events", "estimate", "ci_low",
               "ci_high", "p_value", "global_p"]  # fmt: skip


def survival_fit(data):
    """Table: the analysis in one row: patients used, events, the longest and the median
    follow-up (reverse Kaplan-Meier: censoring as the event), the strata, and the adjusted Cox
    model's patients, events, coefficients, partial log-likelihood (Efron) and LR test."""
    t, e = data.time[data.usable], data.event[data.usable]
    reverse = kaplan_meier("", t, 1 - e, "plain").frame
    steps = reverse["n_event"].to_numpy() > 0
    row = {
        "n_total": len(data.time),
        "n_used": int(data.usable.sum()),
        "n_excluded": len(data.time) - int(data.usable.sum()),
        "events": int(e.sum()),
        "max_time": float(np.max(t)),
        "median_follow_up": survival_quantile(
            reverse["time"].to_numpy()[steps], reverse["survival"].to_numpy()[steps]
        ),
    }
    if data.strata is not None:
        row["n_strata"] = len(np.unique(data.strata.codes[data.usable]))
    if data.covariates:
        _, _, _, fit = fit_model(data.covariates, data.followed, data.time, data.event, data.codes)
        row.update({f"cox_{key}": value for key, value in fit.items()})
        row["cox_events_per_parameter"] = fit["events"] / max(1, fit["n_parameters"])
    return pd.DataFrame([row])


def survival_scales(data):
    """Table: what each continuous covariate's hazard ratios are per (a unit, 10 units, its SD
    or its IQR), with its SD and IQR among the patients with a follow-up time and status."""
    return scale_table(data.covariates, data.followed, data.effect_scale)[0]
