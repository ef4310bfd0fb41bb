"""Pure builders for the Agreement page: the view, its tables and the status line.

Every string from the user's file (column names, labels, rater names, categories) reaches the
page through htmltools tags, which escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
from htmltools import Tag, tags

from analyses.fit_records import AgreementSummary
from analyses.results import AgreementResult
from modules.shared.formatting import DASH, fmt_count, fmt_number, fmt_p, is_number
from modules.shared.labelled import Labelled
from modules.shared.tables import html_table

WEIGHT_NAMES = {"none": "unweighted", "linear": "linear weights", "quadratic": "quadratic weights"}
LIMIT_NAMES = {"bias": "Bias (mean difference)", "lower": "Lower limit of agreement",
               "upper": "Upper limit of agreement"}  # fmt: skip
# Landis & Koch (1977) for kappa; Koo & Li (2016) for the ICC: the words readers expect.
KAPPA_WORDS = ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"),
               (0.8, "substantial"), (1.01, "almost perfect"))  # fmt: skip
ICC_WORDS = ((0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (1.01, "excellent"))


@dataclass(frozen=True)
class AgreementView(Labelled):
    """An AgreementResult with the labels and the data's name the page shows."""

    result: AgreementResult
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""

    @property
    def summary(self) -> AgreementSummary:
        return self.result.summary

    def rater(self, name: str | None) -> str:
        """A rater's display name: the column's label (wide) or the rater's value (long)."""
        if not name:
            return DASH
        return self.label(name) if self.summary.layout == "wide" else name


def make_view(result: AgreementResult, dataset, spec) -> AgreementView:
    return AgreementView(result, dataset.labels(), dataset.name)


def strength(value: object, scale: tuple[tuple[float, str], ...]) -> str:
    """The customary word for a kappa or ICC ("moderate"), or a dash."""
    if not is_number(value):
        return DASH
    return next((word for bound, word in scale if float(value) < bound), scale[-1][1])  # type: ignore[arg-type]


def _ci(low: object, high: object, decimals: int = 2) -> str:
    if not (is_number(low) and is_number(high)):
        return DASH
    return f"{fmt_number(low, decimals)} to {fmt_number(high, decimals)}"


def kappa_frame(view: AgreementView) -> pd.DataFrame:
    rows = []
    for r in view.result.kappas.itertuples(index=False):
        rows.append({
            "Statistic": r.statistic, "Weights": WEIGHT_NAMES.get(r.weights, r.weights),
            "Raters": fmt_count(r.raters), "Subjects": fmt_count(r.n),
            "Kappa": fmt_number(r.estimate, 3), "95% CI": _ci(r.ci_low, r.ci_high, 3),
            "SE": fmt_number(r.se, 3), "z": fmt_number(r.z, 2), "p": fmt_p(r.p_value),
            "Agreement": strength(r.estimate, KAPPA_WORDS),
        })  # fmt: skip
    return pd.DataFrame(rows)


def kappa_table(view: AgreementView) -> Tag:
    s = view.summary
    if s.scale == "continuous":
        return tags.p(
            "Kappa is for categories. These ratings were analysed as measurements (ICC and "
            "Bland–Altman); choose a categorical scale in the settings for kappa.",
            class_="text-muted mb-0",
        )
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
    return html_table(kappa_frame(view), table_id="agreement-kappa-table", caption="Kappa",
                      notes=notes)  # fmt: skip


def crosstab_table(view: AgreementView) -> Tag | None:
    s, table = view.summary, view.result.crosstab
    if table.empty:  # more than two raters, or measurements: no two-way table
        return None
    first, second = view.rater(s.raters[0]), view.rater(s.raters[1])
    frame = pd.DataFrame({f"{first} ↓ / {second} →": [str(i) for i in table.index]})
    for column in table.columns:
        frame[str(column)] = [fmt_count(v) for v in table[column]]
    frame["Total"] = [fmt_count(v) for v in table.sum(axis=1)]
    return html_table(
        frame, table_id="agreement-crosstab-table", caption=f"{first} (rows) by {second} (columns)",
        notes=["Agreement is on the diagonal."],
    )  # fmt: skip


def icc_frame(view: AgreementView) -> pd.DataFrame:
    rows = []
    for r in view.result.icc.itertuples(index=False):
        rows.append({
            "Form": r.form, "Model": f"{r.model}, {r.type}, {r.unit}",
            "ICC": fmt_number(r.estimate, 3), "95% CI": _ci(r.ci_low, r.ci_high, 3),
            "F (df)": f"{fmt_number(r.f, 2)} ({r.df1}, {r.df2})", "p": fmt_p(r.p_value),
            "Reliability": strength(r.estimate, ICC_WORDS), "Use when": r.when,
        })  # fmt: skip
    return pd.DataFrame(rows)


