"""The pooled model's table (a TableDoc) and card, shared by the Outcome, Regression and
Survival tabs: the estimate pooled over the m imputed data sets with its 95% CI and p
(Barnard–Rubin df), the fraction of missing information (FMI) and lambda, and the complete
cases' estimate beside it. Nothing shows when the analysis did not run on imputed data."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from htmltools import Tag, tags
from shiny import ui

from modules.shared.analysis_tab import Card
from modules.shared.formatting import fmt_number, fmt_p
from modules.shared.modifier_view import Effect, effect_text
from modules.shared.status import warnings_block
from modules.shared.table_doc import Row, TableDoc
from modules.shared.tables import doc_table

METHOD_NAMES = {"pmm": "predictive mean matching", "logreg": "logistic regression"}
METHOD_NAMES["polyreg"] = "multinomial logistic regression"


def pooled_footnote(pooled) -> str:
    """'Pooled over m = 20 imputations (Rubin's rules) ...' for the table and the page."""
    fit = pooled.fit
    return (
        f"Pooled over m = {fit.m} imputations (Rubin's rules): 95% CIs and p-values on "
        f"Barnard–Rubin degrees of freedom; {fit.n:,} patients in each imputed data set, "
        f"{fit.n_complete:,} complete cases. Imputation by chained equations, seed {fit.seed}."
    )


def pooled_doc(result, label: Callable[[str], str], effect: Effect, tab: str) -> TableDoc | None:
    """The pooled model as a journal table (`<tab>_pooled`), or None without imputation."""
    pooled = getattr(result, "pooled", None)
    if pooled is None:
        return None
    rows: list[Row] = []
    table = pooled.estimates
    for variable, part in table.groupby("variable", sort=False):
        factor = bool(part["is_reference"].any())
        if factor:
            rows.append(Row((label(str(variable)), "", "", "", "", "", ""), bold=True))
        for r in part.to_dict("records"):
            name = str(r["level"]) if factor else label(str(variable))
            if r["is_reference"]:
                rows.append(Row((name, "Reference", "", "", "", "", "Reference"), level=1))
                continue
            rows.append(
                Row(
                    (
                        name,
                        effect_text(effect, r["estimate"], r["ci_low"], r["ci_high"]),
                        fmt_p(r["p_value"]),
                        fmt_number(r["fmi"]),
                        fmt_number(r["lambda"]),
                        fmt_number(r["df"], 1),
                        effect_text(effect, r["cc_estimate"], r["cc_ci_low"], r["cc_ci_high"]),
                    ),
                    level=1 if factor else 0,
                )
            )
    return TableDoc(
        stem=f"{tab}_pooled",
        title=f"Multivariable model on the imputed data ({effect.long}s pooled over "
        f"m = {pooled.fit.m} imputations)",
        header=(
            "Variable",
            f"Pooled {effect.short} (95% CI)",
            "p",
            "FMI",
            "λ",
            "df",
            f"Complete cases {effect.short} (95% CI)",
        ),
        rows=tuple(rows),
        footnotes=(pooled_footnote(pooled),),
        abbreviations=(
            ("FMI", "fraction of missing information"),
            ("λ", "share of the variance due to the missing values"),
            ("df", "degrees of freedom"),
            ("CI", "confidence interval"),
        ),
    )


def pooled_card(
    result_of: Callable[[Any], Any],
    label_of: Callable[[Any], Callable[[str], str]],
    effect_of: Callable[[Any], Effect],
    tab: str,
) -> Card:
    """The card of the pooled model: nothing unless the analysis ran on imputed data."""

    def build(view) -> Tag | None:
        result = result_of(view)
        doc = pooled_doc(result, label_of(view), effect_of(view), tab)
        if doc is None:
            return None
        return ui.card(
            ui.card_header("On the imputed data (Rubin's rules)"),
            warnings_block(result.pooled.warnings, element_id=f"{tab}-pooled-warnings", empty=None),
            doc_table(doc, table_id=f"{tab}-pooled-table"),
            tags.p(
                "FMI near 0: the missing values cost little information; near 1: the estimate "
                "rests mostly on the imputation model.",
                class_="small text-muted",
            ),
            full_screen=True,
        )

    return Card("pooled", None, build)


def with_pooled_docs(
    tables: Callable[[Any], Sequence[TableDoc]],
    result_of: Callable[[Any], Any],
    label_of: Callable[[Any], Callable[[str], str]],
    effect_of: Callable[[Any], Effect],
    tab: str,
) -> Callable[[Any], tuple[TableDoc, ...]]:
    """A tab's `tables` followed by the pooled model's table when it ran on imputed data."""

    def all_tables(view) -> tuple[TableDoc, ...]:
        doc = pooled_doc(result_of(view), label_of(view), effect_of(view), tab)
        return (*tables(view), *(() if doc is None else (doc,)))

    return all_tables
