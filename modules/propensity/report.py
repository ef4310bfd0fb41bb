"""The Propensity scores tab's "All numbers" download: every number of the result, unrounded."""

from __future__ import annotations

import pandas as pd

from modules.propensity.view import PropensityView
from modules.shared.csv_safety import csv_text


def tidy_frame(view: PropensityView) -> pd.DataFrame:
    """The model, balance and effect rows in long form, then each patient's score and weight."""
    res = view.result
    parts = [
        res.model.assign(table="propensity model"),
        res.balance.assign(table="balance"),
        res.effects.assign(table="effect"),
        res.scores.assign(table="patients", row=res.scores["row"] + 1),
    ]
    frame = pd.concat(parts, ignore_index=True, sort=False)
    return frame[["table", *[c for c in frame.columns if c != "table"]]]


def tables_csv(view: PropensityView) -> str:
    """The tidy frame as CSV text with formula-like cells neutralised (row: 1 = first data row)."""
    return csv_text(tidy_frame(view))
