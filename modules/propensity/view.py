"""Pure builders for the Propensity scores page: the view, the key numbers, the status line.

Every string from the user's file (column names, labels, levels) reaches the page through
htmltools tags, which escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from htmltools import Tag, tags

from analyses.fit_records import PropensityFit
from analyses.results import PropensityResult
from modules.shared.formatting import (
    fmt_ci,
    fmt_count,
    fmt_number,
    fmt_p,
    fmt_ratio,
    is_number,
)
from modules.shared.labelled import Labelled

RATIOS = ("Odds ratio", "Hazard ratio")
ORDER_WORDS = {
    "largest": "largest score first",
    "smallest": "smallest score first",
    "data": "in data order",
    "random": "in a random order",
}


@dataclass(frozen=True)
class PropensityView(Labelled):
    """A PropensityResult with the labels and the data's name the page shows."""

    result: PropensityResult
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""
    treatment: str = ""

    @property
    def summary(self) -> PropensityFit:
        return self.result.summary

    def term(self, variable: str, level: str) -> str:
        """A covariate (and level) as the tables show it: "Race: white"."""
        return self.label(variable) + (f": {level}" if level else "")


def make_view(result: PropensityResult, dataset, spec) -> PropensityView:
    return PropensityView(result, dataset.labels(), dataset.name, spec.treatment)


def design_words(s: PropensityFit) -> str:
    """The matching or weighting in words, as the methods and the key numbers say it."""
    if s.method == "matching":
        words = (
            f"1:{s.ratio} nearest-neighbour matching on the logit of the propensity score "
            + ("with" if s.replace else "without")
            + f" replacement, {ORDER_WORDS.get(s.order, s.order)}"
            + (f" (seed {s.seed})" if s.order == "random" else "")
        )
        if is_number(s.caliper):
            words += (
                f", caliper {fmt_number(s.caliper, 2)} SD of the logit "
                f"({fmt_number(s.caliper_width, 3)})"
            )
        if s.exact:
            words += ", exact on " + ", ".join(s.exact)
        return words
    words = f"inverse probability of treatment weights for the {s.estimand}"
    if s.stabilised:
        words += ", stabilised"
    if is_number(s.truncate):
        low, high = f"{s.truncate:g}", f"{100 - s.truncate:g}"
        words += f", truncated at percentiles {low} and {high}"
    return words


def effectsentence(view: PropensityView) -> str | None:
    """The first effect in words, with its CI and p."""
    if not len(view.result.effects):
        return None
    r = view.result.effects.iloc[0]
    s, measure = view.summary, r["measure"]
    return (
        f"{measure} ({s.treated_level} vs {s.control_level}) for {view.label(s.outcome or '')}: "
        f"{effect_number(measure, r['estimate'])} (95% CI "
        f"{effect_ci(measure, r['ci_low'], r['ci_high'])}), p {_p(r['p_value'])}."
    )


def effect_number(measure: str, value: object) -> str:
    """An odds or hazard ratio to 2 decimals, a risk difference to 3, a mean difference to 2."""
    if measure in RATIOS:
        return fmt_ratio(value)
    return fmt_number(value, 3 if measure == "Risk difference" else 2)


def effect_ci(measure: str, low: object, high: object) -> str:
    if measure in RATIOS:
        return fmt_ci(low, high)
    return f"{effect_number(measure, low)} to {effect_number(measure, high)}"


def sentence(text: str) -> str:
    """The text with its first letter capital (names and abbreviations inside kept)."""
    return text[:1].upper() + text[1:]


def _p(p: object) -> str:
    text = fmt_p(p)
    return text if text.startswith("<") else f"= {text}"


def key_numbers(view: PropensityView) -> Tag:
    """The answers in words: who was compared, how the score did, the sample, balance, effect."""
    s = view.summary
    treatment = view.label(view.treatment)
    lines = [
        f"{fmt_count(s.n_complete)} patients: {fmt_count(s.n_treated)} with {treatment} = "
        f"'{s.treated_level}' (treated) and {fmt_count(s.n_control)} with '{s.control_level}' "
        "(control)."
    ]
    if s.n_missing:
        lines.append(
            f"{fmt_count(s.n_missing)} rows with a missing treatment or covariate were left out "
            "(complete cases)."
        )
    lines.append(
        f"Propensity model: c-statistic {fmt_number(s.c_statistic, 3)} (0.5: the covariates do "
        "not predict treatment; near 1: little overlap)."
    )
    if s.n_discarded_treated or s.n_discarded_control:
        lines.append(
            f"Outside the common support, left out: {fmt_count(s.n_discarded_treated)} treated, "
            f"{fmt_count(s.n_discarded_control)} controls."
        )
    if s.method == "matching":
        lines.append(
            f"{sentence(design_words(s))}: {fmt_count(s.n_matched_treated)} treated matched "
            f"to {fmt_count(s.n_matched_control)} controls"
            + (f"; {fmt_count(s.n_unmatched_treated)} treated unmatched." if s.n_unmatched_treated
               else ".")
        )  # fmt: skip
    else:
        lines.append(
            f"{sentence(design_words(s))}: weights {fmt_number(s.weight_min, 2)} to "
            f"{fmt_number(s.weight_max, 2)}; effective sample size {fmt_number(s.ess_treated, 1)}"
            f" treated, {fmt_number(s.ess_control, 1)} controls (Kish)."
        )
    lines.append(
        f"Balance after {s.method}: largest |SMD| {fmt_number(s.max_abs_smd_after, 3)}"
        + (f"; {s.n_imbalanced} above 0.1." if s.n_imbalanced else "; all within 0.1.")
    )
    effect = effectsentence(view)
    if effect:
        lines.append(effect)
    return tags.ul(*[tags.li(line) for line in lines], id="propensity-key-numbers", class_="mb-0")


def done_text(view: PropensityView, seconds: float) -> str:
    """The status line after a run."""
    s = view.summary
    if s.method == "matching":
        what = (
            f"{fmt_count(s.n_matched_treated)} treated matched to "
            f"{fmt_count(s.n_matched_control)} controls"
        )
    else:
        kept = s.n_complete - s.n_discarded_treated - s.n_discarded_control
        what = f"{fmt_count(kept)} patients weighted"
    largest = fmt_number(s.max_abs_smd_after, 2)
    return f"Done in {seconds:.1f} s: {what}; largest |SMD| after {largest}."
