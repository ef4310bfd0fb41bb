"""Decision curve analysis: the net benefit of treating by a model's risk (Vickers & Elkin 2006).

At a threshold probability pt (the risk at which a clinician would treat), treating the
patients whose predicted risk is at least pt has net benefit
    TP / n - FP / n * pt / (1 - pt),
true positives counted as gains and false positives weighed by the odds of the threshold.
Treat-all has net benefit prevalence - (1 - prevalence) * pt / (1 - pt); treat-none has 0.
A pure function of (y, p), vectorised over every threshold at once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DECISION_COLUMNS = ("threshold", "model", "treat_all", "treated", "true_positives")

# Net benefit on every whole percentage from 1% to 99%: the plot shows the part of the range the
# user chose, so changing the range redraws without computing again.
THRESHOLDS = np.round(np.arange(1, 100) / 100.0, 2)


def net_benefit(y: np.ndarray, p: np.ndarray, thresholds: np.ndarray = THRESHOLDS) -> pd.DataFrame:
    """Net benefit of the model and of treat-all at each threshold (treat-none is 0)."""
    n = len(y)
    order = np.argsort(p)
    sorted_p = p[order]
    # Events among patients with p >= t: all events minus those strictly below t.
    events_below = np.concatenate([[0.0], np.cumsum(y[order])])
    below = np.searchsorted(sorted_p, thresholds, side="left")
    treated = n - below
    true_pos = events_below[-1] - events_below[below]
    false_pos = treated - true_pos
    odds = thresholds / (1.0 - thresholds)
    prevalence = events_below[-1] / n
    return pd.DataFrame(
        {
            "threshold": thresholds,
            "model": true_pos / n - false_pos / n * odds,
            "treat_all": prevalence - (1.0 - prevalence) * odds,
            "treated": treated.astype(int),
            "true_positives": true_pos.round().astype(int),
        },
        columns=list(DECISION_COLUMNS),
    )
