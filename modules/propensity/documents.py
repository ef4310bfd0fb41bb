"""The Propensity scores tab's publishable tables (TableDocs) and the page's tables drawn from
them: the propensity model, balance before and after, the matched or weighted sample, and
the treatment effect. The page, Word and CSV all show these TableDocs.
"""

from __future__ import annotations

import numpy as np
from htmltools import Tag, tags

from analyses.propensity_balance import IMBALANCE
from modules.propensity.view import (
    PropensityView,
    design_words,
    effect_ci,
    effect_number,
    sentence,
)
from modules.shared.formatting import fmt_ci, fmt_count, fmt_number, fmt_p, fmt_ratio
from modules.shared.table_doc import Span, TableDoc, row, table_doc
from modules.shared.tables import doc_table

SMD_NOTE = {
    "treated": "SMD: difference in means (proportions for categories) divided by the SD of the "
    "treated group in the full sample, the same before and after, as MatchIt does for the ATT "
    "(the treated are the population the effect is about).",
    "pooled": "SMD: difference in means (proportions for categories) divided by the pooled SD "
    "√((s₁² + s₀²)/2) of the full sample, the same before and after (MatchIt's and cobalt's "
    "convention for the ATE, whose population is everyone).",
}
IMBALANCED = "†"
MODELS = {"binary": "logistic and linear models", "continuous": "linear model",
          "survival": "Cox model (time to the event)"}  # fmt: skip
MODEL_ABBREVIATIONS = (("OR", "odds ratio"), ("CI", "confidence interval"))


def model_doc(view: PropensityView) -> TableDoc:
    s = view.summary
    rows = []
    for r in view.result.model.itertuples(index=False):
        if r.variable == "(Intercept)":
            continue
        with np.errstate(over="ignore"):  # a separated covariate: shown as >9999
            ci = fmt_ci(np.exp(r.ci_low), np.exp(r.ci_high))
            rows.append(row(view.term(r.variable, r.level), fmt_ratio(np.exp(r.estimate)), ci,
                            fmt_p(r.p_value)))  # fmt: skip
    notes = [
        f"Logistic regression of {view.label(view.treatment)} = '{s.treated_level}' on the "
        f"covariates, {fmt_count(s.n_complete)} patients with every covariate; c-statistic "
        f"{fmt_number(s.c_statistic, 3)}. The score is this model's predicted probability.",
        "Odds ratios of treatment, per unit of a number; a category against the first level.",
    ]
    return table_doc("propensity_model", "Propensity model (logistic regression of treatment)",
                     ("Covariate", "OR", "95% CI", "p"), rows, footnotes=notes,
                     abbreviations=MODEL_ABBREVIATIONS)  # fmt: skip


def _mean(value: float, level: str) -> str:
    return fmt_number(100 * value, 1) + "%" if level else fmt_number(value, 2)


def balance_doc(view: PropensityView) -> TableDoc:
    s = view.summary
    rows = []
    for r in view.result.balance.itertuples(index=False):
        flagged = abs(r.smd_after) > IMBALANCE
        rows.append(row(
            view.term(r.variable, r.level),
            _mean(r.treated_before, r.level), _mean(r.control_before, r.level),
            fmt_number(r.smd_before, 3), fmt_number(r.vr_before, 2),
            _mean(r.treated_after, r.level), _mean(r.control_after, r.level),
            fmt_number(r.smd_after, 3) + (f" {IMBALANCED}" if flagged else ""),
            fmt_number(r.vr_after, 2),
        ))  # fmt: skip
    after = "matching" if s.method == "matching" else "weighting"
    notes = [
        SMD_NOTE[s.sd_denominator],
        "Means (numbers) and percentages (categories; a yes/no covariate shows its second "
        f"value); after {after}, weighted by the {'matching' if s.method == 'matching' else 'IPT'}"
        " weights. Variance ratio: treated / control, for numbers only (near 1 is balanced).",
        f"{IMBALANCED} |SMD| above {IMBALANCE}: imbalance remains (Austin 2009).",
    ]
    header = ("Covariate", "Treated", "Control", "SMD", "Variance ratio", "Treated", "Control",
              "SMD", "Variance ratio")  # fmt: skip
    spans = (Span("Before", 1, 4), Span(f"After {after}", 5, 4))
    return table_doc("propensity_balance", "Covariate balance before and after " + after,
                     header, rows, spans=spans, footnotes=notes,
                     abbreviations=(("SMD", "standardised mean difference"),
                                    ("SD", "standard deviation")))  # fmt: skip


