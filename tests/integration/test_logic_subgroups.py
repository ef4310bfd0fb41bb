"""Subgroups, interactions and strata through logic.run: cached by spec, cancellable while
the subgroup models run, with progress naming the subgroup and level."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import logic
from analyses.specs import SurvivalSpec
from analyses.survival import VERSION
from utils import data_io
from utils.cache import make_key

LUNG = Path(__file__).resolve().parents[1] / "data" / "lung.csv"


@pytest.fixture(scope="module")
def dataset():
    frame = pd.read_csv(LUNG, na_values=".")[["time", "status", "age", "sex", "ph.karno"]]
    return data_io.dataset_from_frame(frame, name="lung_subgroups_integration")


SPEC = SurvivalSpec(
    event="status", event_level="2", time="time", covariates=("age", "ph.karno"),
    subgroup_exposure="age", subgroups=("sex",), interactions=(("age", "sex"),),
)  # fmt: skip


def lookups() -> tuple[float, float]:
    cache = logic.stats()["cache"]
    return cache["hits"], cache["misses"]


def test_a_repeat_is_a_hit_and_other_subgroups_or_strata_are_misses(dataset):
    hits0, misses0 = lookups()
    first = logic.run("survival", dataset, SPEC)
    assert logic.run("survival", dataset, SPEC) is first
    assert lookups() == (hits0 + 1, misses0 + 1)
    assert set(first.subgroups["subgroup"]) == {"All patients", "sex"}
    logic.run("survival", dataset, replace(SPEC, interactions=()))
    logic.run("survival", dataset, replace(SPEC, strata=("sex",), subgroups=(), interactions=()))
    assert lookups() == (hits0 + 1, misses0 + 3)


class CancelInSubgroups(logic.CancelToken):
    """Cancels itself at the first checkpoint after the work says it is in a subgroup."""

    def __init__(self) -> None:
        super().__init__()
        self.said: list[str] = []

    def check(self) -> None:
        if self.progress and (not self.said or self.said[-1] != self.progress):
            self.said.append(self.progress)
        if self.progress.startswith("Subgroup sex"):
            self.cancel()
        super().check()


def test_cancel_during_the_subgroup_models_caches_nothing(dataset):
    spec = replace(SPEC, covariates=("ph.karno", "age"))  # a request of its own
    token = CancelInSubgroups()
    with pytest.raises(logic.Cancelled):
        logic.run("survival", dataset, spec, cancel=token)
    assert "Subgroup sex: level 1 of 2" in token.said
    assert make_key("survival", VERSION, dataset.fingerprint, spec) not in logic.cache
