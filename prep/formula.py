"""A new numeric column computed from others with a formula: BMI = weight / (height/100)^2.

The formula is checked and computed by prep/expressions.py (never Python's eval). Columns it
reads must hold numbers or dates (dates count in days). Rows where a column it reads is missing
get a missing value; so do rows where the result is not a number, and the notes say how many
and why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from prep import expressions
from prep.values import check_new_name, derived, numbers
from utils.column_kinds import infer_kind
from utils.data_error import DataError
from utils.dataset import NUMERIC_KINDS, Dataset


@dataclass(frozen=True)
class FormulaStep:
    """name = formula (checked text) over the columns it names."""

    name: str
    formula: str
    label: str = ""

    def apply(self, dataset: Dataset) -> Dataset:
        used = expressions.check(self.formula, dataset.columns).columns
        absent = np.zeros(len(dataset.df), bool)
        for column in used:  # a column of text is refused, named
            absent |= np.isnan(numbers(dataset, column, dates=True))
        values, problems = expressions.evaluate(
            self.formula,
            dataset.columns,
            lambda c: numbers(dataset, c, dates=True),
            len(dataset.df),
        )
        if not np.isfinite(values).any():
            raise DataError(
                f"The formula gives no value for any row{_why(problems)}. Check the formula "
                "and the columns it uses."
            )
        notes = [f"'{self.name}' = {self.formula}."]
        if absent.any():
            notes.append(
                f"'{self.name}': {int(absent.sum())} row(s) missing because "
                f"{' or '.join(repr(c) for c in used)} is missing there."
            )
        notes += [
            f"'{self.name}': {n} row(s) missing because of {why}." for why, n in problems.items()
        ]
        series = pd.Series(values, index=dataset.df.index, name=self.name)
        kind = infer_kind(self.name, series)
        return derived(
            dataset,
            self,
            {self.name: series},
            kinds={self.name: kind if kind in NUMERIC_KINDS | {"binary"} else "continuous"},
            labels={self.name: self.label or self.name},
            notes=tuple(notes),
        )

    def describe(self) -> str:
        return f"New column {self.name} = {self.formula}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [(self.name, "", self.formula, "derived: formula")]

    def as_json(self) -> dict:
        return {"step": "formula", "name": self.name, "label": self.label, "formula": self.formula}


def _why(problems: dict[str, int]) -> str:
    return f" ({', '.join(problems)})" if problems else ""


def split_assignment(text: str) -> tuple[str | None, str]:
    """'bmi = weight / height^2' -> ('bmi', 'weight / height^2'); a bare formula -> (None, it)."""
    text = str(text or "")
    head, sign, tail = text.partition("=")
    if sign and not tail.startswith("=") and head.strip() and head[-1:] not in "<>!=":
        return head.strip().strip("`"), tail.strip()
    return None, text.strip()


def formula_step(dataset: Dataset, name: str, formula: str, *, label: str = "") -> FormulaStep:
    """The step for a formula typed as `expression` (name in its own box) or `name = expression`."""
    named, expression = split_assignment(formula)
    checked = expressions.check(expression, dataset.columns)
    if not checked.columns:
        raise DataError("The formula names no column: it would give the same number in every row.")
    name = check_new_name(dataset, name or named or "")
    return FormulaStep(name, checked.text, " ".join(label.split()))
