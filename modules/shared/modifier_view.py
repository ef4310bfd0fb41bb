"""The "Subgroups and interactions" card of the Outcome, Regression and Survival tabs: the
subgroup forest plot (drawn by modules/shared/forest.py), the subgroup table and the
interaction effects per level. One builder for the three tabs; each passes its effect's name.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from htmltools import HTML, Tag, TagList, tags
from shiny import ui

from analyses.modifier_columns import ALL_PATIENTS
from modules.shared.analysis_tab import Download
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
from modules.shared.tables import html_table

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


def _tables(result, label, effect: Effect, prefix: str | None) -> list[Tag]:
    """The subgroup and interaction tables that have rows (ids only on the page)."""
    subgroups, interactions = result.subgroups, result.interactions
    parts = []
    if not subgroups.empty:
        parts.append(
            html_table(
                subgroup_frame(subgroups, label, effect),
                table_id=prefix and f"{prefix}-subgroup-table",
                caption=f"{effect.long.capitalize()} of the exposure within each subgroup",
                notes=[
                    "Each level's model has the same covariates as the adjusted model (a "
                    "covariate that does not vary within a level is left out there). p for "
                    "interaction: likelihood-ratio test of exposure × subgroup on all patients."
                ],
            )
        )
    if not interactions.empty:
        parts.append(
            html_table(
                interaction_frame(interactions, label, effect),
                table_id=prefix and f"{prefix}-interaction-table",
                caption=f"Interactions: {effect.long} of the exposure in each level of the "
                "modifier (adjusted model with exposure × modifier)",
                notes=[
                    "Effects per level are the exposure's coefficient plus its product term, "
                    "with the CI from the model's covariance matrix; the p for interaction is "
                    "the likelihood-ratio test of the product terms."
                ],
            )
        )
    return parts


def modifiers_card(result, label, effect: Effect, prefix: str) -> Tag | TagList:
    """The card's content: forest plot and tables, or a line saying how to ask for them."""
    if result.subgroups.empty and result.interactions.empty:
        return ui.p(EMPTY, class_="text-muted mb-0")
    parts = []
    if not result.subgroups.empty:
        figure = subgroup_figure(result.subgroups, label, effect)
        parts.append(plot_div(figure, f"{prefix}-subgroup-plot"))
    return TagList(*parts, *_tables(result, label, effect, prefix))


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
