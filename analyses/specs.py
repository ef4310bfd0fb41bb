"""Frozen, hashable analysis specifications: what to compute, never how to show it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Method = Literal["auto", "logit", "firth"]


@dataclass(frozen=True)
class OutcomeSpec:
    """A logistic outcome analysis.

    `categorical` names the covariates to treat as factors (the others are numeric);
    `reference` holds (variable, reference level) pairs; `screen_p=None` puts every
    candidate into the multivariable model; `force` covariates always enter it.
    """

    outcome: str
    covariates: tuple[str, ...]
    event: str | None = None
    method: Method = "auto"
    screen_p: float | None = 0.20
    force: tuple[str, ...] = ()
    categorical: tuple[str, ...] = ()
    reference: tuple[tuple[str, str], ...] = ()
    continuous_summary: Literal["mean", "median"] = "mean"
