"""One finished outcome analysis with what the page needs to show it: labels and outcome groups."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from modules.shared.labelled import Labelled

if TYPE_CHECKING:
    from analyses.results import OutcomeResult


@dataclass(frozen=True)
class ResultView(Labelled):
    """An OutcomeResult plus display context; tables, figures and the report read only this.

    `labels` maps column names to the labels the user gave (labels are presentation: editing
    one re-renders the tables without re-running the analysis).
    """

    result: OutcomeResult
    outcome: str
    event: str
    no_event: str
    labels: Mapping[str, str] = field(default_factory=dict)
    continuous_summary: str = "mean"
    dataset_name: str = ""
    # The decision curve's threshold range in percent (a display option: no new run).
    dca_range: tuple[float | None, float | None] = (1.0, 50.0)

    @property
    def outcome_label(self) -> str:
        return self.label(self.outcome)

    @property
    def group_headings(self) -> tuple[str, str]:
        """Column headings of the no-event and the event group, e.g. 'Complication: Yes'."""
        return (f"{self.outcome_label}: {self.no_event}", f"{self.outcome_label}: {self.event}")

    @property
    def summary_name(self) -> str:
        """What the group cells of a continuous variable hold."""
        return "Median [IQR]" if self.continuous_summary == "median" else "Mean (SD)"


def no_event_name(levels: tuple[str, ...] | list[str], event: str) -> str:
    """The other outcome level, or 'not <event>' when several levels were pooled against it."""
    others = [level for level in levels if level != event]
    return others[0] if len(others) == 1 else f"not {event}"
