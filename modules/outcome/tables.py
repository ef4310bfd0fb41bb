"""Publication tables of an outcome analysis: display frames, escaped HTML tags, a tidy CSV frame.

Pure builders: no Shiny server code. Every string from the user's file goes through htmltools
tags, which escape it.
"""

from __future__ import annotations

import pandas as pd
from htmltools import Tag

from modules.outcome.result_view import ResultView
from modules.shared.effect_scale import (
    flagged_variables,
    per_wording,
    scale_notes,
    variable_heading,
)
from modules.shared.formatting import (
    DASH,
    NOT_ESTIMABLE,
    REFERENCE,
    fmt_ci,
    fmt_count,
    fmt_number,
    fmt_or_cell,
    fmt_p,
    fmt_ratio,
    is_number,
    method_name,
    p_phrase,
    readable_decimals,
    text_or_dash,
)
from modules.shared.model_csv import long_tables
from modules.shared.tables import html_table

OVERALL_P = "Overall p (LR test)"
MULTIVARIABLE_HEADINGS = (
    "Variable",
    "Level",
    "n",
    "Events",
    "Adjusted OR",
    "95% CI",
    "p",
    "Overall p",
)
TIDY_COLUMNS = (
    "table",
    "variable",
    "label",
    "level",
    "is_reference",
    "n",
    "events",
    "summary_no_event",
    "summary_event",
    "odds_ratio",
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",
    "per",  # the increment a continuous covariate's ORs are per (empty for factors)
    "per_text",  # "per unit", "per 10 units", "per SD (12.3)"
)
# Whose values the SD and IQR of a covariate come from (analyses/outcome.py).
SCALE_PATIENTS = "patients with a known outcome"


