"""Pure builders for the new-variables card: column choices, each kind's options, the preview.

Column names, levels and labels come from users' files: everything is built with htmltools tags
(escaped). Inputs of the level editor carry indexes, never the users' strings.
"""

from __future__ import annotations

import re

import pandas as pd
from htmltools import Tag, TagList, tags
from shiny import ui

from modules.shared.per_dataset import per_dataset
from prep.expressions import FUNCTIONS
from prep.steps import Proposal
from prep.transforms import TRANSFORMS, default_name
from prep.values import is_numeric
from utils.dataset import FACTOR_KINDS, NUMERIC_KINDS, Dataset

KINDS = {
    "transform": "Rescale or transform a number",
    "cut": "Cut a number into groups",
    "combine": "Combine levels of a factor",
    "formula": "Formula from columns",
}
# what a kind of new variable starts from, as "The data has no ..." says it ("": no column)
SOURCES = {
    "transform": "numeric column",
    "cut": "numeric column",
    "combine": "factor with 3 levels or more",
    "formula": "",
}
CUT_BY = {"cutoffs": "at cut-offs I type", "quantiles": "into groups of equal size"}
QUANTILES = {str(k): f"{k} groups" + names for k, names in ((2, ""), (3, " (tertiles)"),
             (4, " (quartiles)"), (5, " (quintiles)"), (10, " (deciles)"))}  # fmt: skip
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def level_id(gen: int, i: int) -> str:
    return f"level_{gen}_{i}"


def column_choices(dataset: Dataset, what: str) -> dict[str, str]:
    """The columns a kind of new variable starts from: numbers, or factors of 3+ levels."""
    if what in ("transform", "cut"):
        return numeric_sources(dataset)
    if what == "combine":
        return factor_sources(dataset)
    return {}


@per_dataset
def numeric_sources(dataset: Dataset) -> dict[str, str]:
    """Numeric columns, name -> label. Once per data set (and for new data in the reading
    worker, tab.warm): the frame's dtypes alone take ~80 ms at 16,000 columns."""
    # dtypes read once: a column fetched from the frame each costs ~0.1 ms (16,000: 2 s)
    dtypes = dict(zip(dataset.df.columns, dataset.df.dtypes, strict=True))
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if m.kind in NUMERIC_KINDS and is_numeric(dtypes[n])
    }


@per_dataset
def factor_sources(dataset: Dataset) -> dict[str, str]:
    """Factors of three or more levels, name -> label."""
    return {
        n: m.label
        for n, m in dataset.columns.items()
        if m.kind in FACTOR_KINDS and len(m.levels) > 2
    }


def unique_name(dataset: Dataset, base: str) -> str:
    """base, or base_2, base_3 ... when a column already has that name."""
    taken = {c.casefold() for c in dataset.columns}
    name, k = base, 2
    while name.casefold() in taken:
        name, k = f"{base}_{k}", k + 1
    return name


def default_new_name(dataset: Dataset, what: str, column: str | None, how: str, units) -> str:
    if what == "formula" or not column:
        return ""
    if what == "transform":
        return unique_name(dataset, default_name(column, how, units))
    return unique_name(dataset, f"{column}_{'group' if what == 'cut' else 'combined'}")


def range_line(dataset: Dataset, column: str) -> Tag:
    values = pd.to_numeric(dataset.df[column], errors="coerce")
    if not values.notna().any():
        return tags.p(f"'{column}' has no values.", class_="small text-muted")
    return tags.p(
        f"'{column}' goes from {values.min():g} to {values.max():g} "
        f"({int(values.notna().sum()):,} values, {int(values.isna().sum()):,} missing).",
        class_="small text-muted mb-1",
        id="derive-range",
    )


def transform_options() -> TagList:
    return TagList(
        ui.input_select("how", "Transform", {k: v[0] for k, v in TRANSFORMS.items()}),
        ui.output_ui("units_box"),
    )


def units_box() -> Tag:
    return ui.input_numeric("units", "N units (per 10 years: 10)", value=10, min=0)


