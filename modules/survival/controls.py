"""Choices, defaults and the spec of the Survival tab: pure functions of a Dataset."""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyses.effect_scale import check_effect_scale
from analyses.errors import AnalysisError
from analyses.specs import EffectScale, SurvivalSpec
from modules.outcome.controls import POSITIVE_LEVELS
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

TIME_MODES = {"column": "A follow-up time column", "dates": "Start and end dates (days)"}
BANDS = {
    "log": "log (R's default)",
    "log-log": "log-log (complementary log-log)",
    "plain": "plain (linear)",
}
NO_GROUP = ""
TIME_WORDS = re.compile(r"time|day|week|month|year|follow|surv|\bos\b|pfs|dfs|duration", re.I)
EVENT_WORDS = re.compile(r"status|event|death|dead|died|censor|relapse|recurr|progress", re.I)
START_WORDS = re.compile(r"start|admission|diagnos|entry|baseline|surgery|random|enrol", re.I)


def time_choices(dataset: Dataset) -> dict[str, str]:
    """Numeric columns that can hold follow-up time."""
    return {n: dataset.label(n) for n, m in dataset.columns.items() if m.kind in NUMERIC_KINDS}


def date_choices(dataset: Dataset) -> dict[str, str]:
    return {n: dataset.label(n) for n, m in dataset.columns.items() if m.kind == "date"}


def event_choices(dataset: Dataset, exclude: Iterable[str | None] = ()) -> dict[str, str]:
    """Columns that can say whether the event happened: binary or categorical."""
    skip = set(exclude)
    return {
        n: dataset.label(n)
        for n, m in dataset.columns.items()
        if m.kind in FACTOR_KINDS and len(m.levels) >= 2 and n not in skip
    }


def group_choices(dataset: Dataset, exclude: Iterable[str | None] = ()) -> dict[str, str]:
    """No group, or any factor column other than the event."""
    return {NO_GROUP: "None (one curve)", **event_choices(dataset, exclude)}


def covariate_choices(dataset: Dataset, exclude: Iterable[str | None]) -> dict[str, str]:
    """Factors and numbers other than the time, event and group columns."""
    skip = set(exclude)
    return {
        n: dataset.label(n)
        for n, m in dataset.columns.items()
        if (m.kind in FACTOR_KINDS or m.kind in NUMERIC_KINDS) and n not in skip
    }


def by_name(choices: dict[str, str], pattern: re.Pattern, previous: str | None = None) -> str:
    """The previous choice if still offered, else a column whose name matches, else the first."""
    if previous in choices:
        return previous  # type: ignore[return-value]
    named = [n for n, label in choices.items() if pattern.search(n) or pattern.search(label)]
    return (named or list(choices) or [""])[0]


def default_event_level(levels: tuple[str, ...] | list[str]) -> str | None:
    """2 of a 1/2 status (R's Surv convention), else a yes-like level, else the last."""
    if not levels:
        return None
    if sorted(str(lv).strip() for lv in levels) == ["1", "2"]:
        return next(lv for lv in levels if str(lv).strip() == "2")
    for level in levels:
        if str(level).strip().lower() in POSITIVE_LEVELS:
            return level
    return levels[-1]


def build_spec(
    dataset: Dataset,
    *,
    mode: str,
    time: str | None,
    start: str | None,
    end: str | None,
    event: str | None,
    event_level: str | None,
    group: str | None,
    covariates: Iterable[str],
    conf_type: str,
    effect_scale: EffectScale = "unit",
) -> SurvivalSpec:
    """Check the choices against the data and build the hashable spec."""
    check_effect_scale(effect_scale)
    if not event or event not in dataset.columns:
        raise AnalysisError("Choose the event column (a yes/no or status column).")
    if mode == "dates":
        if not (start in dataset.columns and end in dataset.columns):
            raise AnalysisError("Choose both the start date and the end date columns.")
        if start == end:
            raise AnalysisError("The start and end dates must be two different columns.")
        time = None
    else:
        if not time or time not in dataset.columns:
            raise AnalysisError("Choose the follow-up time column.")
        start = end = None
    levels = dataset.meta(event).levels
    if event_level not in levels:
        event_level = default_event_level(levels)
    group = group if group and group in dataset.columns and group != event else None
    chosen = [c for c in dict.fromkeys(covariates) if c in dataset.columns]
    chosen = [c for c in chosen if c not in (time, start, end, event, group)]
    factors = tuple(c for c in chosen if dataset.meta(c).kind in FACTOR_KINDS)
    return SurvivalSpec(
        event=event,
        time=time,
        start=start,
        end=end,
        event_level=event_level,
        group=group,
        covariates=tuple(chosen),
        categorical=factors + ((group,) if group else ()),
        conf_type=conf_type if conf_type in BANDS else "log",  # type: ignore[arg-type]
        effect_scale=effect_scale,
    )
