"""The outcome analysis's two publishable tables (TableDocs), and the page's tables drawn
from them: the crude-and-adjusted (finalfit-style) table and the adjusted model.

The page, the report, the Word file and the CSV all show these TableDocs, built from the
display rows of tables.py, so they cannot disagree.
"""

from __future__ import annotations

from htmltools import Tag

from modules.outcome.result_view import ResultView
from modules.outcome.tables import (
    MULTIVARIABLE_HEADINGS,
    combined_columns,
    combined_notes,
    combined_rows,
    multivariable_rows,
    outcome_scale_notes,
)
from modules.shared.effect_scale import Scales, scale_caption
from modules.shared.formatting import fmt_count, method_name
from modules.shared.table_doc import TableDoc, row, table_doc
from modules.shared.tables import plain_doc_table

ABBREVIATIONS = (("OR", "odds ratio"), ("CI", "confidence interval"))


def _rows(pairs: list[tuple[dict[str, str], str]], columns: list[str]):
    return [row(*(cells[c] for c in columns), level=0) for cells, _ in pairs]


def combined_doc(view: ResultView) -> TableDoc:
    """Group summaries with crude and adjusted ORs, one row per level."""
    columns = combined_columns(view)
    return table_doc(
        "outcome_crude_adjusted",
        f"{view.outcome_label}: univariable and multivariable logistic regression"
        + scale_caption(view.result),
        columns,
        _rows(combined_rows(view), columns),
        footnotes=combined_notes(view),
        abbreviations=ABBREVIATIONS,
        text_columns=2,
    )


def multivariable_doc(view: ResultView) -> TableDoc:
    """The adjusted model, with the patients and events it used in the title."""
    m = view.result.fit
    title = (
        f"Multivariable model: {fmt_count(m.n_used)} patients with complete data, "
        f"{fmt_count(m.events)} with {view.outcome_label} = {view.event}. "
        f"{method_name(m.method)}{scale_caption(view.result)}."
    )
    unit = not Scales.of(view.result).used()  # else the scale note below says what ORs are per
    notes = [
        ("Continuous variables: OR per one-unit increase. " if unit else "")
        + "Overall p: likelihood-ratio test of "
        "the whole variable (categorical variables with more than two levels).",
        *outcome_scale_notes(view, ("multivariable",)),
    ]
    columns = list(MULTIVARIABLE_HEADINGS)
    return table_doc(
        "outcome_adjusted",
        title,
        columns,
        _rows(multivariable_rows(view), columns),
        footnotes=notes,
        abbreviations=ABBREVIATIONS,
        text_columns=2,
    )


def tables(view: ResultView) -> tuple[TableDoc, ...]:
    """The tab's tables, in the page's order."""
    return (combined_doc(view), multivariable_doc(view))


def _tag(doc: TableDoc, classes: list[str], table_id: str | None) -> Tag:
    return plain_doc_table(doc, table_id=table_id, row_classes=classes)


def combined_table(view: ResultView, table_id: str | None = "table-combined") -> Tag:
    """The finalfit-style table as tags."""
    classes = [css for _, css in combined_rows(view)]
    return _tag(combined_doc(view), classes, table_id)


def multivariable_table(view: ResultView, table_id: str | None = "table-multivariable") -> Tag:
    """The adjusted model as tags."""
    classes = [css for _, css in multivariable_rows(view)]
    return _tag(multivariable_doc(view), classes, table_id)
