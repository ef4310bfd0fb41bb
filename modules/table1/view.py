"""Pure builders for the Table 1 page: display rows, the escaped table, footnotes, status lines.

Every string from the user's file (column names, labels, levels) reaches the page through
htmltools tags, which escape it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import pandas as pd
from htmltools import TagList, tags

from analyses.encoding import POSITIVE_LEVELS
from modules.shared.formatting import DASH, fmt_count, fmt_p, is_number
from modules.shared.labelled import Labelled

if TYPE_CHECKING:
    from analyses.results import Table1Result


OVERALL = "Overall"  # the analysis names the all-patients column so (analyses/table1.py)
SMD_IMBALANCE = 0.1
# Test keys of analyses/table1_tests.py and how a paper names them (a unit test keeps the keys).
TEST_NAMES = {
    "chi2": "Pearson's chi-squared test",
    "fisher": "Fisher's exact test",
    "fisher_exact_rxc": "Fisher–Freeman–Halton exact test (tables larger than 2×2 with an "
    "expected count below 5; exact p-value, as R's fisher.test)",
    "fisher_mc": "Fisher–Freeman–Halton exact test, Monte Carlo p-value from {resamples:,} "
    "random tables with the observed margins (tables larger than 2×2 with an expected count "
    "below 5 that are too large for the exact computation)",
    "welch": "Welch two-sample t-test",
    "mann_whitney": "Wilcoxon rank-sum (Mann–Whitney U) test",
    "anova": "One-way ANOVA",
    "kruskal": "Kruskal–Wallis rank-sum test",
}
LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Table1View(Labelled):
    """A Table1Result plus display context and the user's display choices."""

    result: Table1Result
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""
    show_overall: bool = True
    show_p: bool = True
    show_smd: bool = True
    show_missing: bool = True

    @property
    def group(self) -> str | None:
        return self.result.info.group

    @property
    def group_levels(self) -> tuple[str, ...]:
        return self.result.info.group_levels

    @property
    def has_p(self) -> bool:
        return self.show_p and len(self.group_levels) >= 2

    @property
    def has_smd(self) -> bool:
        return self.show_smd and len(self.group_levels) == 2

    def with_options(self, **options: bool) -> Table1View:
        return replace(self, **options)


@dataclass(frozen=True)
class Row:
    """One display row: the characteristic, a cell per column, p (with its letter) and SMD."""

    label: str
    cells: tuple[str, ...]
    kind: str  # "variable", "level" or "missing"
    p: str = ""
    letter: str = ""
    smd: str = ""
    first: bool = False


def columns(view: Table1View) -> list[tuple[str, str, int]]:
    """(group key, heading, n) of each summary column shown, Overall first."""
    sizes = dict(zip(view.result.groups["group"], view.result.groups["n"]))
    shown = [OVERALL] if (view.show_overall or not view.group_levels) else []
    shown += list(view.group_levels)
    return [(g, g, int(sizes.get(g, 0))) for g in shown]


def _decimals(spread: float) -> int:
    """One decimal for everyday clinical scales, more for small ones (0.35 -> 2)."""
    if not is_number(spread) or spread <= 0:
        return 1
    return int(min(4, max(1, 1 - math.floor(math.log10(spread)))))


def _num(value: object, d: int) -> str:
    return f"{float(value):.{d}f}" if is_number(value) else DASH  # type: ignore[arg-type]


def _numeric_cell(cell, summary: str, d: int) -> str:
    if not cell.n:
        return DASH
    if summary.startswith("median"):
        return f"{_num(cell.median, d)} [{_num(cell.q1, d)}, {_num(cell.q3, d)}]"
    return f"{_num(cell.mean, d)} ({_num(cell.sd, d)})"


def _count_cell(cell) -> str:
    if not cell.total:
        return DASH
    return f"{fmt_count(cell.n)} ({_num(cell.percent, 1)})"


def test_letters(view: Table1View) -> dict[str, str]:
    """A footnote letter for each test used, in order of first use (gtsummary's style)."""
    used = [t for t in view.result.variables["test"] if t] if view.has_p else []
    return {t: LETTERS[i] for i, t in enumerate(dict.fromkeys(used))}


def _smd_text(value: object) -> str:
    return _num(value, 2) if is_number(value) else DASH


def _missing_row(view: Table1View, cells: pd.DataFrame, keys: list[str]) -> Row | None:
    by_group = dict(zip(cells["group"], cells["missing"]))
    if not view.show_missing or not any(by_group.get(k, 0) for k in keys):
        return None
    return Row("Missing", tuple(fmt_count(by_group.get(k, 0)) for k in keys), "missing")


def _shown_level(levels: list[str]) -> str | None:
    """The level a yes/no variable is shown by (one row), or None to list every level."""
    positive = [lv for lv in levels if lv.strip().lower() in POSITIVE_LEVELS]
    return positive[0] if len(levels) == 2 and len(positive) == 1 else None


