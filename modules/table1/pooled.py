"""Table 1 on the imputed data: pooled means and percentages (95% CI) per group, the observed
patients' count and value beside each (a TableDoc, `table1_pooled`, and its card)."""

from __future__ import annotations

from htmltools import Tag
from shiny import ui

from modules.shared.formatting import fmt_number
from modules.shared.status import warnings_block
from modules.shared.table_doc import Row, TableDoc
from modules.shared.tables import doc_table
from modules.table1.view import Table1View


def _pooled_cell(r: dict) -> str:
    low, high = fmt_number(r["ci_low"], 1), fmt_number(r["ci_high"], 1)
    return f"{fmt_number(r['estimate'], 1)} ({low}–{high})"


def _observed_cell(r: dict) -> str:
    return f"{fmt_number(r['cc_estimate'], 1)} (n = {int(r['n_observed']):,})"


def pooled_doc(view: Table1View) -> TableDoc | None:
    """The pooled table, or None when Table 1 did not run on imputed data."""
    pooled = view.result.pooled
    if pooled is None:
        return None
    table = pooled.table
    groups = list(dict.fromkeys(table["group"]))
    header = ["Variable"]
    for g in groups:
        header += [f"{g}: pooled (95% CI)", f"{g}: observed"]
    rows: list[Row] = []
    for variable, part in table.groupby("variable", sort=False):
        levels = list(dict.fromkeys(part["level"]))
        category = levels != [""]
        name = view.label(str(variable))
        if category:
            rows.append(Row((f"{name}, %", *[""] * (2 * len(groups))), bold=True))
        for level in levels:
            cells = [str(level) if category else f"{name}, mean"]
            for g in groups:
                hit = part[(part["level"] == level) & (part["group"] == g)].to_dict("records")
                cells += [_pooled_cell(hit[0]), _observed_cell(hit[0])] if hit else ["", ""]
            rows.append(Row(tuple(cells), level=1 if category else 0))
    fit = pooled.fit
    return TableDoc(
        stem="table1_pooled",
        title=f"Table 1 on the imputed data (pooled over m = {fit.m} imputations)",
        header=tuple(header),
        rows=tuple(rows),
        footnotes=(
            f"Means and percentages pooled over m = {fit.m} imputations by Rubin's rules (95% "
            "CIs on Barnard–Rubin degrees of freedom); 'observed' is the value among the "
            f"patients with it recorded, and how many they are. Imputation seed {fit.seed}.",
        ),
        abbreviations=(("CI", "confidence interval"),),
    )


def pooled_tag(view: Table1View) -> Tag | None:
    doc = pooled_doc(view)
    if doc is None:
        return None
    return ui.card(
        ui.card_header("On the imputed data (Rubin's rules)"),
        warnings_block(view.result.pooled.warnings, element_id="table1-pooled-warnings",
                       empty=None),
        doc_table(doc, table_id="table1-pooled-table"),
        full_screen=True,
    )  # fmt: skip


def with_pooled(tables):
    """Table 1's own tables, then the pooled one when it ran on imputed data."""

    def all_tables(view: Table1View) -> tuple[TableDoc, ...]:
        doc = pooled_doc(view)
        return (*tables(view), *(() if doc is None else (doc,)))

    return all_tables
