"""Regression tables (escaped htmltools), their tidy CSV, and the self-contained HTML report."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from htmltools import HTML, Tag, tags

from modules.regression import figures as regression_figures
from modules.regression.view import (
    RegressionView,
    estimate_cell,
    estimate_decimals,
    estimate_text,
    family_name,
    fit_rows,
    fmt_estimate,
    fmt_interval,
)
from modules.shared.csv_safety import csv_text
from modules.shared.effect_scale import (
    flagged_variables,
    per_wording,
    scale_caption,
    scale_notes,
    variable_heading,
)
from modules.shared.figures import ReportFigures
from modules.shared.formatting import DASH, REFERENCE, fmt_count, fmt_p, p_phrase, text_or_dash
from modules.shared.model_csv import long_tables
from modules.shared.modifier_view import Effect, report_section
from modules.shared.report import REPORT_CSS
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import html_table, plain_doc_table


def _variables(frame: pd.DataFrame):
    for name in dict.fromkeys(frame["variable"]):
        yield name, frame[frame["variable"] == name]


def _is_factor(rows: pd.DataFrame) -> bool:
    return bool((rows["level"].astype(str) != "").any())


# Whose values the SD and IQR of a covariate come from (analyses/regression.py).
SCALE_PATIENTS = "patients with a known outcome"


def _flagged(view: RegressionView, tables: tuple[str, ...]) -> set:
    return flagged_variables(view.result, tables, estimate_text(view.ratio))


def _heading(view: RegressionView, name: str, flagged: set) -> str:
    return variable_heading(view.result, view.label(name), name, flagged)


def summary_heading(view: RegressionView) -> str:
    if view.ratio and view.fit.exposure:
        return f"Rate of {view.outcome_label} (events / exposure)"
    return f"{view.outcome_label}: mean (SD)"


def combined_rows(view: RegressionView) -> list[tuple[dict[str, str], str]]:
    """The univariable + multivariable table as display rows, each with its CSS class."""
    name_uni, name_multi = (
        f"{view.estimate_name} (univariable)",
        f"{view.estimate_name} (multivariable)",
    )
    multi = view.result.multivariable
    in_model = set(multi["variable"])
    adjusted = {(r.variable, str(r.level)): r for r in multi.itertuples(index=False)}
    global_adjusted = {r.variable: r.global_p for r in multi.itertuples(index=False)}
    flagged = _flagged(view, ("univariable", "multivariable"))
    out = []
    for name, rows in _variables(view.result.univariable):
        factor = _is_factor(rows)
        for i, r in enumerate(rows.itertuples(index=False)):
            if r.is_reference:
                crude, adj = REFERENCE, REFERENCE if name in in_model else DASH
            else:
                crude = estimate_cell(r, view.ratio)
                m = adjusted.get((name, str(r.level)))
                adj = DASH if m is None else estimate_cell(m, view.ratio)
            row = {
                "Variable": _heading(view, name, flagged) if i == 0 else "",
                "Level": str(r.level) if factor else "Mean (SD) of the covariate",
                "n": fmt_count(r.n),
                summary_heading(view): text_or_dash(r.summary),
                name_uni: crude,
                name_multi: adj,
            }
            css = " ".join(c for c, on in (("first", i == 0), ("ref", r.is_reference)) if on)
            out.append((row, css))
        if factor and len(rows) > 2:
            overall = dict.fromkeys(out[-1][0], "")
            overall["Level"] = "Overall p (F test)" if not view.ratio else "Overall p (LR test)"
            overall[name_uni] = p_phrase(rows["global_p"].iloc[0])
            overall[name_multi] = p_phrase(global_adjusted.get(name))
            out.append((overall, "overall"))
    return out


def multivariable_rows(view: RegressionView) -> list[tuple[dict[str, str], str]]:
    """The adjusted model as display rows: n, estimate, 95% CI, p, overall p."""
    out = []
    flagged = _flagged(view, ("multivariable",))
    for name, rows in _variables(view.result.multivariable):
        factor = _is_factor(rows)
        for i, r in enumerate(rows.itertuples(index=False)):
            ref = bool(r.is_reference)
            d = estimate_decimals(r.ci_low, r.ci_high, view.ratio)
            row = {
                "Variable": _heading(view, name, flagged) if i == 0 else "",
                "Level": str(r.level) if factor else "",
                "n": fmt_count(r.n),
                view.estimate_name: REFERENCE if ref else fmt_estimate(r.estimate, view.ratio, d),
                "95% CI": "" if ref else fmt_interval(r.ci_low, r.ci_high, view.ratio, d),
                "p": "" if ref else fmt_p(r.p_value),
                "Overall p": fmt_p(r.global_p) if factor and len(rows) > 2 and i == 0 else "",
            }
            css = " ".join(c for c, on in (("first", i == 0), ("ref", ref)) if on)
            out.append((row, css))
    return out


def _doc(stem: str, pairs, title: str, notes: list[str]) -> TableDoc:
    frame = pd.DataFrame([row for row, _ in pairs])
    return frame_doc(stem, title, frame, footnotes=notes, text_columns=2)


def _table(doc: TableDoc, pairs, table_id) -> Tag:
    return plain_doc_table(doc, table_id=table_id, row_classes=[c for _, c in pairs])


def reading_notes(view: RegressionView) -> list[str]:
    """Footnotes saying what the estimates mean and how their CIs and p-values were made."""
    m = view.fit
    if view.ratio:
        per = f" per unit of {view.label(m.exposure)}" if m.exposure else ""
        scale = (
            f"IRR: incidence rate ratio{per}, exp(coefficient); 1 = no difference. "
            "95% CI and p-value from the Wald (z) test."
        )
    else:
        scale = (
            f"Coefficient: difference in mean {view.outcome_label} {per_wording(view.result)} "
            "(continuous) or against the reference level. 95% CI and p-value from the t test."
        )
    return [
        scale,
        f"{DASH} = not in the multivariable model. Overall p: "
        + ("F test" if not view.ratio else "likelihood-ratio test")
        + " of the whole variable (categorical variables with more than two levels).",
    ]


def outcome_scale_notes(view: RegressionView, tables: tuple[str, ...]) -> list[str]:
    text = estimate_text(view.ratio)
    name = view.estimate_name
    return scale_notes(view.result, view.label, name, SCALE_PATIENTS, tables, text, view.ratio)


def combined_doc(view: RegressionView) -> TableDoc:
    """The crude and adjusted estimates, as the page shows them."""
    caption = (
        f"{view.outcome_label}: univariable and multivariable analysis ({family_name(view)})"
        f"{scale_caption(view.result)}"
    )
    notes = reading_notes(view) + outcome_scale_notes(view, ("univariable", "multivariable"))
    return _doc("regression_crude_adjusted", combined_rows(view), caption, notes)


def multivariable_doc(view: RegressionView) -> TableDoc:
    """The adjusted model, as the page shows it."""
    m = view.fit
    caption = (
        f"Multivariable model: {fmt_count(m.n_used)} patients with complete data. "
        f"{family_name(view)}{scale_caption(view.result)}."
    )
    notes = reading_notes(view)[:1] + outcome_scale_notes(view, ("multivariable",))
    return _doc("regression_adjusted", multivariable_rows(view), caption, notes)


def documents(view: RegressionView) -> tuple[TableDoc, ...]:
    """The tab's tables (Word and CSV downloads), in the page's order."""
    return (combined_doc(view), multivariable_doc(view))


def combined_table(view: RegressionView, table_id: str | None = "regression-table") -> Tag:
    return _table(combined_doc(view), combined_rows(view), table_id)


def multivariable_table(view: RegressionView, table_id: str | None = "regression-multi") -> Tag:
    return _table(multivariable_doc(view), multivariable_rows(view), table_id)


TIDY_COLUMNS = (
    "table",
    "variable",
    "label",
    "level",
    "is_reference",
    "n",
    "summary",
    "estimate",
    "ci_low",
    "ci_high",
    "p_value",
    "global_p",
    "per",  # the increment a continuous covariate's estimates are per (empty for factors)
    "per_text",
)


def tidy_frame(view: RegressionView) -> pd.DataFrame:
    """Both tables in long form, numbers numeric (non-finite -> empty), for the CSV."""
    out = long_tables(view, ("summary",), "estimate")[list(TIDY_COLUMNS)]
    return out.rename(columns={"estimate": "irr" if view.ratio else "coefficient"})


def tables_csv(view: RegressionView) -> str:
    """The tidy tables as CSV text, with formula-like cells neutralised."""
    return csv_text(tidy_frame(view))


def file_stem(view: RegressionView) -> str:
    """medstat_regression_<outcome>, safe as a file name (the date and file follow)."""
    outcome = re.sub(r"[^A-Za-z0-9_-]+", "_", view.fit.outcome).strip("_")
    return f"medstat_regression_{outcome[:40] or 'outcome'}"


def effect_of(view: RegressionView) -> Effect:
    """Coefficients (mean differences) of a linear model, rate ratios of a count model."""
    if view.ratio:
        return Effect("IRR", "rate ratio", ratio=True)
    return Effect("Coefficient", "coefficient (mean difference)", ratio=False)


def html_report(view: RegressionView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML report: fit, warnings, tables and both plots (plotly inline)."""
    when = when or dt.datetime.now()
    figures = ReportFigures()
    forest = figures.html(regression_figures.forest_plot(view), "regression-forest-plot")
    resid = figures.html(regression_figures.diagnostics_plot(view), "regression-diagnostics-plot")
    fit = pd.DataFrame([(h, f"{v} ({n})" if n else v) for h, v, n in fit_rows(view)])
    fit.columns = ["Measure", "Value"]
    warnings = view.result.warnings
    title = f"Regression: {view.outcome_label}"
    doc = tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title(f"MedStat – {title}"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1(title),
            tags.p(
                f"Dataset: {view.dataset_name or DASH} · {family_name(view)} · "
                f"Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            tags.h2("Model fit"),
            html_table(fit),
            tags.h2("Warnings"),
            tags.ul(*[tags.li(w) for w in warnings]) if warnings else tags.p("None."),
            tags.h2("Univariable and multivariable analysis"),
            combined_table(view, table_id=None),
            tags.h2("Multivariable model"),
            multivariable_table(view, table_id=None),
            tags.h2("Forest plot"),
            HTML(forest),
            tags.h2("Residual diagnostics"),
            HTML(resid),
            report_section(view.result, view.label, effect_of(view), "regression", figures),
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
