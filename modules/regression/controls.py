"""Choices for the Regression controls and the validated spec; pure functions of a Dataset."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import logic
from analyses.effect_scale import check_effect_scale
from analyses.errors import AnalysisError
from analyses.specs import EffectScale, RegressionSpec
from modules.shared import column_roles as roles
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

NO_EXPOSURE = ""
OUTCOME_PLACEHOLDER = "Choose the outcome"


@per_dataset
def outcome_choices(dataset: Dataset) -> dict[str, str]:
    """Continuous and count columns, which can be a linear or count outcome."""
    return {n: m.label for n, m in dataset.columns.items() if m.kind in NUMERIC_KINDS}


def default_outcome(dataset: Dataset) -> str | None:
    """A count column named like an outcome, else a continuous one named like an outcome
    (length of stay, score, level, visits, days, events...), else None: the select shows
    OUTCOME_PLACEHOLDER. Never an identifier or a site code ('inst' in R's lung data used to be
    the first count column), and never just the first number: a regression of whatever column
    comes first looks as finished as the right one."""
    choices = outcome_choices(dataset)
    named = [
        n
        for n in roles.scanned(choices)
        if roles.named(dataset, n, roles.REGRESSION_OUTCOME_WORDS)
        and not roles.is_code_column(dataset, n)
    ]
    counts = [n for n in named if dataset.meta(n).kind == "count"]
    return (counts or named or [None])[0]


@per_dataset
def exposure_choices(dataset: Dataset, outcome: str | None) -> dict[str, str]:
    """'No exposure' and the numeric columns other than the outcome."""
    out = {NO_EXPOSURE: "None (model counts, not rates)"}
    out.update({n: lab for n, lab in outcome_choices(dataset).items() if n != outcome})
    return out


def rates_possible(dataset: Dataset, outcome: str | None, model: str | None) -> bool:
    """An exposure (offset) belongs to count models: a chosen one, or 'auto' on a count."""
    if outcome is None or outcome not in dataset.columns or model == "linear":
        return False
    return model != "auto" or dataset.meta(outcome).kind == "count"


def resolved_model(dataset: Dataset, outcome: str, chosen: str) -> str:
    """'auto' becomes count models for a count column and linear regression otherwise."""
    if chosen != "auto":
        return chosen
    return "count" if dataset.meta(outcome).kind == "count" else "linear"


def regression_spec(
    dataset: Dataset,
    outcome: str,
    covariates: Iterable[str],
    *,
    model: str = "auto",
    exposure: str | None = None,
    screen_p: float | None = 0.20,
    force: Iterable[str] = (),
    reference: Mapping[str, str] | None = None,
    effect_scale: EffectScale = "unit",
) -> RegressionSpec:
    """Validate a request against the dataset's columns and build its hashable spec."""
    check_effect_scale(effect_scale)
    if outcome not in dataset.columns or dataset.meta(outcome).kind not in NUMERIC_KINDS:
        raise AnalysisError("Choose a continuous or count column as the outcome.")
    exposure = exposure or None
    if exposure is not None and exposure not in dataset.columns:
        raise AnalysisError(f"There is no column named '{exposure}' for the exposure.")
    candidates = [c for c in dict.fromkeys(covariates) if c not in (outcome, exposure)]
    unknown = [c for c in candidates if c not in dataset.columns]
    if unknown:
        raise AnalysisError(f"These covariates are not columns of the data: {', '.join(unknown)}.")
    allowed = set(logic.eligible_covariates(dataset, outcome))
    excluded = [c for c in candidates if c not in allowed]
    if excluded:
        raise AnalysisError(
            f"{', '.join(excluded)} cannot be covariates (ids, free text and dates cannot). "
            "Change the column type on the Data tab or leave them out."
        )
    if not candidates:
        raise AnalysisError("Pick at least one covariate (a numeric or categorical column).")
    family = resolved_model(dataset, outcome, model)
    if exposure is not None and family == "linear":
        raise AnalysisError(
            "An exposure (offset) is for count outcomes: choose a count model or no exposure."
        )
    categorical = tuple(c for c in candidates if dataset.meta(c).kind in FACTOR_KINDS)
    refs = tuple(sorted((str(k), str(v)) for k, v in (reference or {}).items() if k in categorical))
    return RegressionSpec(
        outcome=outcome,
        covariates=tuple(candidates),
        model=family,  # type: ignore[arg-type]
        exposure=exposure,
        screen_p=screen_p,
        force=tuple(c for c in dict.fromkeys(force) if c in candidates),
        categorical=categorical,
        reference=refs,
        effect_scale=effect_scale,
    )