def _variables(frame: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The rows of each variable, in the table's order."""
    order = list(dict.fromkeys(frame["variable"]))
    return [(name, frame[frame["variable"] == name]) for name in order]


def _is_factor(rows: pd.DataFrame) -> bool:
    return bool((rows["level"].astype(str) != "").any())


def _row_class(first: bool, reference: bool) -> str:
    """CSS classes: a rule above each variable's first row, muted reference rows."""
    return " ".join(c for c, on in (("first", first), ("ref", reference)) if on)


def outcome_scale_notes(view: ResultView, tables: tuple[str, ...]) -> list[str]:
    return scale_notes(view.result, view.label, "OR", SCALE_PATIENTS, tables)


def combined_rows(view: ResultView) -> list[tuple[dict[str, str], str]]:
    """Each display row of the finalfit-style table with its CSS class."""
    no_head, yes_head = view.group_headings
    multi = view.result.multivariable
    in_model = set(multi["variable"])
    adjusted = {(r.variable, str(r.level)): r for r in multi.itertuples(index=False)}
    global_adjusted = {r.variable: r.global_p for r in multi.itertuples(index=False)}
    flagged = flagged_variables(view.result, ("univariable", "multivariable"))
    out: list[tuple[dict[str, str], str]] = []
    for name, rows in _variables(view.result.univariable):
        factor = _is_factor(rows)
        for i, r in enumerate(rows.itertuples(index=False)):
            if r.is_reference:
                crude = REFERENCE
                adj = REFERENCE if name in in_model else DASH
            else:
                crude = fmt_or_cell(r.estimate, r.ci_low, r.ci_high, r.p_value)
                m = adjusted.get((name, str(r.level)))
                adj = DASH if m is None else fmt_or_cell(m.estimate, m.ci_low, m.ci_high, m.p_value)
            row = {
                "Variable": variable_heading(view.result, view.label(name), name, flagged)
                if i == 0
                else "",
                "Level": str(r.level) if factor else view.summary_name,
                no_head: text_or_dash(r.summary_no_event),
                yes_head: text_or_dash(r.summary_event),
                "OR (univariable)": crude,
                "OR (multivariable)": adj,
            }
            out.append((row, _row_class(i == 0, bool(r.is_reference))))
        if factor and len(rows) > 2:
            overall = {
                "Variable": "",
                "Level": OVERALL_P,
                no_head: "",
                yes_head: "",
                "OR (univariable)": p_phrase(rows["global_p"].iloc[0]),
                "OR (multivariable)": p_phrase(global_adjusted.get(name)),
            }
            out.append((overall, "overall"))
    return out


def combined_columns(view: ResultView) -> list[str]:
    no_head, yes_head = view.group_headings
    return ["Variable", "Level", no_head, yes_head, "OR (univariable)", "OR (multivariable)"]


def combined_frame(view: ResultView) -> pd.DataFrame:
    """finalfit-style table as display strings: group summaries, crude and adjusted ORs."""
    rows = [row for row, _ in combined_rows(view)]
    return pd.DataFrame(rows, columns=combined_columns(view))


def multivariable_rows(view: ResultView) -> list[tuple[dict[str, str], str]]:
    out: list[tuple[dict[str, str], str]] = []
    flagged = flagged_variables(view.result, ("multivariable",))
    for name, rows in _variables(view.result.multivariable):
        factor = _is_factor(rows)
        several = factor and len(rows) > 2
        for i, r in enumerate(rows.itertuples(index=False)):
            ref = bool(r.is_reference)
            decimals = readable_decimals(r.ci_low, r.ci_high)
            row = {
                "Variable": variable_heading(view.result, view.label(name), name, flagged)
                if i == 0
                else "",
                "Level": str(r.level) if factor else "",
                "n": fmt_count(r.n),
                "Events": fmt_count(r.events),
                "Adjusted OR": REFERENCE if ref else _adjusted(r.estimate, decimals),
                "95% CI": "" if ref else fmt_ci(r.ci_low, r.ci_high),
                "p": "" if ref else fmt_p(r.p_value),
                "Overall p": fmt_p(r.global_p) if several and i == 0 else "",
            }
            out.append((row, _row_class(i == 0, ref)))
    return out


def _adjusted(estimate: object, decimals: int) -> str:
    ok = is_number(estimate) and float(estimate) > 0  # type: ignore[arg-type]
    return fmt_ratio(estimate, decimals) if ok else NOT_ESTIMABLE


def multivariable_frame(view: ResultView) -> pd.DataFrame:
    """The adjusted model as display strings: n, events, OR, 95% CI, p, overall p."""
    rows = [row for row, _ in multivariable_rows(view)]
    return pd.DataFrame(rows, columns=list(MULTIVARIABLE_HEADINGS))


def fit_frame(view: ResultView) -> pd.DataFrame:
    """Model fit as (Measure, Value) display strings."""
    m = view.result.fit
    used, total = m.n_used, m.n_total
    excluded = m.n_excluded
    patients = f"{fmt_count(used)} of {fmt_count(total)}"
    if is_number(excluded) and excluded:
        patients += f" ({fmt_count(excluded)} excluded for missing data)"
    auc = fmt_number(m.auc)
    if fmt_ci(m.auc_ci_low, m.auc_ci_high) != DASH:
        auc += f" ({fmt_number(m.auc_ci_low)}–{fmt_number(m.auc_ci_high)})"
    hl = fmt_p(m.hosmer_lemeshow_p)
    if is_number(m.hosmer_lemeshow_chi2) and hl != DASH:
        hl += f" (χ² {fmt_number(m.hosmer_lemeshow_chi2)}, df {m.hosmer_lemeshow_df})"
    screen = m.screen_p
    covariates = m.covariates_in_model
    rows = [
        ("Method", method_name(m.method)),
        ("Outcome (event)", f"{view.outcome_label} = {view.event}"),
        ("Patients used", patients),
        ("Events / non-events", f"{fmt_count(m.events)} / {fmt_count(m.non_events)}"),
        ("Events per variable", fmt_number(m.events_per_variable, 1)),
        ("AIC", fmt_number(m.aic, 1)),
        ("McFadden R²", fmt_number(m.mcfadden_r2, 3)),
        ("Nagelkerke R²", fmt_number(m.nagelkerke_r2, 3)),
        ("C-statistic (95% CI)", auc),
        ("Hosmer–Lemeshow p", hl),
        (
            "Selection for the multivariable model",
            "all candidates" if screen is None else f"univariable p < {screen:g}, plus forced",
        ),
        ("Variables in the model", ", ".join(view.label(c) for c in covariates) or DASH),
    ]
    return pd.DataFrame(rows, columns=["Measure", "Value"])


def tidy_frame(view: ResultView) -> pd.DataFrame:
    """Both tables in long form with numbers kept numeric, for CSV export (non-finite -> empty)."""
    texts = ("events", "summary_no_event", "summary_event")
    return long_tables(view, texts, "odds_ratio")[list(TIDY_COLUMNS)]


def combined_notes(view: ResultView) -> list[str]:
    """Footnotes that say how to read the finalfit-style table."""
    uni = view.result.univariable
    per = per_wording(view.result)
    notes = [
        f"OR: odds ratio of {view.outcome_label} = {view.event} with its 95% confidence interval "
        "and p-value. Univariable = crude; multivariable = adjusted for the other variables "
        f"in the model. {DASH} = not in the multivariable model; {NOT_ESTIMABLE} = no finite "
        "estimate (see the warnings).",
        "Categorical variables: n (%) of each outcome group; continuous variables: "
        f"{view.summary_name} and the OR {per}. {OVERALL_P}: likelihood-ratio "
        "test of the whole variable (categorical variables with more than two levels).",
    ]
    notes += outcome_scale_notes(view, ("univariable", "multivariable"))
    firth = list(dict.fromkeys(uni.loc[uni["method"] == "firth", "variable"]))
    if firth:
        names = ", ".join(view.label(v) for v in firth)
        notes.append(f"Crude ORs estimated with Firth's penalized method: {names}.")
    return notes


def fit_table(
    view: ResultView, table_id: str | None = "table-fit", caption: str | None = "Model fit"
) -> Tag:
    """The compact model fit table as tags."""
    return html_table(fit_frame(view), table_id=table_id, caption=caption)