def cut_options(dataset: Dataset, column: str) -> TagList:
    return TagList(
        range_line(dataset, column),
        ui.input_radio_buttons("cut_by", "Cut", CUT_BY, selected="cutoffs", inline=True),
        ui.panel_conditional(
            "input.cut_by === 'cutoffs'",
            ui.input_text("cutoffs", "Cut-offs (each starts a group)", placeholder="e.g. 40, 65"),
        ),
        ui.panel_conditional(
            "input.cut_by === 'quantiles'",
            ui.input_select("groups", "Groups of equal size", QUANTILES, selected="4"),
        ),
        tags.p(
            "A group includes its lower boundary and not its upper one: [40, 65) is 40 up to "
            "65, without 65. The last group includes the largest value.",
            class_="small text-muted",
        ),
    )


def combine_options(levels: tuple[str, ...], counts: pd.DataFrame, gen: int) -> Tag:
    """One row per level: rows, and the group it goes into (blank = on its own)."""
    rows_of = dict(zip(counts["group"], counts["n"]))
    rows = [
        tags.tr(
            tags.td(tags.code(level)),
            tags.td(f"{int(rows_of.get(level, 0)):,}", class_="text-end"),
            tags.td(ui.input_text(level_id(gen, i), None, placeholder=level, width="100%")),
        )
        for i, level in enumerate(levels)
    ]
    return tags.div(
        tags.p(
            "Type the same group name for the levels to combine; a level left blank stays on "
            "its own.",
            class_="small text-muted",
        ),
        tags.table(
            tags.thead(tags.tr(tags.th("Level"), tags.th("Rows"), tags.th("New group"))),
            tags.tbody(*rows),
            class_="table table-sm align-middle",
            id="derive-levels",
        ),
    )


def formula_options(dataset: Dataset) -> TagList:
    dtypes = dict(zip(dataset.df.columns, dataset.df.dtypes, strict=True))
    usable = [n for n, m in dataset.columns.items() if is_numeric(dtypes[n]) or m.kind == "date"]
    shown = [n if _PLAIN.fullmatch(n) else f"`{n}`" for n in usable[:40]]
    return TagList(
        ui.input_text("formula", "Formula", placeholder="weight / (height / 100)^2", width="100%"),
        tags.p(
            "Use column names, numbers, + − * / ^ (power), brackets and "
            f"{', '.join(FUNCTIONS)}. Names with spaces go between backticks: `Weight (kg)`. "
            "Dates count in days: (end − start) / 365.25 is years.",
            class_="small text-muted mb-1",
        ),
        tags.p(
            tags.strong("Columns: "),
            ", ".join(shown) + (" …" if len(usable) > 40 else ""),
            class_="small text-muted",
            id="derive-usable",
        ),
    )


def name_field(default: str) -> Tag:
    return ui.input_text("name", "Name of the new column", value=default, placeholder="bmi")


def preview(proposal: Proposal | str | None) -> Tag | None:
    """What the new column would hold, or why it cannot be made."""
    if proposal is None:
        return None
    if isinstance(proposal, str):
        return tags.div(
            proposal, class_="alert alert-warning py-2 mb-2", id="derive-problem", role="alert"
        )
    p = proposal.preview
    parts: list[Tag] = []
    if p.counts is not None:
        parts.append(counts_table(p.counts, p.missing))
    elif p.summary:
        text = ", ".join(f"{k} {v}" for k, v in p.summary) + f"; missing {p.missing:,}"
        parts.append(tags.p(text, class_="mb-1", id="derive-summary"))
    if p.notes:
        parts.append(tags.ul(*(tags.li(n) for n in p.notes), class_="small text-muted mb-0"))
    return tags.div(
        tags.strong(f"Preview of '{p.column}'"),
        *parts,
        class_="border rounded p-2 mb-2",
        id="derive-preview-box",
    )


def counts_table(counts: pd.DataFrame, missing: int) -> Tag:
    """Groups with their rows and share: who is in which group."""
    rows = [
        tags.tr(tags.td(str(g)), tags.td(f"{int(n):,}", class_="text-end"),
                tags.td(f"{pct:.1f}%", class_="text-end"))
        for g, n, pct in zip(counts["group"], counts["n"], counts["percent"])
    ]  # fmt: skip
    if missing:
        cells = (tags.td("missing"), tags.td(f"{missing:,}", class_="text-end"), tags.td(""))
        rows.append(tags.tr(*cells, class_="text-muted"))
    return tags.table(
        tags.thead(tags.tr(tags.th("Group"), tags.th("Rows"), tags.th("%"))),
        tags.tbody(*rows),
        class_="table table-sm w-auto mb-1",
        id="derive-counts",
    )