def display_rows(view: Table1View) -> list[Row]:
    """The table's rows, top to bottom, as display strings."""
    keys = [k for k, _, _ in columns(view)]
    letters = test_letters(view)
    cells_by_var = dict(tuple(view.result.cells.groupby("variable", sort=False)))
    out: list[Row] = []
    for var in view.result.variables.itertuples(index=False):
        cells = cells_by_var.get(var.variable, view.result.cells.iloc[0:0])
        p = fmt_p(var.p_value) if view.has_p else ""
        letter = letters.get(var.test, "") if view.has_p and is_number(var.p_value) else ""
        smd = _smd_text(var.smd) if view.has_smd else ""
        name = view.label(var.variable)
        if var.type == "continuous":
            overall = cells[cells["group"] == OVERALL].iloc[0]
            spread = overall.q3 - overall.q1 if var.summary.startswith("median") else overall.sd
            # overall["mean"]: overall.mean is the Series method (a constant column, sd 0)
            d = _decimals(spread if is_number(spread) and spread > 0 else abs(overall["mean"]) / 10)
            by_group = {c.group: c for c in cells.itertuples(index=False)}
            texts = tuple(_numeric_cell(by_group[k], var.summary, d) for k in keys)
            out.append(Row(f"{name}, {var.summary}", texts, "variable", p, letter, smd, True))
        else:
            levels = list(dict.fromkeys(cells["level"]))
            one = _shown_level(levels)
            by_level = {(c.level, c.group): c for c in cells.itertuples(index=False)}
            if one is not None:
                texts = tuple(_count_cell(by_level[(one, k)]) for k in keys)
                label = f"{name}: {one}, n (%)"
                out.append(Row(label, texts, "variable", p, letter, smd, True))
            else:
                blank = tuple("" for _ in keys)
                out.append(Row(f"{name}, n (%)", blank, "variable", p, letter, smd, True))
                for level in levels:
                    texts = tuple(_count_cell(by_level[(level, k)]) for k in keys)
                    out.append(Row(level, texts, "level"))
        missing = _missing_row(view, cells, keys)
        if missing is not None:
            out.append(missing)
    return out


def headings(view: Table1View) -> list[str]:
    """Column headings under the grouping column's spanning heading: one per cell of a row."""
    heads = ["Characteristic"]
    heads += [f"{text} (N = {fmt_count(n)})" for _, text, n in columns(view)]
    if view.has_p:
        heads.append("p-value")
    if view.has_smd:
        heads.append("SMD")
    return heads


def footnotes(view: Table1View) -> list[str]:
    """How to read the table: summaries, the automatic rule, each test's letter, SMD, missing."""
    info = view.result.info
    variables = view.result.variables
    notes = [
        "n (%): patients with the level among those with a value of the variable (missing "
        "values are not in the denominators)."
    ]
    numeric = variables[variables["type"] == "continuous"]
    if len(numeric):
        summary = info.summary
        chosen = {
            "auto": f"chosen for each variable: {info.normality_rule}",
            "mean": "mean (SD) for every variable, as chosen",
            "median": "median [IQR] for every variable, as chosen",
        }[summary if summary in ("auto", "mean", "median") else "auto"]
        forced = numeric.loc[numeric["reason"] == "user", "variable"].tolist()
        note = f"Numbers: mean (SD) or median [IQR] (25th–75th percentile), {chosen}."
        if forced and summary == "auto":
            names = ", ".join(view.label(v) for v in forced)
            note += f" Set by the user: {names}."
        notes.append(note)
    resamples = info.fisher_resamples
    for test, letter in test_letters(view).items():
        name = TEST_NAMES.get(test, test).format(resamples=resamples)
        notes.append(f"{letter} {name}")
    if view.has_smd:
        notes.append(
            "SMD: absolute standardised mean difference between the two groups (numbers: "
            "difference in means / √((SD₁² + SD₂²) / 2); categories: Yang & Dalton's "
            f"multi-category SMD, as in R's tableone). Above {SMD_IMBALANCE:g} is often read "
            "as imbalance."
        )
    if info.n_group_missing:
        notes.append(
            f"{fmt_count(info.n_group_missing)} patients with no value of "
            f"{view.label(view.group or '')} are not in the table."
        )
    return notes


def done_text(view: Table1View, seconds: float | None) -> str:
    info = view.result.info
    took = f" in {seconds:.1f} s" if seconds is not None else ""
    n_vars = len(view.result.variables)
    by = f", by {view.label(view.group)}" if view.group else ""
    return f"Done{took}: {n_vars} variables, {fmt_count(info.n_used)} patients{by}."


def plot_note(view: Table1View) -> TagList:
    """Why there is no SMD plot, when there is none."""
    if len(view.group_levels) == 2:
        return TagList()
    return TagList(
        tags.p(
            "The plot of standardised mean differences needs a grouping column with exactly "
            "two groups.",
            class_="text-muted small mb-0",
        )
    )
