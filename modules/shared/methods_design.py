"""Methods sentences of the analyses that are not models of an outcome: the study size
(Sample size tab) and agreement between raters (Agreement tab).

The study size paragraph is the protocol sentence the Sample size tab shows, then the formula
used with its source; agreement names only the statistics its result holds (kappas for
categories, the ICC forms and Bland–Altman for measurements).
"""

from __future__ import annotations

import math
from typing import Any

from analyses.sample_size_sentence import method_text, protocol_sentence
from modules.shared.methods_models import Namer, Part, listing, plural

# (family, method) -> reference keys of the formula (analyses/sample_size_sentence.METHODS)
SAMPLE_SIZE_REFS: dict[tuple[str, str], tuple[str, ...]] = {
    ("proportions", "normal"): ("cohen_1988",),
    ("proportions", "normal_cc"): ("fleiss_tytun_ury",),
    ("proportions", "arcsine"): ("cohen_1988",),
    ("means", "independent"): ("cohen_1988",),
    ("means", "paired"): ("cohen_1988",),
    ("correlation", ""): ("cohen_1988",),
    ("chisq", ""): ("cohen_1988",),
    ("logrank", "schoenfeld"): ("schoenfeld_1983",),
    ("logrank", "freedman"): ("freedman",),
    ("logistic", "continuous"): ("hsieh",),
    ("logistic", "binary"): ("hsieh",),
    ("diagnostic", ""): ("buderer",),
    ("ni_proportions", "noninferiority"): ("chow",),
    ("ni_proportions", "equivalence"): ("chow",),
    ("ni_means", "noninferiority"): ("chow",),
    ("ni_means", "equivalence"): ("chow",),
}


def sample_size(spec: Any, result: Any, name: Namer) -> Part:
    """The protocol sentence, then the formula and its source."""
    part = Part("Study size")
    part.add(protocol_sentence(spec, result))
    part.add(
        f"The calculation used the {method_text(spec)}",
        *SAMPLE_SIZE_REFS.get((spec.family, spec.method), ()),
    )
    return part


KAPPA_WEIGHTS = {"linear": "linear", "quadratic": "quadratic"}


def agreement(spec: Any, result: Any, name: Namer) -> Part:
    s = result.summary
    part = Part("Agreement")
    raters = [name(r) for r in s.raters]
    what = "categories" if s.scale in ("nominal", "ordinal") else "measurements"
    part.add(
        f"Agreement between {len(raters)} raters ({listing(raters)}) on {what} was assessed on "
        f"the {plural(s.n_subjects, 'subject')} rated by all of them."
    )
    if s.n_dropped:
        part.add(
            f"{plural(s.n_dropped, 'subject')} with a missing rating "
            f"{'was' if s.n_dropped == 1 else 'were'} left out."
        )
    if math.isfinite(s.percent_agreement):
        part.add("The percentage of subjects on whom every rater gave the same category is given.")
    _kappas(part, result.kappas)
    _iccs(part, result.icc)
    if not result.limits.empty:
        _bland_altman(part, s, name)
    return part


def _kappas(part: Part, kappas) -> None:
    if kappas.empty:
        return
    cohen = kappas[kappas["statistic"].astype(str).str.startswith("Cohen")]
    if not cohen.empty:
        weights = [w for w in dict.fromkeys(cohen["weights"]) if w in KAPPA_WEIGHTS]
        if "none" in set(cohen["weights"]):
            part.add("Agreement beyond chance was measured by Cohen's kappa", "cohen_1960")
        if weights:
            forms = listing([KAPPA_WEIGHTS[w] for w in weights])
            part.add(
                f"As the categories are ordered, {forms} weighted kappa "
                f"{'was' if len(weights) == 1 else 'were'} also computed",
                "cohen_1968",
            )
        part.add(
            "Confidence intervals of Cohen's kappa use the large-sample variance of Fleiss, "
            "Cohen and Everitt; p-values the z test of kappa = 0 with the variance under no "
            "agreement",
            "fleiss_cohen_everitt",
        )
    fleiss = kappas[kappas["statistic"].astype(str).str.startswith("Fleiss")]
    if not fleiss.empty:
        part.add(
            "Agreement among all raters was measured by Fleiss' kappa, with a jackknife "
            "confidence interval over subjects",
            "fleiss_1971",
        )


def _iccs(part: Part, icc) -> None:
    if icc.empty:
        return
    forms = [
        f"{r.form} ({r.model.lower()}, {r.type}, {r.unit})" for r in icc.itertuples(index=False)
    ]
    part.add(
        f"Reliability was measured by intraclass correlation coefficients: {listing(forms)}, in "
        "Shrout and Fleiss' notation with McGraw and Wong's names, with the F test of ICC = 0 "
        "and 95% CIs as Shrout and Fleiss",
        "shrout_fleiss",
        "mcgraw_wong",
    )


def _bland_altman(part: Part, s: Any, name: Namer) -> None:
    first, second = name(s.ba_first or ""), name(s.ba_second or "")
    part.add(
        f"Agreement of {second} with {first} was assessed by the Bland-Altman method: the bias "
        f"(mean difference, {second} minus {first}) with its t-based 95% CI, and the 95% limits "
        "of agreement (bias ± 1.96 SD of the differences)",
        "bland_altman_1986",
    )
    part.add(
        "Confidence intervals of the limits are given both by the approximation of Bland and "
        "Altman and exactly, by the non-central t distribution",
        "bland_altman_1999",
        "carkeet",
    )
    part.add(
        "Proportional bias was tested by least-squares regression of the differences on the "
        "means of the two measurements."
    )
