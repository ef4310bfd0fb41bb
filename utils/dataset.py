"""The immutable Dataset that flows from upload to analysis: data, fingerprint, column meta."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

import pandas as pd
import xxhash

Kind = Literal["binary", "categorical", "continuous", "count", "date", "id", "text"]
KINDS: tuple[str, ...] = ("binary", "categorical", "continuous", "count", "date", "id", "text")
# Kinds that can enter a model as a covariate, and how.
FACTOR_KINDS = frozenset({"binary", "categorical"})
NUMERIC_KINDS = frozenset({"continuous", "count"})


@dataclass(frozen=True)
class ColumnMeta:
    """What MedStat knows about one column: its kind, a display label, levels and missing count."""

    name: str
    kind: Kind
    label: str
    levels: tuple[str, ...] = ()
    n_missing: int = 0


@dataclass(frozen=True)
class Dataset:
    """A table the user loaded or derived. Never mutated: edits make a new Dataset.

    `fingerprint` is computed once, when the data is read or derived, and is what cache
    keys use, so no request ever hashes the DataFrame.
    """

    df: pd.DataFrame = field(repr=False)
    name: str
    fingerprint: str
    columns: dict[str, ColumnMeta] = field(repr=False)
    notes: tuple[str, ...] = ()
    # How the user's file wrote its table (a text upload's separator and decimal mark): the
    # CSV downloads answer in kind. Derived Datasets keep them.
    separator: str = ","
    decimal: str = "."
    # How the file was parsed (format, encoding, separator, decimal mark, lines skipped, text
    # columns; or a workbook's sheet) and the cleaning steps applied since, in order: what an
    # exported script needs to read the raw file and redo the steps (modules/shared/script_export).
    read_options: tuple = field(default=(), repr=False, compare=False)
    steps: tuple = field(default=(), repr=False, compare=False)
    # The session's multiple-imputation settings (analyses.specs.ImputationSpec) or None: the
    # analysis tabs offer "on the imputed data" when set (modules/shared/cleaning_steps.py).
    # Settings, not data: never compared, hashed or fingerprinted; the data stay as they are.
    imputation: object = field(default=None, repr=False, compare=False)

    def meta(self, column: str) -> ColumnMeta:
        return self.columns[column]

    def label(self, column: str) -> str:
        meta = self.columns.get(column)
        return meta.label if meta else column

    def labels(self) -> dict[str, str]:
        """Column name -> label (a copy: every tab asks on each change, and a file may have
        16,000 columns)."""
        return dict(self._labels)

    @cached_property
    def _labels(self) -> dict[str, str]:
        return {name: m.label for name, m in self.columns.items()}

    def with_columns(self, columns: dict[str, ColumnMeta]) -> Dataset:
        """Same data, new column meta (kinds, labels); the fingerprint changes with the kinds."""
        kinds = ";".join(f"{n}={m.kind}" for n, m in sorted(columns.items()))
        if kinds == ";".join(f"{n}={m.kind}" for n, m in sorted(self.columns.items())):
            return replace(self, columns=columns)
        return replace(
            self, columns=columns, fingerprint=derive_fingerprint(self.fingerprint, kinds)
        )


# What a tab that needs no data (AnalysisTab.needs_data=False) computes on: no rows, no columns,
# one constant fingerprint, so its results are cached by their spec alone.
NO_DATASET = Dataset(pd.DataFrame(), name="", fingerprint="no-data", columns={})


def fingerprint_bytes(data: bytes, *options: object) -> str:
    """Digest of a file's bytes and the options it was read with."""
    h = xxhash.xxh3_128()
    h.update(data)
    for option in options:
        h.update(b"\x00" + repr(option).encode())
    return h.hexdigest()


def derive_fingerprint(parent: str, change: object) -> str:
    """Fingerprint of data derived from a parent by a described change (recode, kind override)."""
    return xxhash.xxh3_128((parent + "\x00" + repr(change)).encode()).hexdigest()


def fingerprint_frame(df: pd.DataFrame) -> str:
    """Digest of a DataFrame's content; used once for a DataFrame passed in without a file."""
    h = xxhash.xxh3_128()
    h.update(repr(list(map(str, df.columns))).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    h.update(repr(list(map(str, df.dtypes))).encode())
    return h.hexdigest()
