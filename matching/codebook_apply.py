"""Applying accepted codebook matches: labels, types and allowed values, as one undoable step.

The result is a new Dataset whose fingerprint derives from the parent's and the step (as a
label recode does, matching/recode.py), so undo is the parent itself and cached results of either
stay valid. Nothing is guessed here: the step lists every column's label, type and the
label -> allowed value mapping the user accepted; labels the user left unmapped stay as they
are and are named in the notes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from utils.column_kinds import as_dates, column_meta, level_label
from utils.dataset import NUMERIC_KINDS, ColumnMeta, Dataset, derive_fingerprint


@dataclass(frozen=True)
class ColumnRule:
    """What the codebook sets on one column."""

    column: str
    variable: str
    label: str
    type: str  # categorical, numeric, text, date, or '' (leave the kind)
    mapping: tuple[tuple[str, str], ...] = ()  # data label -> allowed value (only changes)
    values: tuple[str, ...] = ()  # the codebook's allowed values


@dataclass(frozen=True)
class CodebookStep:
    """The accepted matches of one codebook, applied (and undone) together."""

    codebook: str
    fingerprint: str
    rules: tuple[ColumnRule, ...]

    def describe(self) -> str:
        recoded = sum(len(r.mapping) for r in self.rules)
        return (
            f"Codebook '{self.codebook}': {len(self.rules)} column(s) labelled, "
            f"{recoded} value(s) recoded"
        )

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        """(column, original, recoded_as, change) rows for the recode map."""
        rows = []
        for r in self.rules:
            rows.append((r.column, r.column, r.label, "codebook label"))
            if r.type:
                rows.append((r.column, "", r.type, "codebook type"))
            rows += [(r.column, old, new, "codebook value") for old, new in r.mapping]
        return rows

    def as_json(self) -> dict:
        return {
            "codebook": self.codebook,
            "columns": [
                {
                    "column": r.column,
                    "variable": r.variable,
                    "label": r.label,
                    "type": r.type,
                    "mapping": dict(r.mapping),
                    "allowed_values": list(r.values),
                }
                for r in self.rules
            ],
        }


def _as_text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if pd.isna(v) else level_label(v)).astype(object)


def _numeric(column: str, series: pd.Series) -> tuple[pd.Series, str, list[str]]:
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric:
        values = series.astype(float)
    else:
        text = _as_text(series)
        text = text.where(text.astype(str).str.strip() != "")
        values = pd.to_numeric(text, errors="coerce")
        failed = text.notna() & values.isna()
        if failed.any():
            example = str(text[failed].iloc[0])
            note = (
                f"'{column}': {int(failed.sum())} cell(s) could not be read as numbers (for "
                f"example '{example}') and are now missing."
            )
            return values, _numeric_kind(column, values), [note]
    return values, _numeric_kind(column, values), []


def _numeric_kind(column: str, values: pd.Series) -> str:
    kind = column_meta(column, values).kind
    if kind in NUMERIC_KINDS:
        return kind
    present = values.dropna().to_numpy()
    whole = bool(np.all(np.mod(present, 1) == 0)) and bool(np.all(present >= 0))
    return "count" if whole else "continuous"


def _categorical(column: str, series: pd.Series, rule: ColumnRule) -> tuple[pd.Series, list[str]]:
    changes = dict(rule.mapping)
    text = _as_text(series)
    recoded = text.map(lambda v: changes.get(v, v) if isinstance(v, str) else v)
    if not rule.values:
        return recoded, []
    outside = sorted(set(recoded.dropna()) - set(rule.values))
    if not outside:
        return recoded, []
    shown = ", ".join(f"'{v}'" for v in outside[:5]) + (", ..." if len(outside) > 5 else "")
    note = (
        f"'{column}': {len(outside)} label(s) not in the codebook were kept as they are "
        f"({shown}). Recode them on this tab or correct the file."
    )
    return recoded, [note]


def apply_codebook(dataset: Dataset, step: CodebookStep) -> Dataset:
    """The dataset with the step's labels, types and value recodes; a new fingerprint."""
    df = dataset.df
    columns: dict[str, ColumnMeta] = dict(dataset.columns)
    updates: dict[str, pd.Series] = {}
    notes: list[str] = []
    for rule in step.rules:
        if rule.column not in columns:
            notes.append(f"Codebook: the column '{rule.column}' is not in the data; skipped.")
            continue
        series, kind = df[rule.column], None
        if rule.type == "numeric":
            series, kind, problems = _numeric(rule.column, series)
            notes += problems
        elif rule.type == "categorical":
            series, problems = _categorical(rule.column, series, rule)
            notes += problems
            levels = series.dropna().nunique()
            kind = "binary" if levels == 2 else "categorical"
        elif rule.type == "date" and not pd.api.types.is_datetime64_any_dtype(series):
            parsed = as_dates(series)
            if parsed is None:
                notes.append(
                    f"'{rule.column}': the values could not all be read as dates; the column "
                    "was kept as it is. Write dates as 2024-03-31 or 31/03/2024."
                )
            else:
                series, kind = parsed[0], "date"
        elif rule.type == "date":
            kind = "date"
        elif rule.type == "text" and columns[rule.column].kind != "id":
            kind = "text"  # an identifier stays one: it is text that names rows
        if series is not df[rule.column]:
            updates[rule.column] = series
        columns[rule.column] = column_meta(
            rule.column, series, kind=kind or columns[rule.column].kind, label=rule.label
        )
    fingerprint = derive_fingerprint(
        dataset.fingerprint, ("codebook", step.fingerprint, step.rules)
    )
    summary = f"{step.describe()}."
    return Dataset(
        df=df.assign(**updates) if updates else df,
        name=dataset.name,
        fingerprint=fingerprint,
        columns=columns,
        notes=(*dataset.notes, summary, *notes),
        separator=dataset.separator,
        decimal=dataset.decimal,
    )


def codebook_step(codebook: str, fingerprint: str, rules: list[ColumnRule]) -> CodebookStep:
    """A step with each rule's mapping reduced to the labels that change, in a stable order."""
    tidy = tuple(
        ColumnRule(
            column=r.column,
            variable=r.variable,
            label=" ".join(r.label.split()) or r.column,
            type=r.type,
            mapping=tuple(sorted((str(a), str(b)) for a, b in r.mapping if str(a) != str(b))),
            values=tuple(r.values),
        )
        for r in rules
    )
    return CodebookStep(codebook=codebook, fingerprint=fingerprint, rules=tidy)
