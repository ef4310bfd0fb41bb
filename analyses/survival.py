"""Survival analysis: Kaplan–Meier by group, log-rank, Cox hazard ratios and the PH check.

Estimates come from statsmodels (SurvfuncRight, survdiff, PHReg with Efron ties), which
MedStat already loads for the outcome analysis, so survival adds no library and no memory.
The parts statsmodels does not offer follow R's survival package so that numbers match
what R reports: band transforms and medians (survfit / print.survfit) and the
proportional-hazards test (cox.zph); see survival_km.py and survival_zph.py. Large files
(patients × distinct event times above survival_cox.PHREG_MAX_WORK) are fitted by the
vectorised Efron fitter in survival_efron.py, which gives PHReg's numbers in a fraction of
the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyses.cancellation import progress, steps
from analyses.effect_models import Response
from analyses.effect_modifiers import modifier_tables
from analyses.effect_scale import check_effect_scale, rescale, scale_table
from analyses.encoding import Factor
from analyses.errors import AnalysisError
from analyses.fit_records import SurvivalFit
from analyses.results import SurvivalResult
from analyses.specs import SurvivalSpec
from analyses.survival_cox import HR_COLUMNS, design, fit_model
from analyses.survival_data import (
    check_columns,
    encode_covariates,
    encode_group,
    encode_strata,
    event_indicator,
    follow_up,
)
from analyses.survival_km import (
    AT_RISK_COLUMNS,
    CONF_TYPES,
    CURVE_COLUMNS,
    LOGRANK_COLUMNS,
    MEDIAN_COLUMNS,
    at_risk_rows,
    kaplan_meier,
    logrank,
    median_row,
    risk_times,
    survival_quantile,
)
from analyses.survival_zph import PH_COLUMNS, ph_test

# Bump when the results of the same data and spec change meaning (cache keys include it).
VERSION = "3"  # 3: strata, subgroup and interaction tables
ALL = "All patients"
LOW_EVENTS_PER_PARAMETER = 10


def _groups(
    usable: np.ndarray, group: Factor | None, strata: Factor | None = None
) -> list[tuple[str, np.ndarray, int]]:
    """(name, row mask, group code) of each curve with patients: every patient, each level
    of the group, each stratum, or each level of the group within each stratum."""
    levels = (
        [(ALL, usable, 0)]
        if group is None
        else [(level, usable & (group.codes == k), k) for k, level in enumerate(group.levels)]
    )
    if strata is not None:
        levels = [
            (stratum if group is None else f"{name} · {stratum}", rows & (strata.codes == j), k)
            for j, stratum in enumerate(strata.levels)
            for name, rows, k in levels
        ]
    return [(name, rows, k) for name, rows, k in levels if np.any(rows)]


def _median_follow_up(time: np.ndarray, event: np.ndarray) -> float:
    """Median follow-up by the reverse Kaplan–Meier method (censoring as the event)."""
    km = kaplan_meier("", time, 1 - event, "plain").frame
    rows = km["n_event"].to_numpy() > 0
    return survival_quantile(km["time"].to_numpy()[rows], km["survival"].to_numpy()[rows])


def _logrank_part(time, event, usable, group: Factor | None, strata: Factor | None):
    """The log-rank test of the groups (stratified when strata are chosen, as R's
    survdiff(... + strata(s))), or of the strata themselves when there is no group."""
    by = group if group is not None else strata
    within = strata if group is not None else None
    present = [(k, name) for k, name in enumerate(by.levels) if np.any(usable & (by.codes == k))]
    if len(present) < 2:
        return pd.DataFrame(columns=list(LOGRANK_COLUMNS)), None
    codes = np.full(len(time), -1)
    for j, (k, _) in enumerate(present):
        codes[by.codes == k] = j
    rows = usable & (codes >= 0)
    layers = None if within is None else within.codes[rows]
    names = tuple(name for _, name in present)
    return logrank(time[rows], event[rows], codes[rows], names, layers)


def _km_part(spec, time, event, usable, group, strata=None):
    """Curves, at-risk table, medians and (with two or more groups) the log-rank test."""
    parts = _groups(usable, group, strata)
    curves = [
        kaplan_meier(name, time[rows], event[rows], spec.conf_type) for name, rows, _ in parts
    ]
    at = risk_times(float(np.max(time[usable])), spec.risk_times)
    at_risk = [
        r for name, rows, _ in parts for r in at_risk_rows(name, time[rows], event[rows], at)
    ]
    medians = pd.DataFrame([median_row(c) for c in curves], columns=list(MEDIAN_COLUMNS))
    test: dict = {"logrank_chi2": np.nan, "logrank_df": 0, "logrank_p": np.nan}
    table = pd.DataFrame(columns=list(LOGRANK_COLUMNS))
    if group is not None or strata is not None:
        table, found = _logrank_part(time, event, usable, group, strata)
        test = found or test
    frame = pd.concat([c.frame for c in curves], ignore_index=True)[list(CURVE_COLUMNS)]
    return frame, pd.DataFrame(at_risk, columns=list(AT_RISK_COLUMNS)), medians, table, test


def _cox_part(covs, followed, time, event, strata: Factor | None = None):
    """Univariable and multivariable hazard ratios, the PH test and fit statistics.

    `followed`: patients with a follow-up time and an event status. A crude hazard ratio uses
    every one of them who has that covariate (as R's coxph on that covariate alone); the
    multivariable model uses those complete for all its covariates, the group included.
    With `strata` every model (crude ones too) has a baseline hazard per stratum.
    """
    codes = None if strata is None else strata.codes
    empty = pd.DataFrame(columns=list(HR_COLUMNS))
    if not covs:
        return empty, empty, pd.DataFrame(columns=list(PH_COLUMNS)), {}, []
    notes: list[str] = []
    uni_rows = []
    for cov in steps(covs, "Crude Cox model"):
        rows, fit, _, _ = fit_model([cov], followed, time, event, codes)
        if fit is None:
            notes.append(f"No hazard ratio could be estimated for '{cov.name}'.")
        uni_rows += rows
    progress("Multivariable Cox model")
    multi_rows, fit, used, stats = fit_model(covs, followed, time, event, codes)
    if fit is None:
        raise AnalysisError(
            "The Cox model could not be fitted: too few patients with complete data and at "
            "least one event. Use fewer covariates or fill in missing values."
        )
    x, spans = design(covs, used)
    progress("Proportional-hazards test")  # one more pass over the risk sets
    names = [c.name for c in covs]
    ph = ph_test(time[used], event[used], x, fit.params, spans, names, _at(codes, used))
    if not stats["converged"]:
        notes.append(
            "WARNING: The Cox model did not converge: a covariate separates patients with and "
            "without events, or there are too few events. Treat its hazard ratios with caution."
        )
    per_parameter = stats["events"] / max(1, stats["n_parameters"])
    stats["events_per_parameter"] = per_parameter
    if per_parameter < LOW_EVENTS_PER_PARAMETER:
        notes.append(
            f"Only {per_parameter:.1f} events per estimated coefficient in the multivariable "
            "Cox model (fewer than 10): its hazard ratios may be unstable or biased. Use fewer "
            "covariates."
        )
    violated = [r["variable"] for r in ph if not r["is_global"] and r["p_value"] < 0.05]
    if violated:
        notes.append(
            "The proportional-hazards check (Schoenfeld residuals) has p < 0.05 for: "
            f"{', '.join(violated)}. Their hazard ratios may change over follow-up. For a "
            "categorical variable that is not the exposure of interest, choose it under "
            "'Stratify by' (its own baseline hazard per level, no hazard ratio for it); "
            "otherwise consider splitting follow-up time."
        )
    uni = pd.DataFrame(uni_rows, columns=list(HR_COLUMNS))
    multi = pd.DataFrame(multi_rows, columns=list(HR_COLUMNS))
    for table in (uni, multi):
        table["is_reference"] = table["is_reference"].astype(bool)
    return uni, multi, pd.DataFrame(ph, columns=list(PH_COLUMNS)), stats, notes


def _at(codes: np.ndarray | None, rows: np.ndarray) -> np.ndarray | None:
    return None if codes is None else codes[rows]


def analyze(df: pd.DataFrame, spec: SurvivalSpec) -> SurvivalResult:
    """Kaplan–Meier, log-rank, Cox models and the PH check for one time-to-event outcome."""
    check_columns(df, spec)
    if spec.conf_type not in CONF_TYPES:
        raise AnalysisError("The confidence band must be 'log', 'log-log' or 'plain'.")
    check_effect_scale(spec.effect_scale)
    time, source, notes = follow_up(df, spec)
    event, level, event_notes = event_indicator(df[spec.event], spec.event_level)
    notes += event_notes
    group = encode_group(df, spec)
    followed = ~np.isnan(time) & ~np.isnan(event)
    usable = followed.copy()  # curves and log-rank: patients in a group
    if group is not None:
        no_group = usable & ~group.present()
        if no_group.any():
            notes.append(
                f"{int(no_group.sum())} patients without a value of '{spec.group}' were left "
                "out of the curves, the log-rank test and the multivariable Cox model (not of "
                "the other covariates' crude hazard ratios)."
            )
        usable &= group.present()
    strata = encode_strata(df, spec)
    if strata is not None:
        no_stratum = usable & ~strata.present()
        if no_stratum.any():
            notes.append(
                f"{int(no_stratum.sum())} patients without a value of {strata.name} (the "
                "strata) were left out of the curves and of every Cox model."
            )
        usable &= strata.present()
        followed &= strata.present()
    n_total = len(df)
    if usable.sum() < 2:
        raise AnalysisError(
            "Fewer than two patients have both a follow-up time and an event status. "
            "Check the time and event columns."
        )
    if event[usable].sum() == 0:
        raise AnalysisError(
            f"No patient has the event ({spec.event} = '{level}'). Choose the value that "
            "means the event happened."
        )
    excluded = n_total - int(usable.sum())
    no_time = int(np.sum(np.isnan(time) | np.isnan(event)))
    if no_time:
        notes.insert(
            0,
            f"{no_time} of {n_total} patients had no follow-up time or event status "
            "and were left out.",
        )
    curves, at_risk, medians, lr_table, lr_test = _km_part(spec, time, event, usable, group, strata)
    covs, cov_notes = encode_covariates(df, spec, followed, group)
    notes += cov_notes
    uni, multi, ph, cox_stats, cox_notes = _cox_part(covs, followed, time, event, strata)
    # SD and IQR among the patients with a follow-up time and status: the crude models'.
    scales, scale_notes = scale_table(covs, followed, spec.effect_scale)
    notes += cox_notes + scale_notes
    response = Response("cox", event, time=time, strata=None if strata is None else strata.codes)
    subgroups, interactions, modifier_notes = modifier_tables(df, spec, response, covs, followed)
    notes += modifier_notes
    ph_global = ph.loc[ph["is_global"], "p_value"] if len(ph) else pd.Series(dtype=float)
    model = {
        "event": level,
        "time_source": source,
        "conf_type": spec.conf_type,
        "ties": "efron",
        "n_total": n_total,
        "n_used": int(usable.sum()),
        "n_excluded": excluded,
        "events": int(event[usable].sum()),
        "max_time": float(np.max(time[usable])),
        "median_follow_up": _median_follow_up(time[usable], event[usable]),
        "groups": tuple(medians["group"]),
        "covariates_in_model": tuple(c.name for c in covs),
        "strata": () if strata is None else tuple(spec.strata),
        "n_strata": None if strata is None else len(np.unique(strata.codes[usable])),
        "ph_global_p": float(ph_global.iloc[0]) if len(ph_global) else float("nan"),
        **lr_test,
        **{f"cox_{k}": v for k, v in cox_stats.items()},
    }
    return SurvivalResult(
        curves=curves,
        at_risk=at_risk,
        medians=medians,
        logrank=lr_table,
        univariable=rescale(uni, scales, ratio=True),
        multivariable=rescale(multi, scales, ratio=True),
        ph_test=ph,
        fit=SurvivalFit(**model),
        warnings=tuple(dict.fromkeys(notes)),
        scales=scales,
        subgroups=rescale(subgroups, scales, ratio=True),
        interactions=rescale(interactions, scales, ratio=True),
    )
