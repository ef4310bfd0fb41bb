"""Template: the Survival analysis (Kaplan-Meier medians, log-rank, Cox with Efron ties).

The Kaplan-Meier, log-rank and Cox code itself is MedStat's (analyses/survival_km.py,
survival_cox.py, survival_efron.py), copied unchanged at the end of the script."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.survival_cox import fit_model
from analyses.survival_km import kaplan_meier, logrank, median_row

from .coding import POSITIVE_LEVELS, Factor, Numeric, per_increment

# --- SCRIPT ---


def checkpoint(*_):
    """Where MedStat checks its Cancel button during a fit; a script has nothing to check."""


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


class SurvivalData:
    """Follow-up time, event (1) or censored (0), the group, the Cox covariates (group first)."""

    def __init__(self, df, event, time=None, start=None, end=None, event_level=None, group=None,
                 covariates=(), categorical=(), reference=None, conf_type="log",
                 effect_scale="unit"):  # fmt: skip
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
        self.conf_type, self.effect_scale = conf_type, effect_scale
        self.covariates = []
        if (
            self.group
            and len(np.unique(self.group.codes[self.followed & self.group.present()])) > 1
        ):
            self.covariates.append(self.group)
        for name in dict.fromkeys(covariates):
            if name in (time, start, end, event, group):
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
        """(name, rows) of each Kaplan-Meier curve: all patients, or each group."""
        if self.group is None:
            return [("All patients", self.usable)]
        parts = [
            (lv, self.usable & (self.group.codes == k)) for k, lv in enumerate(self.group.levels)
        ]
        return [(name, rows) for name, rows in parts if rows.any()]


def km_medians(data):
    """Table: n, events, median survival and its 95% CI per curve (as R's print.survfit)."""
    rows = [
        median_row(kaplan_meier(name, data.time[mask], data.event[mask], data.conf_type))
        for name, mask in data.curves()
    ]
    return pd.DataFrame(rows, columns=["group", "n", "events", "median", "ci_low", "ci_high"])


def logrank_test(data):
    """Tables: observed and expected events per group (as R's survdiff), and the test."""
    parts = data.curves()
    rows = np.zeros(len(data.time), dtype=bool)
    codes = np.full(len(data.time), -1)
    for k, (_, mask) in enumerate(parts):
        rows |= mask
        codes[mask] = k
    names = tuple(name for name, _ in parts)
    table, test = logrank(data.time[rows], data.event[rows], codes[rows], names)
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
        rows += fit_model([cov], data.followed, data.time, data.event)[0]
    return per_unit_to_scale(
        pd.DataFrame(rows, columns=COX_COLUMNS).astype({"is_reference": bool}), data
    )


def cox_adjusted(data):
    """Table: one Cox model (Efron ties) of every covariate, on the complete cases."""
    rows = fit_model(data.covariates, data.followed, data.time, data.event)[0]
    return per_unit_to_scale(
        pd.DataFrame(rows, columns=COX_COLUMNS).astype({"is_reference": bool}), data
    )


COX_COLUMNS = ["variable", "level", "is_reference", "n", "events", "estimate", "ci_low",
               "ci_high", "p_value", "global_p"]  # fmt: skip
