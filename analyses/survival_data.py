"""From the user's columns to follow-up times, event indicators, groups and covariates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.encoding import POSITIVE_LEVELS, Covariate, Factor, encode_factor, encode_numeric
from analyses.errors import AnalysisError
from analyses.specs import SurvivalSpec

# Values that read as "censored / alive"; the other of two levels is then the event.
CENSORED_LEVELS = frozenset({"0", "no", "n", "false", "alive", "censored", "censor", "living"})


def follow_up(df: pd.DataFrame, spec: SurvivalSpec) -> tuple[np.ndarray, str, list[str]]:
    """Follow-up time per row (NaN when unknown), where it came from, and warnings."""
    if spec.time is not None:
        time = encode_numeric(df[spec.time]).values
        source = "column"
    elif spec.start is not None and spec.end is not None:
        start = pd.to_datetime(df[spec.start], errors="coerce")
        end = pd.to_datetime(df[spec.end], errors="coerce")
        time = ((end - start).dt.total_seconds() / 86400.0).to_numpy(dtype=float, na_value=np.nan)
        source = "dates"
    else:
        raise AnalysisError(
            "Choose the follow-up time: a column with the time of each patient, or a start "
            "date and an end date (event or last follow-up)."
        )
    negative = int(np.sum(time < 0))
    if negative:
        what = (
            f"'{spec.time}' has" if spec.time is not None else "The end date is before the start in"
        )
        raise AnalysisError(
            f"{what} {negative} negative follow-up time{'s' if negative > 1 else ''}. "
            "Follow-up cannot be negative: correct those rows or choose other columns."
        )
    return time, source, []


def _default_event(levels: tuple[str, ...]) -> str:
    """The event level when none was chosen: 1 of 0/1, 2 of 1/2 (R's Surv), else by name."""
    lowered = [lv.lower() for lv in levels]
    if set(lowered) == {"1", "2"}:
        return levels[lowered.index("2")]
    positive = [lv for lv, low in zip(levels, lowered, strict=True) if low in POSITIVE_LEVELS]
    if positive:
        return positive[0]
    others = [lv for lv, low in zip(levels, lowered, strict=True) if low not in CENSORED_LEVELS]
    return others[-1] if others else levels[-1]


def event_indicator(series: pd.Series, level: str | None) -> tuple[np.ndarray, str, list[str]]:
    """1.0 event / 0.0 censored / NaN unknown, the event level, and warnings."""
    factor, _ = encode_factor(series, None)
    levels, name = factor.levels, series.name
    notes: list[str] = []
    if not levels:
        raise AnalysisError(f"The event column '{name}' is empty. Choose another column.")
    if level is not None:
        wanted = str(level).strip()
        matches = [lv for lv in levels if lv == wanted] or [
            lv for lv in levels if lv.lower() == wanted.lower()
        ]
        if not matches:
            shown = ", ".join(f"'{lv}'" for lv in levels[:10])
            raise AnalysisError(
                f"'{wanted}' does not occur in the event column '{name}'. Its values are: "
                f"{shown}. Pick the value that means the event happened."
            )
        chosen = matches[0]
    elif len(levels) == 1:
        raise AnalysisError(
            f"The event column '{name}' has only one value ('{levels[0]}'). Choose which value "
            "means the event happened, or a column with both events and censored patients."
        )
    else:
        chosen = _default_event(levels)
        notes.append(f"The event was taken to be {name} = '{chosen}'; change it if that is wrong.")
    if len(levels) > 2:
        others = ", ".join(f"'{lv}'" for lv in levels if lv != chosen)
        notes.append(
            f"The event column '{name}' has {len(levels)} values; patients with {others} were "
            f"treated as censored (no '{chosen}' event) at their last follow-up. If some of "
            "those are competing events, Kaplan–Meier overstates the risk of the event."
        )
    code = levels.index(chosen)
    event = np.where(factor.codes < 0, np.nan, (factor.codes == code).astype(float))
    return event, chosen, notes


def encode_group(df: pd.DataFrame, spec: SurvivalSpec) -> Factor | None:
    """The grouping factor, reference level first, or None."""
    if spec.group is None:
        return None
    factor, _ = encode_factor(df[spec.group], dict(spec.reference).get(spec.group))
    return factor


MAX_STRATA = 50


def encode_strata(df: pd.DataFrame, spec: SurvivalSpec) -> Factor | None:
    """One factor whose levels are the combinations of the strata columns (R's strata()).

    Level names read as R prints them ("sex=2, ecog=1"); a row missing any strata column has
    code -1. None when no strata were chosen.
    """
    if not spec.strata:
        return None
    names = list(dict.fromkeys(spec.strata))
    for name in names:
        if df[name].nunique() > MAX_STRATA:
            raise AnalysisError(
                f"'{name}' has {df[name].nunique()} values, more than {MAX_STRATA} strata: each "
                "would have too few patients for its own baseline hazard. Stratify by a "
                "categorical column, or group its values first (Data cleaning)."
            )
    factors = [encode_factor(df[name], None)[0] for name in names]
    combined = np.zeros(len(df), dtype=np.int64)
    missing = np.zeros(len(df), dtype=bool)
    for f in factors:
        combined = combined * max(1, len(f.levels)) + np.maximum(f.codes, 0)
        missing |= f.codes < 0
    present, codes = np.unique(combined[~missing], return_inverse=True)
    if len(present) > MAX_STRATA:
        raise AnalysisError(
            f"Stratifying by {', '.join(spec.strata)} makes {len(present)} strata, more than "
            f"{MAX_STRATA}: each would have too few patients for its own baseline hazard. "
            "Choose fewer or coarser strata variables."
        )
    names = []
    for value in present:
        parts, rest = [], int(value)
        for f in reversed(factors):
            base = max(1, len(f.levels))
            parts.append(f"{f.name}={f.levels[rest % base]}")
            rest //= base
        names.append(", ".join(reversed(parts)))
    out = np.full(len(df), -1, dtype=np.int64)
    out[~missing] = codes
    return Factor(", ".join(f.name for f in factors), out, tuple(names))


def encode_covariates(
    df: pd.DataFrame, spec: SurvivalSpec, usable: np.ndarray, group: Factor | None
) -> tuple[list[Covariate], list[str]]:
    """Cox covariates in order (group first); empty or constant ones left out and named.

    `usable`: the patients with follow-up; each covariate is judged on those who have it.
    """
    refs = dict(spec.reference)
    covs: list[Covariate] = []
    notes: list[str] = []
    if group is not None and len(np.unique(group.codes[usable & group.present()])) > 1:
        covs.append(group)
    elif group is not None:
        notes.append(f"Every patient is in the same group of '{group.name}': no comparison.")
    skip = {spec.time, spec.start, spec.end, spec.event, spec.group, *spec.strata}
    left_out = []
    for name in dict.fromkeys(spec.covariates):
        if name in skip:
            continue
        if name in spec.categorical:
            cov, msgs = encode_factor(df[name], refs.get(name))
            notes += msgs
            varies = len(np.unique(cov.codes[usable & cov.present()])) > 1
        else:
            cov = encode_numeric(df[name])
            values = cov.values[usable & cov.present()]
            varies = len(values) > 1 and np.ptp(values) > 0
        if varies:
            covs.append(cov)
        else:
            left_out.append(name)
    if left_out:
        notes.append(
            "Left out of the Cox models because they are empty or the same for every patient: "
            f"{', '.join(left_out)}."
        )
    return covs, notes


def check_columns(df: pd.DataFrame, spec: SurvivalSpec) -> None:
    """Every named column exists."""
    named = [spec.time, spec.start, spec.end, spec.event, spec.group, *spec.covariates]
    named += list(spec.strata)
    missing = [c for c in named if c is not None and c not in df.columns]
    if missing:
        raise AnalysisError(f"These columns are not in the data: {', '.join(missing)}.")
    clash = [c for c in spec.strata if c in (spec.group, spec.time, spec.event)]
    if clash:
        raise AnalysisError(
            f"'{clash[0]}' cannot be both a stratum and the group, time or event. A stratum "
            "gets its own baseline hazard and no hazard ratio: remove it from 'Stratify by' "
            "to estimate its hazard ratio."
        )
