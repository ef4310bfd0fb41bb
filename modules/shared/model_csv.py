"""The CSV of a regression-type result: its univariable and multivariable rows in long form.

One row per table, variable and level; numbers stay numbers (a non-finite one is an empty
cell); each continuous covariate says what its estimates are per.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from modules.shared.effect_scale import Scales, scale_columns

NUMBERS = ("estimate", "ci_low", "ci_high", "p_value", "global_p")


def long_tables(view, texts: Sequence[str], estimate: str) -> pd.DataFrame:
    """Both tables of `view.result` in long form: the row's identity, its `texts` columns as
    they are, the numbers (the estimate named `estimate`) and the effect scale."""
    parts = []
    for table, frame in (
        ("univariable", view.result.univariable),
        ("multivariable", view.result.multivariable),
    ):
        part = pd.DataFrame(
            {
                "table": table,
                "variable": frame["variable"].astype(str),
                "label": [view.label(v) for v in frame["variable"]],
                "level": frame["level"].astype(str),
                "is_reference": frame["is_reference"].astype(bool),
                "n": frame["n"],
                **{column: frame.get(column, "") for column in texts},
            }
        )
        for column in NUMBERS:
            values = pd.to_numeric(frame[column], errors="coerce").astype(float)
            part[estimate if column == "estimate" else column] = values.where(np.isfinite(values))
        part[["per", "per_text"]] = scale_columns(frame, Scales.of(view.result))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)
