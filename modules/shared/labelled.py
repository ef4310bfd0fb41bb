"""What every result view shares: the user's labels of the columns it names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Self


class Labelled:
    """A mixin for frozen view dataclasses with a `labels` field (column name -> label).

    Labels are presentation: editing one relabels the tables without running again."""

    labels: Mapping[str, str]

    def label(self, variable: str) -> str:
        """The user's label of a column, or its name."""
        text = self.labels.get(variable, "") if variable else ""
        return text if text and text.strip() else variable

    def relabel(self, labels: Mapping[str, str]) -> Self:
        """The same view under other labels."""
        return replace(self, labels=dict(labels))  # type: ignore[type-var]
