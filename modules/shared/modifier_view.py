"""The "Subgroups and interactions" card of the Outcome, Regression and Survival tabs: the
subgroup forest plot (drawn by modules/shared/forest.py), the subgroup table and the
interaction effects per level. One builder for the three tabs; each passes its effect's name.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from htmltools import HTML, Tag, TagList, tags
from shiny import ui

from analyses.modifier_columns import ALL_PATIENTS
from modules.shared.analysis_tab import Card, Download, figure_card
from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures, plot_div
from modules.shared.forest import ForestRow, coefficient_axis, forest_figure, ratio_axis
from modules.shared.formatting import (
    fmt_ci,
    fmt_count,
    fmt_number,
    fmt_p,
    fmt_ratio,
    is_number,
    readable_decimals,
)
from modules.shared.modifier_controls import HEADING
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table

EMPTY = (
    "Choose an exposure and subgroup variables, or interaction terms, under 'Subgroups and "
    "interactions' in the settings, then press Run."
)


@dataclass(frozen=True)
class Effect:
    """What the tab's estimates are: 'OR' and 'odds ratio', ratio scale or not."""

    short: str
    long: str
    ratio: bool


ODDS_RATIO = Effect("OR", "odds ratio", ratio=True)
HAZARD_RATIO = Effect("HR", "hazard ratio", ratio=True)


def effect_text(effect: Effect, estimate, low, high) -> str:
    """'1.52 (1.10–2.10)' for ratios, '-2.1 (-3.4 to -0.8)' for coefficients."""
    if not is_number(estimate) or (effect.ratio and float(estimate) <= 0):
        return "not estimable"
    if effect.ratio:
        d = readable_decimals(low, high)
        return f"{fmt_ratio(estimate, d)} ({fmt_ci(low, high, d)})"
    return f"{fmt_number(estimate)} ({fmt_number(low)} to {fmt_number(high)})"


def _exposure_name(label: Callable[[str], str], variable: str, level: str) -> str:
    name = label(variable)
    return f"{name}: {level}" if level else name


def subgroup_frame(table: pd.DataFrame, label, effect: Effect) -> pd.DataFrame:
    """Display strings of the subgroup table, one row per level."""
    has_events = table["events"].notna().any()
    rows = []
    for r in table.itertuples(index=False):
        first = r.subgroup == ALL_PATIENTS
        row = {
            "Subgroup": ALL_PATIENTS if first else label(r.subgroup),
            "Level": "" if first else str(r.subgroup_level),
            "Exposure": _exposure_name(label, r.variable, str(r.level)),
            "n": fmt_count(r.n),
        }
        if has_events:
            row["Events"] = fmt_count(r.events)
        row[f"{effect.short} (95% CI)"] = effect_text(effect, r.estimate, r.ci_low, r.ci_high)
        row["p"] = fmt_p(r.p_value)
        row["p for interaction"] = "" if first else fmt_p(r.interaction_p)
        rows.append(row)
    return pd.DataFrame(rows)


def interaction_frame(table: pd.DataFrame, label, effect: Effect) -> pd.DataFrame:
    has_events = table["events"].notna().any()
    rows = []
    for r in table.itertuples(index=False):
        row = {
            "Exposure": _exposure_name(label, r.variable, str(r.level)),
            "Modifier": label(r.modifier),
            "Level": str(r.modifier_level),
            "n": fmt_count(r.n),
        }
        if has_events:
            row["Events"] = fmt_count(r.events)
        row[f"{effect.short} (95% CI)"] = effect_text(effect, r.estimate, r.ci_low, r.ci_high)
        row["p"] = fmt_p(r.p_value)
        row["p for interaction (LR)"] = f"{fmt_p(r.interaction_p)} (df {r.interaction_df})"
        rows.append(row)
    return pd.DataFrame(rows)


