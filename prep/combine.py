"""A factor with some of its levels combined, as a new column (stage I, II -> early).

The original column stays as it is; the new one holds every level's group (a level given no
group keeps its own name), so nothing is dropped without the user seeing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from prep.value_labels import LABEL_MAX, codable_values
from prep.values import check_new_name, column_of, derived, factor_kind, relabelled
from utils.column_kinds import natural_key
from utils.data_error import DataError
from utils.dataset import Dataset


@dataclass(frozen=True)
class CombineLevels:
    """name = column with each level replaced by its group (only the levels that change)."""

    column: str
    groups: tuple[tuple[str, str], ...]
    name: str
    label: str = ""

    def apply(self, dataset: Dataset) -> Dataset:
        series = relabelled(column_of(dataset, self.column), dict(self.groups))
        series.name = self.name
        return derived(
            dataset,
            self,
            {self.name: series},
            kinds={self.name: factor_kind(series)},
            labels={self.name: self.label or f"{dataset.label(self.column)} (combined)"},
            notes=(f"'{self.name}': levels of '{self.column}' combined ({self.how()}).",),
        )

    def how(self) -> str:
        into: dict[str, list[str]] = {}
        for level, group in self.groups:
            into.setdefault(group, []).append(level)
        return "; ".join(f"{' + '.join(levels)} -> {group}" for group, levels in into.items())

    def describe(self) -> str:
        return f"New column {self.name}: {self.column} with {self.how()}"

    def map_rows(self) -> list[tuple[str, str, str, str]]:
        return [
            (self.name, level, group, f"combined from {self.column}")
            for level, group in self.groups
        ]

    def as_json(self) -> dict:
        return {
            "step": "combine levels",
            "column": self.column,
            "name": self.name,
            "label": self.label,
            "groups": dict(self.groups),
        }


def combine_step(
    dataset: Dataset, column: str, groups: Mapping[str, str], name: str, *, label: str = ""
) -> CombineLevels:
    """The step for the groups typed per level (blank = the level stays on its own)."""
    levels = codable_values(dataset, column)
    name = check_new_name(dataset, name)
    typed = {str(k).strip(): " ".join(str(v or "").split()) for k, v in groups.items()}
    unknown = [k for k, v in typed.items() if v and k not in levels]
    if unknown:
        raise DataError(f"'{unknown[0]}' is not a level of '{column}'. Reload the list of levels.")
    long = [v for v in typed.values() if len(v) > LABEL_MAX]
    if long:
        raise DataError(f"Keep group names under {LABEL_MAX} characters ('{long[0][:30]}…').")
    final = {level: typed.get(level) or level for level in levels}
    after = set(final.values())
    if len(after) == len(levels):
        raise DataError("No levels are combined: type the same group name for the levels to join.")
    if len(after) < 2:
        raise DataError(
            f"Every level would be in one group ('{next(iter(after))}'): a column with one "
            "value cannot be analysed. Keep at least two groups."
        )
    changes = sorted(
        ((k, v) for k, v in final.items() if k != v), key=lambda kv: natural_key(kv[0])
    )
    return CombineLevels(column, tuple(changes), name, " ".join(label.split()))
