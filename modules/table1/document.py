"""Table 1 as a publishable table (TableDoc): what the page, the Word file and the CSV show.

Built from the same display rows as ever (view.display_rows), so every format has the same
text and rounding. The p-value's test is a footnote letter after it (superscript), explained
under the table; the CSV names the test in a column of its own beside the p-value.
"""

from __future__ import annotations

from htmltools import Tag

from modules.shared.table_doc import Span, TableDoc, row, table_doc
from modules.shared.tables import doc_table
from modules.table1.view import (
    OVERALL,
    Table1View,
    columns,
    display_rows,
    footnotes,
    headings,
    test_letters,
)

# What the CSV's Test column says: each test's name without the details of its footnote.
SHORT_TEST_NAMES = {
    "chi2": "Pearson's chi-squared test",
    "fisher": "Fisher's exact test",
    "fisher_exact_rxc": "Fisher–Freeman–Halton exact test",
    "fisher_mc": "Fisher–Freeman–Halton test (Monte Carlo p-value)",
    "welch": "Welch two-sample t-test",
    "mann_whitney": "Wilcoxon rank-sum (Mann–Whitney U) test",
    "anova": "One-way ANOVA",
    "kruskal": "Kruskal–Wallis rank-sum test",
}


def title(view: Table1View) -> str:
    group = f" by {view.label(view.group)}" if view.group else ""
    return f"Table 1. Baseline characteristics{group}"


def table1_doc(view: Table1View) -> TableDoc:
    """The table as shown: a spanning heading over the groups, one row per display row."""
    cols = columns(view)
    group_cols = [c for c in cols if c[0] != OVERALL]
    spans = ()
    if view.group and group_cols:
        spans = (Span(view.label(view.group), 1 + len(cols) - len(group_cols), len(group_cols)),)
    rows = []
    for r in display_rows(view):
        cells = [r.label, *r.cells]
        marks = [""] * len(cells)
        if view.has_p:
            cells.append(r.p)
            marks.append(r.letter)
        if view.has_smd:
            cells.append(r.smd)
            marks.append("")
        level = 0 if r.kind == "variable" else 1
        rows.append(row(*cells, level=level, bold=level == 0, marks=marks if any(marks) else ()))
    continuous = (view.result.variables["type"] == "continuous").any()
    tests = [(letter, SHORT_TEST_NAMES.get(t, t)) for t, letter in test_letters(view).items()]
    return table_doc(
        "table1",
        title(view),
        headings(view),
        rows,
        spans=spans,
        footnotes=footnotes(view),
        abbreviations=[("SD", "standard deviation"), ("IQR", "interquartile range")]
        if continuous
        else [],
        mark_notes=tests,
        mark_column="Test",
    )


def table_tag(view: Table1View, table_id: str | None = "table1-summary") -> Tag:
    """The table on the page (and in the report): the TableDoc drawn as escaped tags."""
    return doc_table(table1_doc(view), table_id=table_id, caption=False)


def tables(view: Table1View) -> tuple[TableDoc, ...]:
    """The tab's tables (one)."""
    return (table1_doc(view),)
