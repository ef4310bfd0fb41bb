"""Tables of a survival analysis: medians, numbers at risk, hazard ratios, PH check, CSV frame.

Pure builders: display frames of strings and escaped htmltools tables (every user string goes
through tags). Numbers read like R's print.survfit and gtsummary: medians with NR where a
limit is not reached, hazard ratios to two decimals, p to three.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from htmltools import Tag

from modules.shared.effect_scale import (
    MARK,
    Scales,
    flagged_variables,
    scale_caption,
    scale_columns,
    scale_notes,
)
from modules.shared.formatting import (
    DASH,
    REFERENCE,
    fmt_count,
    fmt_number,
    fmt_or_cell,
    fmt_p,
    is_number,
    p_phrase,
)
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table
from modules.survival.view import SurvivalView, fmt_time, p_text

NOT_REACHED = "NR"
COUNT_COLUMNS = ("n", "events", "df", "n_risk", "n_event", "n_censor")
BANDS = {"log": "log (R's default)", "log-log": "log-log", "plain": "plain (linear)"}
# Whose values the SD and IQR of a covariate come from (analyses/survival.py).
SCALE_PATIENTS = "patients with a follow-up time and an event status"
COX_TABLES = ("univariable", "multivariable")


def median_cell(median: object, low: object, high: object) -> str:
    """'270 (212–310)'; a limit the curve or band never reaches is NR, as gtsummary prints."""

    def part(v: object) -> str:
        return fmt_time(v) if is_number(v) else NOT_REACHED

    return f"{part(median)} ({part(low)}–{part(high)})"


def medians_frame(view: SurvivalView) -> pd.DataFrame:
    lr = {r.group: r for r in view.result.logrank.itertuples(index=False)}
    rows = []
    for r in view.result.medians.itertuples(index=False):
        seen = lr.get(r.group)
        rows.append(
            {
                "Group": view.group_name(r.group),
                "n": fmt_count(r.n),
                "Events": fmt_count(r.events),
                "Median survival (95% CI)": median_cell(r.median, r.ci_low, r.ci_high),
                "Expected events (log-rank)": fmt_number(seen.expected, 1) if seen else DASH,
            }
        )
    return pd.DataFrame(rows)


def logrank_text(view: SurvivalView) -> str:
    m = view.result.fit
    if not is_number(m.logrank_chi2):
        return "Log-rank test: needs a grouping variable with at least two groups."
    return f"Log-rank test: χ² = {m.logrank_chi2:.2f}, df = {m.logrank_df}, {p_text(m.logrank_p)}"


def medians_doc(view: SurvivalView) -> TableDoc:
    band = BANDS.get(view.result.fit.conf_type, "")
    notes = [
        logrank_text(view),
        "Median: first time the Kaplan–Meier curve reaches 50% (R's print.survfit); its 95% "
        f"CI from the pointwise {band} band. {NOT_REACHED} = not reached.",
    ]
    caption = f"Median survival ({view.event_text})"
    return frame_doc("survival_medians", caption, medians_frame(view), footnotes=notes)


def medians_table(view: SurvivalView, table_id: str | None = "survival-medians") -> Tag:
    return plain_doc_table(medians_doc(view), table_id=table_id)


def risk_frame(view: SurvivalView) -> pd.DataFrame:
    table = view.result.at_risk
    times = sorted(set(table["time"]))
    rows = []
    for group in view.groups:
        mine = table[table["group"] == group].set_index("time")
        cells = {
            fmt_time(t): f"{int(mine.at[t, 'n_risk'])} ({int(mine.at[t, 'events'])})" for t in times
        }
        rows.append({"Group": view.group_name(group), **cells})
    return pd.DataFrame(rows)


def risk_doc(view: SurvivalView) -> TableDoc:
    caption = f"Number at risk (cumulative events) by {view.time_label}"
    return frame_doc("survival_at_risk", caption, risk_frame(view))


def risk_table(view: SurvivalView, table_id: str | None = "survival-risk-table") -> Tag:
    return plain_doc_table(risk_doc(view), table_id=table_id)


def _is_factor(rows: pd.DataFrame) -> bool:
    return bool((rows["level"].astype(str) != "").any())


def hazard_rows(view: SurvivalView) -> list[tuple[dict[str, str], str]]:
    """finalfit-style rows: crude and adjusted HR (95% CI, p) side by side, per level."""
    uni, multi = view.result.univariable, view.result.multivariable
    adjusted = {(r.variable, str(r.level)): r for r in multi.itertuples(index=False)}
    scales, flagged = Scales.of(view.result), flagged_variables(view.result, COX_TABLES)
    out = []
    for name in dict.fromkeys(uni["variable"]):
        rows = uni[uni["variable"] == name]
        factor = _is_factor(rows)
        for i, r in enumerate(rows.itertuples(index=False)):
            m = adjusted.get((name, str(r.level)))
            if r.is_reference:
                crude, adj = REFERENCE, REFERENCE if m is not None else DASH
            else:
                crude = fmt_or_cell(r.estimate, r.ci_low, r.ci_high, r.p_value)
                adj = DASH if m is None else fmt_or_cell(m.estimate, m.ci_low, m.ci_high, m.p_value)
            label = view.label(name) + (f" {MARK}" if name in flagged else "")
            row = {
                "Variable": label if i == 0 else "",
                "Level": str(r.level) if factor else (scales.text(name) or "per unit"),
                "n": fmt_count(r.n),
                "Events": fmt_count(r.events),
                "HR (univariable)": crude,
                "HR (multivariable)": adj,
            }
            classes = " ".join(c for c, on in (("first", i == 0), ("ref", r.is_reference)) if on)
            out.append((row, classes))
        if factor and len(rows) > 2:
            m_rows = multi[multi["variable"] == name]
            overall = {
                "Variable": "",
                "Level": "Overall p (LR test)",
                "n": "",
                "Events": "",
                "HR (univariable)": p_phrase(rows["global_p"].iloc[0]),
                "HR (multivariable)": p_phrase(m_rows["global_p"].iloc[0]) if len(m_rows) else "",
            }
            out.append((overall, "overall"))
    return out


def hazard_doc(view: SurvivalView) -> TableDoc:
    m = view.result.fit
    caption = (
        f"Cox proportional hazards: {view.event_text}. Multivariable model: "
        f"{fmt_count(m.cox_n_used)} patients with complete data, "
        f"{fmt_count(m.cox_events)} events{scale_caption(view.result)}"
    )
    notes = [
        "HR: hazard ratio (95% CI, Wald p). Univariable = crude: each variable alone, on every "
        "patient with follow-up and that variable (n per row); multivariable = adjusted for the "
        "other variables, on the patients complete for all of them. Ties by Efron's method "
        "(R's default). Overall p: likelihood-ratio test of the whole variable on the same "
        "patients.",
        f"Model likelihood-ratio test: χ² = {fmt_number(m.cox_lr_chi2)}, "
        f"df = {DASH if m.cox_lr_df is None else m.cox_lr_df}, {p_text(m.cox_lr_p)}.",
        *scale_notes(view.result, view.label, "HR", SCALE_PATIENTS, COX_TABLES),
    ]
    frame = pd.DataFrame([row for row, _ in hazard_rows(view)])
    return frame_doc("survival_hazard_ratios", caption, frame, footnotes=notes, text_columns=2)


def hazard_table(view: SurvivalView, table_id: str | None = "survival-table") -> Tag:
    classes = [c for _, c in hazard_rows(view)]
    return plain_doc_table(hazard_doc(view), table_id=table_id, row_classes=classes)


def ph_frame(view: SurvivalView) -> pd.DataFrame:
    rows = [
        {
            "Variable": "Global" if r.is_global else view.label(r.variable),
            "χ²": fmt_number(r.chi2),
            "df": str(int(r.df)),
            "p": fmt_p(r.p_value),
        }
        for r in view.result.ph_test.itertuples(index=False)
    ]
    return pd.DataFrame(rows, columns=["Variable", "χ²", "df", "p"])


def ph_doc(view: SurvivalView) -> TableDoc:
    notes = [
        "Score test of the scaled Schoenfeld residuals against time (Kaplan–Meier transform), "
        "per variable and global, as R's cox.zph. p < 0.05 suggests the hazard ratio changes "
        "over follow-up (proportional hazards doubtful)."
    ]
    caption = "Proportional-hazards check (multivariable model)"
    return frame_doc("survival_ph_check", caption, ph_frame(view), footnotes=notes)


def ph_table(view: SurvivalView, table_id: str | None = "survival-ph") -> Tag:
    return plain_doc_table(ph_doc(view), table_id=table_id)


def documents(view: SurvivalView) -> tuple[TableDoc, ...]:
    """The tab's tables in the page's order (the Cox tables when there are models)."""
    docs = [risk_doc(view), medians_doc(view)]
    if len(view.result.univariable):
        docs.append(hazard_doc(view))
        if len(view.result.ph_test):
            docs.append(ph_doc(view))
    return tuple(docs)


def _with_scale(frame: pd.DataFrame, view: SurvivalView) -> pd.DataFrame:
    """A Cox table with `per` and `per_text`: what each continuous covariate's HR is per."""
    if frame.empty:
        return frame
    return pd.concat([frame, scale_columns(frame, Scales.of(view.result))], axis=1)


def tidy_frame(view: SurvivalView) -> pd.DataFrame:
    """Every table in long form with numbers numeric (non-finite -> empty), for CSV export."""
    r = view.result
    parts = [
        r.medians.assign(table="median_survival"),
        r.logrank.assign(table="logrank"),
        _with_scale(r.univariable, view).assign(table="cox_univariable"),
        _with_scale(r.multivariable, view).assign(table="cox_multivariable"),
        r.ph_test.assign(table="ph_test"),
        r.at_risk.assign(table="at_risk"),
        r.curves.assign(table="kaplan_meier"),
    ]
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True)
    if "variable" in frame:  # the user's label next to each column name
        labels = [view.label(v) if isinstance(v, str) else v for v in frame["variable"]]
        frame.insert(frame.columns.get_loc("variable") + 1, "label", labels)
    frame = frame[["table"] + [c for c in frame.columns if c != "table"]]
    for column in frame.columns:
        if column in COUNT_COLUMNS:  # counts stay whole numbers despite the empty cells
            frame[column] = frame[column].astype("Int64")
        elif pd.api.types.is_float_dtype(frame[column]):
            frame[column] = frame[column].where(np.isfinite(frame[column]))
    return frame
