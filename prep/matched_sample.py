"""The matched (or weighted) sample of a propensity-score analysis as a cleaning step.

The step keeps the patients in the sample and adds their weight and, for matched sets, their
set's number, so every other tab (Table 1, outcome, survival...) analyses the matched sample,
and undo gives the whole data back. It holds the rows by position in the data it was made on,
whose fingerprint it keeps: on any other data (an earlier step changed, a kind edited) it
does not apply and says why, rather than keeping the wrong patients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep.values import derived
from utils.data_error import DataError
from utils.dataset import Dataset

WEIGHT = "ps_weight"
SET = "ps_matched_set"


@dataclass(frozen=True)
class MatchedSample:
    """Keep `rows` (0-based positions) of the data with fingerprint `made_on`, adding their
    `weights` and, for matching without replacement, `sets` (1-based matched set numbers)."""

    made_on: str
    rows: tuple[int, ...]
    weights: tuple[float, ...]
    sets: tuple[int, ...] = ()
    method: str = "matching"  # or "weighting"
    treatment: str = ""

    def _name(self, dataset: Dataset, base: str) -> str:
        name, i = base, 2
        while name in dataset.columns:
            name, i = f"{base}_{i}", i + 1
        return name

    def apply(self, dataset: Dataset) -> Dataset:
        if dataset.fingerprint != self.made_on:
            raise DataError(
                "the data changed since the propensity scores were run (an earlier step or a "
                "column's kind); run them again and press 'Use the matched sample' anew"
            )
        rows = np.asarray(self.rows, dtype=np.int64)
        if len(rows) and (rows.min() < 0 or rows.max() >= len(dataset.df)):
            raise DataError("the sample names rows that are not in the data")
        df = dataset.df.iloc[rows].reset_index(drop=True)
        updates = {self._name(dataset, WEIGHT): pd.Series(self.weights, dtype=float)}
        kinds: dict = {next(iter(updates)): "continuous"}
        labels = {next(iter(updates)): "Propensity-score weight"}
        if self.sets:
            name = self._name(dataset, SET)
            updates[name] = pd.Series(self.sets, dtype="int64")
            kinds[name], labels[name] = "id", "Matched set"
        note = f"{self.describe()}: {len(rows)} of {len(dataset.df)} rows kept."
        return derived(dataset, self, updates, kinds=kinds, labels=labels, df=df, notes=(note,))

    def describe(self) -> str:
        what = "Matched sample" if self.method == "matching" else "Weighted sample"
        return f"{what} of the propensity scores ({len(self.rows)} rows, with their weights)"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.treatment, "not in the sample", self.describe(), "propensity sample")]

    def as_json(self) -> dict:
        return {"step": "propensity sample", "method": self.method, "rows": len(self.rows)}


def sample_step(fingerprint: str, scores: pd.DataFrame, method: str, treatment: str):
    """The step for a PropensityResult's scores table (rows with a weight above 0)."""
    kept = scores[scores["weight"] > 0]
    sets = ()
    if method == "matching" and (kept["subclass"] >= 0).all():
        sets = tuple(int(s) + 1 for s in kept["subclass"])
    return MatchedSample(
        made_on=fingerprint,
        rows=tuple(int(r) for r in kept["row"]),
        weights=tuple(float(w) for w in kept["weight"]),
        sets=sets,
        method=method,
        treatment=treatment,
    )