def sample_doc(view: PropensityView) -> TableDoc:
    s = view.summary
    matching = s.method == "matching"
    used = "Matched" if matching else "Weighted"
    rows = [
        row("All (complete cases)", fmt_count(s.n_treated), fmt_count(s.n_control)),
        row(
            "Outside the common support",
            fmt_count(s.n_discarded_treated),
            fmt_count(s.n_discarded_control),
        ),  # fmt: skip
        row(used, fmt_count(s.n_matched_treated), fmt_count(s.n_matched_control)),
    ]
    if matching:
        unused = s.n_control - s.n_discarded_control - s.n_matched_control
        rows.append(row("Unmatched", fmt_count(s.n_unmatched_treated), fmt_count(unused)))
    rows.append(row("Effective sample size (Kish)", fmt_number(s.ess_treated, 1),
                    fmt_number(s.ess_control, 1)))  # fmt: skip
    notes = [sentence(design_words(s)) + "."]
    if s.n_missing:
        notes.append(f"{fmt_count(s.n_missing)} rows with a missing treatment or covariate were "
                     "left out.")  # fmt: skip
    notes.append("Effective sample size: (Σw)² / Σw² in each group, the number of unweighted "
                 "patients the weights are worth.")  # fmt: skip
    header = ("", f"Treated ({s.treated_level})", f"Control ({s.control_level})")
    title = "Matching summary" if matching else "Weighting summary"
    return table_doc("propensity_sample", title, header, rows, footnotes=notes)


def effect_doc(view: PropensityView) -> TableDoc | None:
    s, effects = view.summary, view.result.effects
    if not len(effects):
        return None
    rows = [
        row(
            r.measure,
            effect_number(r.measure, r.estimate),
            effect_ci(r.measure, r.ci_low, r.ci_high),
            fmt_p(r.p_value),
            fmt_count(r.n_treated),
            fmt_count(r.n_control),
        )  # fmt: skip
        for r in effects.itertuples(index=False)
    ]
    sample = "matched" if s.method == "matching" else "weighted"
    notes = [
        f"{view.label(s.outcome or '')}"
        + (f" = '{s.event_level}'" if s.event_level else "")
        + f", {s.treated_level} vs {s.control_level}, in the {sample} sample ({s.estimand}): "
        f"weighted {MODELS.get(s.outcome_type, 'linear model')} of the outcome on treatment; "
        f"{s.se_method}; Wald 95% CI.",
    ]
    if s.n_outcome_missing:
        notes.append(f"{fmt_count(s.n_outcome_missing)} patients in the {sample} sample with "
                     "no outcome were left out of the effect.")  # fmt: skip
    return table_doc("propensity_effect", f"Treatment effect in the {sample} sample",
                     ("Measure", "Estimate", "95% CI", "p", "Treated", "Control"), rows,
                     footnotes=notes, abbreviations=(("CI", "confidence interval"),))  # fmt: skip


def tables(view: PropensityView) -> tuple[TableDoc, ...]:
    """The tab's tables in the page's order."""
    docs = (sample_doc(view), balance_doc(view), effect_doc(view), model_doc(view))
    return tuple(d for d in docs if d is not None)


def balance_table(view: PropensityView) -> Tag:
    return doc_table(balance_doc(view), table_id="propensity-balance-table")


def sample_table(view: PropensityView) -> Tag:
    return doc_table(sample_doc(view), table_id="propensity-sample-table")


def model_table(view: PropensityView) -> Tag:
    return doc_table(model_doc(view), table_id="propensity-model-table")


def effect_table(view: PropensityView) -> Tag:
    doc = effect_doc(view)
    if doc is None:
        return tags.p("Choose an outcome in the settings for the treatment effect.",
                      class_="text-muted mb-0")  # fmt: skip
    return doc_table(doc, table_id="propensity-effect-table")
