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
