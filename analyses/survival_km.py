"""Kaplan–Meier curves with pointwise bands, medians with CIs, numbers at risk, the log-rank test.

Estimates come from statsmodels (SurvfuncRight for the curve and Greenwood standard errors,
survdiff for the log-rank test); the band transforms and the median rule follow R's survival
package (survfit conf.type and print.survfit), so the numbers match what R users report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

CONF_TYPES = ("log", "log-log", "plain")
# R's quantile.survfit treats survival within this of the target as equal to it.
_TOLERANCE = np.sqrt(np.finfo(float).eps)
CURVE_COLUMNS = (
    "group",
    "time",
    "n_risk",
    "n_event",
    "n_censor",
    "survival",
    "std_err",  # standard error of the survival probability (Greenwood)
    "ci_low",
    "ci_high",
)
MEDIAN_COLUMNS = ("group", "n", "events", "median", "ci_low", "ci_high")
AT_RISK_COLUMNS = ("group", "time", "n_risk", "events")
LOGRANK_COLUMNS = ("group", "n", "observed", "expected")


@dataclass(frozen=True)
class KaplanMeier:
    """One group's curve at every distinct time (events and censorings), time 0 first."""

    group: str
    frame: pd.DataFrame  # CURVE_COLUMNS


def confidence_band(
    surv: np.ndarray, se_log: np.ndarray, conf_type: str, level: float = 0.95
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise limits as R's survfit computes them; se_log is the standard error of log S.

    log: S·exp(±z·se) (R's default); log-log: exp(-exp(log(-log S) ± z·se/|log S|));
    plain: S ± z·S·se. Limits are clipped to [0, 1]; undefined where S is 0 (and, for
    log-log, where S is 1), as R leaves them NA.
    """
    z = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "log":
            low, high = surv * np.exp(-z * se_log), surv * np.exp(z * se_log)
        elif conf_type == "log-log":
            log_s = np.log(surv)
            theta, se_theta = np.log(-log_s), se_log / np.abs(log_s)
            low = np.exp(-np.exp(theta + z * se_theta))
            high = np.exp(-np.exp(theta - z * se_theta))
            ones = surv >= 1.0
            low, high = np.where(ones, np.nan, low), np.where(ones, np.nan, high)
        elif conf_type == "plain":
            low, high = surv - z * surv * se_log, surv + z * surv * se_log
        else:
            raise ValueError(f"unknown confidence band type {conf_type!r}")
    undefined = surv <= 0
    low = np.where(undefined, np.nan, np.clip(low, 0.0, 1.0))
    high = np.where(undefined, np.nan, np.clip(high, 0.0, 1.0))
    # Before the first event the curve is 1 with no uncertainty (R: both limits 1).
    start = (surv >= 1.0) & (se_log == 0)
    return np.where(start, 1.0, low), np.where(start, 1.0, high)


def kaplan_meier(group: str, time: np.ndarray, event: np.ndarray, conf_type: str) -> KaplanMeier:
    """The curve of one group: statsmodels' estimate placed on every distinct time."""
    from statsmodels.duration.survfunc import SurvfuncRight

    times, inverse = np.unique(time, return_inverse=True)
    n_event = np.bincount(inverse, weights=event, minlength=len(times))
    n_censor = np.bincount(inverse, weights=1 - event, minlength=len(times))
    n_risk = len(time) - np.concatenate(([0], np.cumsum(n_event + n_censor)[:-1]))
    surv = np.ones(len(times))
    se = np.zeros(len(times))
    if event.any():
        fit = SurvfuncRight(time, event)
        # Each distinct time takes the estimate of the last event time at or before it.
        at = np.searchsorted(fit.surv_times, times, side="right") - 1
        seen = at >= 0
        surv[seen] = fit.surv_prob[at[seen]]
        se[seen] = fit.surv_prob_se[at[seen]]
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.where(surv > 0, se / surv, np.nan)
    low, high = confidence_band(surv, se_log, conf_type)
    frame = pd.DataFrame(
        {
            "group": group,
            "time": np.concatenate(([0.0], times)),
            "n_risk": np.concatenate(([len(time)], n_risk)).astype(int),
            "n_event": np.concatenate(([0], n_event)).astype(int),
            "n_censor": np.concatenate(([0], n_censor)).astype(int),
            "survival": np.concatenate(([1.0], surv)),
            "std_err": np.concatenate(([0.0], np.where(surv > 0, se, np.nan))),
            "ci_low": np.concatenate(([1.0], low)),
            "ci_high": np.concatenate(([1.0], high)),
        },
        columns=list(CURVE_COLUMNS),
    )
    if times[0] == 0:  # an event or censoring at time 0 replaces the starting row
        frame = frame.iloc[1:].reset_index(drop=True)
    return KaplanMeier(group, frame)


def survival_quantile(times: np.ndarray, values: np.ndarray, p: float = 0.5) -> float:
    """First time the curve reaches p or below; where it sits exactly at p, R's midpoint rule.

    As R's quantile.survfit: when the curve equals p over an interval, the quantile is the
    midpoint between the start of that interval and the next time the curve drops; NaN when
    the curve (or band) never reaches p.
    """
    ok = ~np.isnan(values)
    times, values = times[ok], values[ok]
    below = np.flatnonzero(values <= p + _TOLERANCE)
    if len(below) == 0:
        return float("nan")
    i = below[0]
    if abs(values[i] - p) < _TOLERANCE:
        later = np.flatnonzero(values < values[i] - _TOLERANCE)
        later = later[later > i]
        if len(later):
            return float((times[i] + times[later[0]]) / 2)
    return float(times[i])


def median_row(km: KaplanMeier) -> dict:
    """n, events, median survival and its CI, as R's print.survfit reports them."""
    f = km.frame
    event_rows = f["n_event"].to_numpy() > 0
    t = f["time"].to_numpy()[event_rows]
    return {
        "group": km.group,
        "n": int(f["n_risk"].iloc[0]),
        "events": int(f["n_event"].sum()),
        "median": survival_quantile(t, f["survival"].to_numpy()[event_rows]),
        # The band reaching 0.5: the lower limit first gives the lower end of the median's CI.
        "ci_low": survival_quantile(t, f["ci_low"].to_numpy()[event_rows]),
        "ci_high": survival_quantile(t, f["ci_high"].to_numpy()[event_rows]),
    }


def risk_times(max_time: float, wanted: tuple[float, ...] = (), n_breaks: int = 6) -> np.ndarray:
    """Times for the at-risk table: the user's, or round steps from 0 covering follow-up."""
    if wanted:
        return np.array(sorted({float(t) for t in wanted if 0 <= t <= max_time}))
    if max_time <= 0:
        return np.array([0.0])
    raw = max_time / n_breaks
    magnitude = 10 ** np.floor(np.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    return np.arange(0.0, max_time + step * 1e-9, step)


def at_risk_rows(group: str, time: np.ndarray, event: np.ndarray, at: np.ndarray) -> list[dict]:
    """Patients still at risk at each time (time >= t), and events up to it, as survminer."""
    ordered = np.sort(time)
    event_times = np.sort(time[event > 0])
    n_risk = len(time) - np.searchsorted(ordered, at, side="left")
    events = np.searchsorted(event_times, at, side="right")
    return [
        {"group": group, "time": float(t), "n_risk": int(r), "events": int(e)}
        for t, r, e in zip(at, n_risk, events, strict=True)
    ]


def _expected(time: np.ndarray, event: np.ndarray, mine: np.ndarray) -> float:
    """Expected events of the rows in `mine` under no difference (one stratum)."""
    times, inverse = np.unique(time, return_inverse=True)
    deaths = np.bincount(inverse, weights=event, minlength=len(times))
    leaving = np.bincount(inverse, minlength=len(times))
    at_risk = len(time) - np.concatenate(([0], np.cumsum(leaving)[:-1]))
    leaving_k = np.bincount(inverse[mine], minlength=len(times))
    at_risk_k = mine.sum() - np.concatenate(([0], np.cumsum(leaving_k)[:-1]))
    return float(np.sum(deaths * at_risk_k / at_risk))


def logrank(
    time: np.ndarray,
    event: np.ndarray,
    codes: np.ndarray,
    names: tuple[str, ...],
    strata: np.ndarray | None = None,
) -> tuple[pd.DataFrame, dict]:
    """statsmodels' log-rank test, with observed and expected events per group as survdiff.

    `strata`: a code per row; the test and the expected events are then summed over strata
    (R's survdiff with strata()).
    """
    from statsmodels.duration.survfunc import survdiff

    chi2, p = survdiff(time, event, codes, strata=strata)
    layers = np.zeros(len(time), dtype=int) if strata is None else np.asarray(strata)
    rows = []
    for k, name in enumerate(names):
        mine = codes == k
        expected = sum(
            _expected(time[layers == s], event[layers == s], mine[layers == s])
            for s in np.unique(layers)
        )
        rows.append(
            {
                "group": name,
                "n": int(mine.sum()),
                "observed": float(event[mine].sum()),
                "expected": expected,
            }
        )
    test = {"logrank_chi2": float(chi2), "logrank_df": len(names) - 1, "logrank_p": float(p)}
    return pd.DataFrame(rows, columns=list(LOGRANK_COLUMNS)), test