def forest_rows(table: pd.DataFrame, label, effect: Effect) -> list[ForestRow]:
    """All patients, then per subgroup variable a heading with its p for interaction and a
    row per level; several exposure levels are named on each row."""
    several = table["level"].astype(str).nunique() > 1
    rows: list[ForestRow] = []
    current = None
    for r in table.itertuples(index=False):
        if r.subgroup != ALL_PATIENTS and r.subgroup != current:
            current = r.subgroup
            heading = f"{label(r.subgroup)} (p for interaction {fmt_p(r.interaction_p)})"
            rows.append(ForestRow(f"<b>{html.escape(heading)}</b>", math.nan, math.nan,
                                  math.nan, False, heading=True))  # fmt: skip
        name = ALL_PATIENTS if r.subgroup == ALL_PATIENTS else f"  {r.subgroup_level}"
        if several:
            name += f" · {r.level}"
        count = f"n {fmt_count(r.n)}" + (
            f", {fmt_count(r.events)} events" if is_number(r.events) else ""
        )
        text = effect_text(effect, r.estimate, r.ci_low, r.ci_high)
        ok = is_number(r.estimate) and (not effect.ratio or float(r.estimate) > 0)
        rows.append(
            ForestRow(
                label=html.escape(name),
                estimate=float(r.estimate) if ok else math.nan,
                low=float(r.ci_low),
                high=float(r.ci_high),
                reference=False,
                p=float(r.p_value) if is_number(r.p_value) else math.nan,
                text=html.escape(f"{text}, {count}"),
                hover=html.escape(f"{name.strip()}: {effect.short} {text}, {count}"),
            )
        )
    return rows


def subgroup_figure(table: pd.DataFrame, label, effect: Effect) -> go.Figure:
    rows = forest_rows(table, label, effect)
    exposure = _exposure_name(label, table["variable"].iloc[0], "")
    scale = "log scale" if effect.ratio else "difference"
    return forest_figure(
        rows,
        ratio_axis(rows) if effect.ratio else coefficient_axis(rows),
        title=html.escape(f"{effect.long.capitalize()} of {exposure} by subgroup"),
        axis_title=html.escape(f"{effect.long.capitalize()} (95% CI), {scale}"),
        point_name=html.escape(f"{effect.short} (95% CI)"),
        column_heading=html.escape(f"{effect.short} (95% CI), n"),
        right_px=300,
    )


SUBGROUP_NOTE = (
    "Each level's model has the same covariates as the adjusted model (a covariate that does "
    "not vary within a level is left out there). p for interaction: likelihood-ratio test of "
    "exposure × subgroup on all patients."
)
INTERACTION_NOTE = (
    "Effects per level are the exposure's coefficient plus its product term, with the CI from "
    "the model's covariance matrix; the p for interaction is the likelihood-ratio test of the "
    "product terms."
)


def _abbreviations(effect: Effect) -> tuple[tuple[str, str], ...]:
    ci = ("CI", "confidence interval")
    return ((effect.short, effect.long), ci) if effect.ratio else (ci,)


def _docs(result, label, effect: Effect, tab: str) -> list[tuple[str, TableDoc]]:
    """(kind, TableDoc) of the subgroup and interaction tables that have rows."""
    docs = []
    if not result.subgroups.empty:
        doc = frame_doc(
            f"{tab}_subgroups",
            f"{effect.long.capitalize()} of the exposure within each subgroup",
            subgroup_frame(result.subgroups, label, effect),
            footnotes=[SUBGROUP_NOTE],
            abbreviations=_abbreviations(effect),
            text_columns=3,
        )
        docs.append(("subgroup", doc))
    if not result.interactions.empty:
        doc = frame_doc(
            f"{tab}_interactions",
            f"Interactions: {effect.long} of the exposure in each level of the modifier "
            "(adjusted model with exposure × modifier)",
            interaction_frame(result.interactions, label, effect),
            footnotes=[INTERACTION_NOTE],
            abbreviations=_abbreviations(effect),
            text_columns=3,
        )
        docs.append(("interaction", doc))
    return docs


def modifier_docs(result, label, effect: Effect, tab: str) -> tuple[TableDoc, ...]:
    """The subgroup and interaction tables that have rows, as TableDocs (`<tab>_subgroups`,
    `<tab>_interactions`), for the tab's `tables`: the page, the report, the Word file and the
    CSV all show these."""
    return tuple(doc for _, doc in _docs(result, label, effect, tab))


def _tables(result, label, effect: Effect, prefix: str | None) -> list[Tag]:
    """The subgroup and interaction tables that have rows (ids only on the page)."""
    return [
        plain_doc_table(doc, table_id=prefix and f"{prefix}-{kind}-table")
        for kind, doc in _docs(result, label, effect, prefix or "report")
    ]


