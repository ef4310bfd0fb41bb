"""Applying an accepted label harmonisation: a new Dataset with a derived fingerprint."""

from __future__ import annotations

import json

import pandas as pd

from utils.column_kinds import column_meta
from utils.dataset import Dataset, derive_fingerprint


def effective_mapping(mapping: dict[str, str]) -> dict[str, str]:
    """Only the labels that change, in a stable order (the fingerprint depends on it)."""
    return {str(k): str(v) for k, v in sorted(mapping.items()) if str(k) != str(v)}


def apply_recode(dataset: Dataset, column: str, mapping: dict[str, str]) -> Dataset:
    """The dataset with column's labels replaced by mapping; a new fingerprint, same rows.

    The column's kind is inferred again (four spellings of sex merged are binary); its label
    is kept. Values not in the mapping and missing values are left as they are.
    """
    if column not in dataset.columns:
        raise ValueError(f"There is no column named '{column}'.")
    changes = effective_mapping(mapping)
    series = dataset.df[column]
    as_text = series.map(lambda v: v if pd.isna(v) else str(v))
    recoded = as_text.map(lambda v: changes.get(v, v) if isinstance(v, str) else v)
    df = dataset.df.assign(**{column: recoded})
    old = dataset.meta(column)
    meta = column_meta(column, recoded, label=old.label)
    columns = {n: meta if n == column else m for n, m in dataset.columns.items()}
    fingerprint = derive_fingerprint(dataset.fingerprint, ("recode", column, changes))
    note = f"'{column}': {len(changes)} label(s) merged."
    return Dataset(
        df=df,
        name=dataset.name,
        fingerprint=fingerprint,
        columns=columns,
        notes=(*dataset.notes, note),
        separator=dataset.separator,
        decimal=dataset.decimal,
    )


def recode_map_frame(steps: list) -> pd.DataFrame:
    """The applied steps as a table (for a methods note): column, original, new, what changed.

    A step is a label merge (column, mapping) or a codebook step (matching/codebook_apply.py),
    which lists the labels, types and values it set.
    """
    rows = []
    for step in steps:
        if hasattr(step, "map_rows"):
            rows += step.map_rows()
            continue
        column, mapping = step
        rows += [(column, old, new, "merged") for old, new in effective_mapping(mapping).items()]
    return pd.DataFrame(rows, columns=["column", "original", "recoded_as", "change"])


def recode_map_json(steps: list) -> str:
    """The applied steps as JSON, in the order applied: {column, mapping} or a codebook's."""
    data = [
        step.as_json()
        if hasattr(step, "as_json")
        else {"column": step[0], "mapping": effective_mapping(step[1])}
        for step in steps
    ]
    return json.dumps(data, indent=2, ensure_ascii=False)
