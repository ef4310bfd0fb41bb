"""The Agreement tab's publishable tables (TableDocs) and the page's tables drawn from them:
kappa, the two raters' cross-table, the ICC and the Bland–Altman limits of agreement.

The page, the report, the Word file and the CSV all show these TableDocs, built from the
display frames of view.py, so they cannot disagree. Every user string reaches the page through
htmltools tags (escaped).
"""

from __future__ import annotations

import pandas as pd
from htmltools import Tag, tags

from modules.agreement.view import AgreementView, icc_frame, kappa_frame, limits_frame
from modules.shared.formatting import fmt_count, fmt_number
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table

KAPPA_ABBREVIATIONS = (("CI", "confidence interval"), ("SE", "standard error"))
ICC_ABBREVIATIONS = (("CI", "confidence interval"), ("ICC", "intraclass correlation coefficient"),
                     ("F", "F statistic"), ("df", "degrees of freedom"))  # fmt: skip
LIMITS_ABBREVIATIONS = (("CI", "confidence interval"), ("SD", "standard deviation"))


def kappa_doc(view: AgreementView) -> TableDoc | None:
    """Cohen's or Fleiss' kappa (weighted too for ordered categories); None for measurements."""
    s = view.summary
    frame = kappa_frame(view)
    if s.scale == "continuous" or frame.empty:
        return None
    notes = [
        f"Percentage agreement (every rater gave the same category): "
        f"{fmt_number(s.percent_agreement, 1)}% of {fmt_count(s.n_subjects)} subjects.",
        "Cohen's kappa: SE and 95% CI by the large-sample variance of Fleiss, Cohen & Everitt "
        "(1969); z test against no agreement by its null variance. Fleiss' kappa: z test by "
        "the null SE of Fleiss, Nee & Landis (1979); SE and 95% CI by the jackknife over "
        "subjects; a CI is cut at 1 (kappa cannot exceed it). Agreement in words: Landis & Koch "
        "(1977).",
    ]
    if s.scale == "ordinal" and len(s.raters) == 2:
        notes.append(
            "Weighted kappa credits near agreement; the categories are equally spaced by their "
            "order (" + ", ".join(s.categories) + "), as psych and irr weight them."
        )
    return frame_doc("agreement_kappa", "Kappa", frame, footnotes=notes,
                     abbreviations=KAPPA_ABBREVIATIONS, text_columns=2)  # fmt: skip


def crosstab_frame(view: AgreementView) -> pd.DataFrame:
    """The two raters' categories against each other, counts as display strings (empty with
    more than two raters or for measurements)."""
    s, table = view.summary, view.result.crosstab
    if table.empty:
        return pd.DataFrame()
    first, second = view.rater(s.raters[0]), view.rater(s.raters[1])
    frame = pd.DataFrame({f"{first} ↓ / {second} →": [str(i) for i in table.index]})
    for column in table.columns:
        frame[str(column)] = [fmt_count(v) for v in table[column]]
    frame["Total"] = [fmt_count(v) for v in table.sum(axis=1)]
    return frame


def crosstab_doc(view: AgreementView) -> TableDoc | None:
    frame = crosstab_frame(view)
    if frame.empty:
        return None
    s = view.summary
    first, second = view.rater(s.raters[0]), view.rater(s.raters[1])
    return frame_doc("agreement_two_raters", f"{first} (rows) by {second} (columns)", frame,
                     footnotes=["Agreement is on the diagonal."])  # fmt: skip


def icc_doc(view: AgreementView) -> TableDoc | None:
    frame = icc_frame(view)
    if view.summary.scale != "continuous" or frame.empty:
        return None
    notes = [
        "Shrout & Fleiss (1979) forms with McGraw & Wong's (1996) names; F test of ICC = 0 and "
        "95% CI as Shrout & Fleiss (psych::ICC). Most method-comparison and inter-rater "
        "studies report ICC2 (two-way random, absolute agreement).",
        "Reliability in words: Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, "
        "0.75–0.9 good, above 0.9 excellent (judge by the CI, not only the estimate).",
    ]
    return frame_doc("agreement_icc", "Intraclass correlation coefficients", frame,
                     footnotes=notes, abbreviations=ICC_ABBREVIATIONS, text_columns=2)  # fmt: skip


def limits_doc(view: AgreementView) -> TableDoc | None:
    s = view.summary
    if s.scale != "continuous" or not len(view.result.limits):
        return None
    notes = [
        f"Difference = {view.rater(s.ba_second)} − {view.rater(s.ba_first)}, in the units of "
        f"the measurement; SD of the differences {fmt_number(s.ba_sd, 2)}. Limits of agreement: "
        "bias ± 1.96 SD.",
        "95% CI: t interval of the bias; for the limits, Bland & Altman (1999), SE ≈ √(3s²/n). "
        "Exact: non-central t (Carkeet 2015). Proportional bias: least-squares regression of "
        "the differences on the means (slope 0 = none).",
    ]
    return frame_doc("agreement_bland_altman", "Bland–Altman limits of agreement",
                     limits_frame(view), footnotes=notes,
                     abbreviations=LIMITS_ABBREVIATIONS)  # fmt: skip


def tables(view: AgreementView) -> tuple[TableDoc, ...]:
    """The tab's tables in the page's order: kappa and the cross-table for categories, the ICC
    and the limits of agreement for measurements."""
    docs = (kappa_doc(view), crosstab_doc(view), icc_doc(view), limits_doc(view))
    return tuple(d for d in docs if d is not None)


def _muted(text: str) -> Tag:
    return tags.p(text, class_="text-muted mb-0")


def kappa_table(view: AgreementView) -> Tag:
    doc = kappa_doc(view)
    if doc is None:
        return _muted(
            "Kappa is for categories. These ratings were analysed as measurements (ICC and "
            "Bland–Altman); choose a categorical scale in the settings for kappa."
        )
    return plain_doc_table(doc, table_id="agreement-kappa-table")


def crosstab_table(view: AgreementView) -> Tag | None:
    doc = crosstab_doc(view)
    return plain_doc_table(doc, table_id="agreement-crosstab-table") if doc else None


def icc_table(view: AgreementView) -> Tag:
    doc = icc_doc(view)
    if doc is None:
        return _muted("The ICC is for measurements; choose 'Measurements' in the settings.")
    return plain_doc_table(doc, table_id="agreement-icc-table")


def limits_table(view: AgreementView) -> Tag:
    doc = limits_doc(view)
    if doc is None:
        return _muted("Bland–Altman is for measurements.")
    return plain_doc_table(doc, table_id="agreement-limits-table")