def modifiers_figure(result, label, effect: Effect) -> go.Figure | None:
    """The subgroup forest plot, or None when no subgroups were asked for."""
    return None if result.subgroups.empty else subgroup_figure(result.subgroups, label, effect)


def modifiers_stem(result, label) -> tuple[str, ...]:
    """subgroups_<exposure>: the file says whose effect it shows."""
    if result.subgroups.empty:
        return ("subgroups",)
    return ("subgroups", label(str(result.subgroups["variable"].iloc[0])))


def modifiers_card(result, label, effect: Effect, prefix: str, figure=None) -> Tag | TagList:
    """The card's content: forest plot (`figure`, with the user's words when given) and
    tables, or a line saying how to ask for them."""
    if result.subgroups.empty and result.interactions.empty:
        return ui.p(EMPTY, class_="text-muted mb-0")
    parts = []
    if not result.subgroups.empty:
        figure = figure if figure is not None else subgroup_figure(result.subgroups, label, effect)
        parts.append(plot_div(figure, f"{prefix}-subgroup-plot"))
    return TagList(*parts, *_tables(result, label, effect, prefix))


def modifiers_figure_card(
    result_of: Callable[[Any], Any],
    label_of: Callable[[Any], Callable[[str], str]],
    effect_of: Callable[[Any], Effect],
    prefix: str,
) -> Card:
    """The "Subgroups and interactions" card of a tab, its forest plot with the framework's
    download panel (subgroups_<exposure>.svg): one declaration for the three tabs."""
    return figure_card(
        "modifiers_out",
        HEADING,
        lambda view: modifiers_figure(result_of(view), label_of(view), effect_of(view)),
        lambda view: modifiers_stem(result_of(view), label_of(view)),
        lambda view, fig: modifiers_card(
            result_of(view), label_of(view), effect_of(view), prefix, fig
        ),
    )


def with_modifier_docs(
    tables: Callable[[Any], Sequence[TableDoc]],
    result_of: Callable[[Any], Any],
    label_of: Callable[[Any], Callable[[str], str]],
    effect_of: Callable[[Any], Effect],
    tab: str,
) -> Callable[[Any], tuple[TableDoc, ...]]:
    """A tab's `tables` followed by its subgroup and interaction tables when it has them."""

    def all_tables(view) -> tuple[TableDoc, ...]:
        found = modifier_docs(result_of(view), label_of(view), effect_of(view), tab)
        return (*tables(view), *found)

    return all_tables


def report_section(
    result, label, effect: Effect, prefix: str, figures: ReportFigures | None = None
) -> Tag | None:
    """The report's section (None when nothing was asked); its figure is drawn by the report's
    `figures` (inline SVG; one of its own when not given)."""
    if result.subgroups.empty and result.interactions.empty:
        return None
    parts: list = [tags.h2("Subgroups and interactions")]
    if not result.subgroups.empty:
        figure = subgroup_figure(result.subgroups, label, effect)
        div_id = f"{prefix}-subgroup-plot"
        parts.append(HTML((figures or ReportFigures()).html(figure, div_id)))
    return tags.section(*parts, *_tables(result, label, effect, None))


def modifiers_csv(result, label) -> str:
    """Both tables in long form, numbers numeric, with the user's labels beside the names."""
    parts = [
        frame.assign(table=name)
        for name, frame in (("subgroups", result.subgroups), ("interactions", result.interactions))
        if not frame.empty
    ]
    if not parts:
        return csv_text(pd.DataFrame({"note": [EMPTY]}))
    frame = pd.concat(parts, ignore_index=True).drop(columns=["is_reference"])
    frame.insert(0, "table", frame.pop("table"))
    frame["variable_label"] = frame["variable"].map(label)
    return csv_text(frame)


def modifiers_download(result_of: Callable[[Any], Any], label_of) -> Download:
    """The tab's extra download: the subgroup and interaction tables as CSV."""
    return Download(
        "download_modifiers",
        "Subgroups and interactions (CSV)",
        "subgroups.csv",
        lambda view: modifiers_csv(result_of(view), label_of(view)),
    )
