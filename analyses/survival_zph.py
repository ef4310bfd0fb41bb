"""The proportional-hazards check of a Cox model: R's cox.zph score test (transform "km").

For each term, the score test of adding term × g(t) to the fitted model, where g(t) is one
minus the left-continuous Kaplan–Meier estimate at the event time, centred over the events
(Grambsch & Therneau 1994; the test of survival >= 3.0's cox.zph with terms=TRUE). The score
is the sum of g(t) × the Schoenfeld residuals, and its variance comes from the risk-set
covariances, both with Efron's weighting of tied events, as in the fitted model. The global
test adds every term × g(t) at once. A small p means the hazard ratio changes over time.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

PH_COLUMNS = ("variable", "is_global", "chi2", "df", "p_value")


def _information_and_score(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    beta: np.ndarray,
    g_table: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, list[np.ndarray]]:
    """Score of x·g(t) and the information blocks Σ h(t)·V(t) for h = 1, g, g².

    V(t) is the risk-set covariance at event time t and the score sums g(t) × the Schoenfeld
    residuals, both with Efron's weighting (tied deaths leave the risk set in equal parts).
    The sums are formed without storing a p×p matrix per row or per event time, so memory
    stays at a few copies of the design whatever the number of patients. `g_table`: the
    event times of all patients and g there (one table for every stratum, as cox.zph).
    """
    order = np.argsort(time, kind="stable")
    t, e = time[order], event[order]
    xc = x[order] - x.mean(axis=0)
    eta = xc @ beta
    w = np.exp(eta - eta.max())
    # Risk-set sums over everyone with time >= t, by reverse cumulative sums.
    s0 = np.cumsum(w[::-1])[::-1]
    s1 = np.cumsum((w[:, None] * xc)[::-1], axis=0)[::-1]
    dead = e > 0
    event_times = np.unique(t[dead])
    first = np.searchsorted(t, event_times, side="left")
    k = np.searchsorted(event_times, t[dead])
    m, p = len(event_times), x.shape[1]
    d = np.bincount(k, minlength=m).astype(float)
    xd, wd = xc[dead], w[dead]
    d0 = np.bincount(k, weights=wd, minlength=m)
    d1 = np.zeros((m, p))
    xsum = np.zeros((m, p))
    np.add.at(d1, k, wd[:, None] * xd)
    np.add.at(xsum, k, xd)
    g = g_table[1][np.searchsorted(g_table[0], event_times)]
    weights = (np.ones(m), g, g**2)
    means = np.zeros((m, p))
    risk_coef = [np.zeros(m) for _ in weights]  # multiplies the risk-set Σ w x x'
    tied_coef = [np.zeros(m) for _ in weights]  # multiplies the tied deaths' Σ w x x'
    mean_outer = [np.zeros((p, p)) for _ in weights]
    r0, r1 = s0[first], s1[first]
    for r in range(int(d.max())):
        active = d > r
        frac = r / d[active]
        a0 = r0[active] - frac * d0[active]
        mean = (r1[active] - frac[:, None] * d1[active]) / a0[:, None]
        means[active] += mean
        for h, rc, tc, mo in zip(weights, risk_coef, tied_coef, mean_outer, strict=True):
            rc[active] += h[active] / a0
            tc[active] += h[active] * frac / a0
            mo += (mean * h[active][:, None]).T @ mean
    # A row is in the risk set of every event time up to its own time.
    last_event = np.searchsorted(event_times, t, side="right") - 1
    blocks = []
    for rc, tc, mo in zip(risk_coef, tied_coef, mean_outer, strict=True):
        reach = np.concatenate(([0.0], np.cumsum(rc)))[last_event + 1]
        risk = (xc * (w * reach)[:, None]).T @ xc
        tied = (xd * (wd * tc[k])[:, None]).T @ xd
        blocks.append(risk - tied - mo)
    score = (g[:, None] * (xsum - means)).sum(axis=0)
    return score, blocks


def km_transform(deaths: np.ndarray, n_risk: np.ndarray) -> np.ndarray:
    """1 - KM(t-) at each event time, centred over the events (cox.zph transform="km")."""
    surv = np.cumprod(1 - deaths / n_risk)
    g = 1 - np.concatenate(([1.0], surv[:-1]))
    return g - np.sum(g * deaths) / deaths.sum()


def _g_table(time: np.ndarray, event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct event times and the centred 1 - KM(t-) at each, over all patients."""
    event_times, deaths = np.unique(time[event > 0], return_counts=True)
    n_risk = len(time) - np.searchsorted(np.sort(time), event_times, side="left")
    return event_times, km_transform(deaths.astype(float), n_risk.astype(float))


def ph_test(
    time: np.ndarray,
    event: np.ndarray,
    x: np.ndarray,
    beta: np.ndarray,
    spans: list[tuple[int, int]],
    names: list[str],
    strata: np.ndarray | None = None,
) -> list[dict]:
    """A score test per term (df = its columns) and a global test, as R's cox.zph prints.

    With `strata` (a code per row) the risk sets are those of each stratum and the scores
    and information are summed over strata; g(t) is the Kaplan–Meier of all patients, as
    cox.zph computes it for a stratified fit.
    """
    g_table = _g_table(time, event)
    codes = np.zeros(len(time), dtype=int) if strata is None else np.asarray(strata)
    score, blocks = 0.0, [0.0, 0.0, 0.0]
    for code in np.unique(codes):
        mine = codes == code
        if not np.any(event[mine] > 0):
            continue  # a stratum without events has no risk set that counts
        part, part_blocks = _information_and_score(time[mine], event[mine], x[mine], beta, g_table)
        score = score + part
        blocks = [b + pb for b, pb in zip(blocks, part_blocks, strict=True)]
    i_bb, i_bg, i_gg = blocks
    rows = []
    for name, (a, b) in [*zip(names, spans, strict=True), ("", (0, x.shape[1]))]:
        cols = np.arange(a, b)
        rows.append(_score_row(name, score[cols], i_bb, i_bg[:, cols], i_gg[np.ix_(cols, cols)]))
    rows[-1]["is_global"] = True
    return rows


def _score_row(name: str, u: np.ndarray, i_bb, i_bg, i_gg) -> dict:
    """u' V⁻¹ u with V the information of the new terms given the fitted coefficients."""
    try:
        v = i_gg - i_bg.T @ np.linalg.solve(i_bb, i_bg)
        chi2 = float(u @ np.linalg.solve(v, u))
    except np.linalg.LinAlgError:
        chi2 = float("nan")
    df = len(u)
    p = float(stats.chi2.sf(chi2, df)) if np.isfinite(chi2) else float("nan")
    return {"variable": name, "is_global": False, "chi2": chi2, "df": df, "p_value": p}
