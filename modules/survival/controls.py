"""Choices, defaults and the spec of the Survival tab: pure functions of a Dataset."""

from __future__ import annotations

import re
from collections.abc import Iterable

from analyses.effect_scale import check_effect_scale
from analyses.encoding import POSITIVE_LEVELS
from analyses.errors import AnalysisError
from analyses.specs import EffectScale, SurvivalSpec
from modules.shared import column_roles as roles
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

TIME_MODES = {"column": "A follow-up time column", "dates": "Start and end dates (days)"}
BANDS = {
    "log": "log (R's default)",
    "log-log": "log-log (complementary log-log)",
    "plain": "plain (linear)",
}
NO_GROUP = ""
TIME_PLACEHOLDER = "Choose the follow-up time column"
EVENT_PLACEHOLDER = "Choose the event column"
# Shown beside the event value when the event column is named like censoring.
CENSOR_NOTE = (
    "Check: in some files 1 means censored, in others the event (R's GBSG2 'cens' is 1 for a "
    "recurrence). R's convention is preselected: 1 = event for 0/1, 2 = event for 1/2."
)
CENSOR_YES_NO_NOTE = (
    "Check: a column named like censoring usually says 'yes' for a censored patient, so 'no' "
    "is preselected as the event; in some files it is the other way round."
)
_YES_NO = ({"no", "yes"}, {"n", "y"}, {"false", "true"})
START_WORDS = re.compile(r"start|admission|diagnos|entry|baseline|surgery|random|enrol", re.I)


@per_dataset
def time_choices(dataset: Dataset) -> dict[str, str]:
    """Numeric columns that can hold follow-up time."""
    return {n: m.label for n, m in dataset.columns.items() if m.kind in NUMERIC_KINDS}


@per_dataset
def date_choices(dataset: Dataset) -> dict[str, str]:
    return {n: m.label for n, m in dataset.columns.items() if m.kind == "date"}


@per_dataset
def event_choices(dataset: Dataset, exclude: Iterable[str | None] = ()) -> dict[str, str]:
    """Columns that can say whether the event happened: binary or categorical."""
    skip = set(exclude)
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if m.kind in FACTOR_KINDS and len(m.levels) >= 2 and n not in skip
    }


def group_choices(dataset: Dataset, exclude: Iterable[str | None] = ()) -> dict[str, str]:
    """No group, or any factor column other than the event."""
    return {NO_GROUP: "None (one curve)", **event_choices(dataset, exclude)}


STRATA_LABEL = "Stratify by (own baseline hazard per level)"
STRATA_NOTE = (
    "For a variable that breaks proportional hazards (the PH check) and is not the exposure: "
    "the Cox models get a baseline hazard per stratum, and no hazard ratio for it; the "
    "curves are drawn per stratum."
)


def strata_note(settings, value) -> str | None:
    """What stratifying does, once strata are chosen."""
    return STRATA_NOTE if value else None


@per_dataset
def strata_choices(dataset: Dataset, exclude: Iterable[str | None]) -> dict[str, str]:
    """Categorical columns other than the time, event and group columns."""
    skip = set(exclude)
    return {n: m.label for n, m in dataset.columns.items()
            if m.kind in FACTOR_KINDS and n not in skip}  # fmt: skip


@per_dataset
def covariate_choices(dataset: Dataset, exclude: Iterable[str | None]) -> dict[str, str]:
    """Factors and numbers other than the time, event and group columns."""
    skip = set(exclude)
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if (m.kind in FACTOR_KINDS or m.kind in NUMERIC_KINDS) and n not in skip
    }


def by_name(
    choices: dict[str, str], pattern: re.Pattern, previous: str | None = None
) -> str | None:
    """The previous choice if still offered, else the first column whose name or label
    matches, else None."""
    if previous in choices:
        return previous  # type: ignore[return-value]
    named = [n for n, label in choices.items() if pattern.search(n) or pattern.search(label)]
    return (named or [None])[0]


