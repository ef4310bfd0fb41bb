"""Choices, defaults and the spec of the Propensity scores tab: pure functions of a Dataset."""

from __future__ import annotations

from collections.abc import Iterable

import logic
from analyses.errors import AnalysisError
from analyses.specs import PropensitySpec
from modules.shared import column_roles as roles
from modules.shared.per_dataset import per_dataset
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

METHODS = {
    "matching": "Matching (nearest neighbour on the logit of the score)",
    "weighting": "Weighting (inverse probability of treatment, IPTW)",
}
ESTIMANDS = {"ATT": "In the treated (ATT)", "ATE": "In everyone (ATE)"}
ORDERS = {
    "largest": "Largest score first (MatchIt's default)",
    "smallest": "Smallest score first",
    "data": "Data order",
    "random": "Random order (seed below)",
}


@per_dataset
def treatment_choices(dataset: Dataset) -> dict[str, str]:
    """Columns with exactly two values: the treatment compared with its control."""
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if m.kind in FACTOR_KINDS and len(m.levels) == 2
    }


@per_dataset
def covariate_choices(dataset: Dataset, treatment: str | None, outcome: str | None):
    """Factors and numbers that are not the treatment, the outcome, ids or site codes."""
    names = [c for c in logic.eligible_covariates(dataset, treatment or "") if c != outcome]
    # Identifiers and site codes are looked for among the first SCAN_COLUMNS only, as every
    # tab's defaults are: reading all 16,000 columns of a wide file on each change held the
    # event loop (tests/hostile/test_wide_csv.py).
    head = roles.scanned(names)
    codes = set(head) - set(roles.without_codes(dataset, head))
    return {c: dataset.label(c) for c in names if c not in codes}


@per_dataset
def outcome_choices(dataset: Dataset, treatment: str | None) -> dict[str, str]:
    """Two-valued columns (odds ratio, risk difference) and numbers (mean difference)."""
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if n != treatment
        and ((m.kind in FACTOR_KINDS and len(m.levels) == 2) or m.kind in NUMERIC_KINDS)
    }


def outcome_type(dataset: Dataset, outcome: str | None, time: str | None = None) -> str:
    """The outcome's kind: "survival" for two values and a follow-up time, "binary" for two
    values without one, else "continuous"."""
    if outcome and outcome in dataset.columns and dataset.meta(outcome).kind in FACTOR_KINDS:
        return "survival" if time and time in time_choices(dataset, outcome) else "binary"
    return "continuous"


@per_dataset
def time_choices(dataset: Dataset, outcome: str | None) -> dict[str, str]:
    """Numbers that can be the follow-up time of the outcome (as its event)."""
    return {n: m.label for n, m in dataset.columns.items()
            if m.kind in NUMERIC_KINDS and n != outcome}  # fmt: skip


def _whole(value: object, low: int, high: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise AnalysisError(f"{what} must be a whole number from {low} to {high}.")
    if not low <= int(value) <= high:
        raise AnalysisError(f"{what} must be a whole number from {low} to {high}.")
    return int(value)


def propensity_spec(
    dataset: Dataset,
    treatment: str | None,
    treated: str | None,
    covariates: Iterable[str] | None,
    method: str,
    estimand: str,
    ratio: object,
    replace: bool,
    caliper: object,
    order: str,
    seed: object,
    exact: Iterable[str] | None,
    stabilise: bool,
    truncate: object,
    trim: bool,
    outcome: str | None,
    event: str | None,
    time: str | None = None,
) -> PropensitySpec:
    """Validate the controls against the dataset and build the hashable spec."""
    if not treatment or treatment not in treatment_choices(dataset):
        raise AnalysisError("Choose the treatment: a column with two values (treated, control).")
    allowed = covariate_choices(dataset, treatment, outcome)
    chosen = tuple(c for c in dict.fromkeys(covariates or ()) if c in allowed)
    if not chosen:
        raise AnalysisError("Choose the covariates of the propensity model.")
    if method not in METHODS:
        raise AnalysisError("Choose matching or weighting.")
    estimand = "ATT" if method == "matching" else estimand
    if estimand not in ESTIMANDS:
        raise AnalysisError("Choose the effect in the treated (ATT) or in everyone (ATE).")
    if caliper is not None and (isinstance(caliper, bool) or not isinstance(caliper, (int, float))
                                or not caliper > 0):  # fmt: skip
        raise AnalysisError("The caliper must be above 0 SDs of the logit (0.2 is usual), or "
                            "empty for none.")  # fmt: skip
    if truncate is not None and (not isinstance(truncate, (int, float)) or not 0 < truncate < 50):
        raise AnalysisError("Truncate at a percentile above 0 and below 50 (1 or 5 are usual), "
                            "or leave it empty.")  # fmt: skip
    categorical = tuple(c for c in chosen if dataset.meta(c).kind in FACTOR_KINDS)
    outcome = outcome if outcome in outcome_choices(dataset, treatment) else None
    if outcome in chosen:
        raise AnalysisError("The outcome cannot also be a covariate of the propensity model.")
    kind = outcome_type(dataset, outcome, time)
    if kind == "survival" and time in chosen:
        raise AnalysisError("The follow-up time cannot also be a covariate of the model.")
    return PropensitySpec(
        treatment=treatment, covariates=chosen, categorical=categorical,
        treated=treated if treated in dataset.meta(treatment).levels else None,
        method=method,  # type: ignore[arg-type]
        estimand=estimand,  # type: ignore[arg-type]
        ratio=_whole(ratio, 1, 10, "Controls per treated patient") if method == "matching" else 1,
        replace=bool(replace) and method == "matching",
        caliper=float(caliper) if caliper is not None and method == "matching" else None,
        order=order if order in ORDERS else "largest",  # type: ignore[arg-type]
        seed=_whole(seed, 0, 2**31 - 1, "The seed") if order == "random" else 12345,
        exact=tuple(c for c in exact or () if c in allowed) if method == "matching" else (),
        stabilise=bool(stabilise), trim=bool(trim),
        truncate=float(truncate) if truncate is not None and method == "weighting" else None,
        outcome=outcome, outcome_type=kind,  # type: ignore[arg-type]
        event=event if outcome and kind != "continuous" else None,
        time=time if kind == "survival" else None,
    )  # fmt: skip