def icc_table(view: AgreementView) -> Tag:
    if view.summary.scale != "continuous":
        return tags.p(
            "The ICC is for measurements; choose 'Measurements' in the settings.",
            class_="text-muted mb-0",
        )
    notes = [
        "Shrout & Fleiss (1979) forms with McGraw & Wong's (1996) names; F test of ICC = 0 and "
        "95% CI as Shrout & Fleiss (psych::ICC). Most method-comparison and inter-rater "
        "studies report ICC2 (two-way random, absolute agreement).",
        "Reliability in words: Koo & Li (2016): below 0.5 poor, 0.5–0.75 moderate, "
        "0.75–0.9 good, above 0.9 excellent (judge by the CI, not only the estimate).",
    ]
    return html_table(icc_frame(view), table_id="agreement-icc-table",
                      caption="Intraclass correlation coefficients", notes=notes)  # fmt: skip


def limits_frame(view: AgreementView) -> pd.DataFrame:
    rows = []
    for r in view.result.limits.itertuples(index=False):
        rows.append({
            "": LIMIT_NAMES.get(r.quantity, r.quantity), "Estimate": fmt_number(r.estimate, 2),
            "95% CI": _ci(r.ci_low, r.ci_high), "95% CI (exact)": _ci(r.exact_low, r.exact_high),
            "p": "",
        })  # fmt: skip
    s = view.summary
    rows.append({
        "": "Proportional bias (slope of difference on mean)",
        "Estimate": fmt_number(s.ba_slope, 3),
        "95% CI": _ci(s.ba_slope_ci_low, s.ba_slope_ci_high, 3),
        "95% CI (exact)": "", "p": fmt_p(s.ba_slope_p),
    })  # fmt: skip
    return pd.DataFrame(rows)


def limits_table(view: AgreementView) -> Tag:
    s = view.summary
    if s.scale != "continuous":
        return tags.p("Bland–Altman is for measurements.", class_="text-muted mb-0")
    notes = [
        f"Difference = {view.rater(s.ba_second)} − {view.rater(s.ba_first)}, in the units of "
        f"the measurement; SD of the differences {fmt_number(s.ba_sd, 2)}. Limits of agreement: "
        "bias ± 1.96 SD.",
        "95% CI: t interval of the bias; for the limits, Bland & Altman (1999), SE ≈ √(3s²/n). "
        "Exact: non-central t (Carkeet 2015). Proportional bias: least-squares regression of "
        "the differences on the means (slope 0 = none).",
    ]
    return html_table(limits_frame(view), table_id="agreement-limits-table",
                      caption="Bland–Altman limits of agreement", notes=notes)  # fmt: skip


def key_numbers(view: AgreementView) -> Tag:
    """The one-line answers, in words, with what was compared and on how many subjects."""
    s, res = view.summary, view.result
    raters = ", ".join(view.rater(r) for r in s.raters)
    lines = [f"{fmt_count(s.n_subjects)} subjects rated by {len(s.raters)} raters ({raters})."]
    if s.n_dropped:
        subjects = "subject" if s.n_dropped == 1 else "subjects"
        lines.append(f"{fmt_count(s.n_dropped)} {subjects} with a missing rating were left out.")
    for r in res.kappas.itertuples(index=False):
        name = r.statistic + ("" if r.weights == "none" else f" ({WEIGHT_NAMES[r.weights]})")
        lines.append(
            f"{name} = {fmt_number(r.estimate, 2)} (95% CI {_ci(r.ci_low, r.ci_high)}): "
            f"{strength(r.estimate, KAPPA_WORDS)} agreement."
        )
    if is_number(s.percent_agreement):
        lines.append(f"Percentage agreement: {fmt_number(s.percent_agreement, 1)}%.")
    icc = res.icc.set_index("form") if len(res.icc) else None
    if icc is not None:
        r = icc.loc["ICC2"]
        lines.append(
            f"ICC2 (two-way random, absolute agreement, single rater) = "
            f"{fmt_number(r['estimate'], 2)} (95% CI {_ci(r['ci_low'], r['ci_high'])}): "
            f"{strength(r['estimate'], ICC_WORDS)} reliability."
        )
    if len(res.limits):
        lim = res.limits.set_index("quantity")["estimate"]
        lines.append(
            f"Bland–Altman ({view.rater(s.ba_second)} − {view.rater(s.ba_first)}): bias "
            f"{fmt_number(lim['bias'], 2)}, 95% limits of agreement {fmt_number(lim['lower'], 2)}"
            f" to {fmt_number(lim['upper'], 2)}."
        )
    return tags.ul(*[tags.li(line) for line in lines], id="agreement-key-numbers", class_="mb-0")


def done_text(view: AgreementView, seconds: float) -> str:
    """The status line after a run: what was compared, on how many subjects."""
    s = view.summary
    return (
        f"Done in {seconds:.1f} s: {len(s.raters)} raters, {fmt_count(s.n_subjects)} subjects"
        + (f" ({fmt_count(s.n_dropped)} left out for a missing rating)." if s.n_dropped else ".")
    )