def default_time(dataset: Dataset, previous: str | None = None) -> str | None:
    """The previous choice if still offered, else the numeric column named most surely like a
    follow-up time (roles.time_rank: 'time', 'futime', 'OS.time', then a unit such as 'week'),
    never an identifier or site code; else None (the select shows TIME_PLACEHOLDER): a guessed
    time column gives a wrong curve that looks right."""
    choices = time_choices(dataset)
    if previous in choices:
        return previous  # type: ignore[return-value]
    rank = {n: roles.time_rank(dataset, n) for n in roles.scanned(choices)}
    named = [n for n in rank if rank[n] and not roles.is_code_column(dataset, n)]
    return max(named, key=rank.__getitem__, default=None)  # the first of the best


def default_event(dataset: Dataset, previous: str | None = None) -> str | None:
    """The previous choice if still offered, else a column named like an event (status, event,
    death, died, fustat, censor, cens, vital, relapse, recurrence, progression... in its name or
    label), a yes/no one first and a result before a trait ('vital_status' before
    'smoking_status', 'death' before 'heart_failure'); else None (EVENT_PLACEHOLDER). Never
    simply the first yes/no column: in R's lung data that is 'sex', and a survival curve of
    sex 'events' looks like any other."""
    choices = event_choices(dataset)
    if previous in choices:
        return previous  # type: ignore[return-value]
    named = [n for n in roles.scanned(choices) if roles.is_event_named(dataset, n)]
    named = [n for n in named if not roles.is_code_column(dataset, n)]

    def rank(name: str) -> tuple[bool, bool]:  # yes/no first, then a result ('vital_status')
        binary = dataset.meta(name).kind == "binary"  # before a trait ('smoking_status')
        return (binary, roles.is_outcome_like(dataset, name))

    return max(named, key=rank, default=None)  # the first of the best


def censor_note(dataset: Dataset, event: str | None) -> str | None:
    """A line to check the event value when the event column is named like censoring (what
    default_event_level preselected and why), else None."""
    if not (event and event in dataset.columns and roles.is_censor_named(dataset, event)):
        return None
    levels = {str(lv).strip().lower() for lv in dataset.meta(event).levels}
    return CENSOR_YES_NO_NOTE if levels in _YES_NO else CENSOR_NOTE


def default_event_level(levels: tuple[str, ...] | list[str], censoring: bool = False) -> str | None:
    """2 of a 1/2 status and 1 of 0/1 (R's Surv convention), else a yes-like level, else the
    last. For a column named like censoring ('censored': yes/no) the 'no' of a yes/no pair is
    the event; numbers keep R's convention whatever the name (GBSG2's 'cens' is 1 = event), and
    the page shows CENSOR_NOTE so the user checks."""
    if not levels:
        return None
    if sorted(str(lv).strip() for lv in levels) == ["1", "2"]:
        return next(lv for lv in levels if str(lv).strip() == "2")
    lowered = {str(lv).strip().lower(): lv for lv in levels}
    if censoring and set(lowered) in _YES_NO:
        return next(lv for key, lv in lowered.items() if key in ("no", "n", "false"))
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
    strata: Iterable[str] = (),
) -> SurvivalSpec:
    """Check the choices against the data and build the hashable spec."""
    check_effect_scale(effect_scale)
    if not event or event not in dataset.columns:
        raise AnalysisError(
            "Choose the event column: the yes/no or status column that says whether the "
            "event (death, relapse...) happened."
        )
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
        event_level = default_event_level(levels, roles.is_censor_named(dataset, event))
    group = group if group and group in dataset.columns and group != event else None
    chosen = [c for c in dict.fromkeys(covariates) if c in dataset.columns]
    layers = tuple(c for c in dict.fromkeys(strata) if c in dataset.columns)
    layers = tuple(c for c in layers if c not in (time, start, end, event, group))
    chosen = [c for c in chosen if c not in (time, start, end, event, group, *layers)]
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
        strata=layers,
    )
