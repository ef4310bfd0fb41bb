"""The flow of rows through the filters, as a CONSORT / STROBE diagram counts them.

Each filter that ran adds one FlowStep: the rows it started from, how many it excluded (and of
those, how many only because the value was missing) and how many remain. The figure and the
table are drawn from this by the Data cleaning tab.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

FLOW_COLUMNS = (
    "step",
    "condition",
    "excluded_because",
    "excluded",
    "of_which_missing",
    "remaining",
)


@dataclass(frozen=True)
class FlowStep:
    """One filter's counts: rows before, excluded (missing among them), rows after."""

    condition: str  # what the kept rows meet: "age ≥ 18"
    reason: str  # what the excluded rows are, as the diagram says it: "age < 18"
    before: int
    excluded: int
    missing: int
    after: int


@dataclass(frozen=True)
class Flow:
    """Rows at the start (the file, after any steps before the first filter) and each filter."""

    source: str
    start: int
    steps: tuple[FlowStep, ...] = ()

    @property
    def final(self) -> int:
        return self.steps[-1].after if self.steps else self.start


def flow_frame(flow: Flow) -> pd.DataFrame:
    """The flow as a table, one row per stage, for the CSV download and the page."""
    rows = [(0, f"Rows in {flow.source}", "", 0, 0, flow.start)]
    rows += [
        (i, s.condition, s.reason, s.excluded, s.missing, s.after)
        for i, s in enumerate(flow.steps, 1)
    ]
    return pd.DataFrame(rows, columns=list(FLOW_COLUMNS))
