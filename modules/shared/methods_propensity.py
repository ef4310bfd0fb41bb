"""Methods sentences of a propensity-score analysis (Propensity scores tab): the score model,
the matching or weighting as run, how balance was judged and how the effect was estimated.
Only what the result records is said (a caliper only when one was used, truncation only when
asked, the outcome model only with an outcome)."""

from __future__ import annotations

import math
from typing import Any

from modules.shared.methods_models import Namer, Part, listing, plural

ORDER_WORDS = {
    "largest": "in descending order of the score",
    "smallest": "in ascending order of the score",
    "data": "in the order of the data",
    "random": "in a random order",
}
SD_WORDS = {
    "treated": "the standard deviation of the treated group in the full sample",
    "pooled": "the pooled standard deviation of both groups in the full sample",
}


def propensity(spec: Any, result: Any, name: Namer) -> Part:
    s = result.summary
    part = Part("Propensity scores")
    covariates = [name(c) for c in spec.covariates]
    part.add(
        f"The propensity score, the probability of {name(spec.treatment)} = '{s.treated_level}'"
        f" given {listing(covariates)}, was estimated by logistic regression in the "
        f"{plural(s.n_complete, 'patient')} with complete data"
        + (f" ({plural(s.n_missing, 'patient')} excluded for missing values)" if s.n_missing
           else ""),
        "rosenbaum_rubin",
    )  # fmt: skip
    if s.n_discarded_treated or s.n_discarded_control:
        part.add(
            f"Patients outside the common support of the scores were excluded "
            f"({s.n_discarded_treated} treated, {s.n_discarded_control} controls)."
        )
    if s.method == "matching":
        text = (
            f"Treated patients were matched 1:{s.ratio} to controls by greedy nearest-neighbour "
            f"matching on the logit of the score {'with' if s.replace else 'without'} "
            f"replacement, {ORDER_WORDS.get(s.order, s.order)}"
            + (f" (seed {s.seed})" if s.order == "random" else "")
        )
        if not math.isnan(s.caliper):
            text += f", within a caliper of {s.caliper:g} standard deviations of the logit"
        if s.exact:
            text += f", exactly on {listing([name(c) for c in s.exact])}"
        refs = ("austin_caliper", "matchit") if not math.isnan(s.caliper) else ("matchit",)
        part.add(text, *refs)
    else:
        text = (
            f"Inverse probability of treatment weights for the "
            f"{'average treatment effect' if s.estimand == 'ATE' else 'effect in the treated'}"
            + (" were stabilised" if s.stabilised else " were used")
        )
        if not math.isnan(s.truncate):
            text += f" and truncated at the {s.truncate:g}th and {100 - s.truncate:g}th centiles"
        part.add(text + "; the effective sample size was computed by Kish's formula",
                 "austin_stuart", "kish")  # fmt: skip
    part.add(
        "Balance was assessed by standardised mean differences, dividing by "
        f"{SD_WORDS[s.sd_denominator]} before and after, and by variance ratios; an absolute "
        "standardised difference above 0.1 was taken as imbalance",
        "austin_balance",
    )
    if s.outcome:
        models = {"binary": "logistic and linear models", "survival": "a Cox model with "
                  "Efron's ties"}.get(s.outcome_type, "a linear model")  # fmt: skip
        cluster = "matched set" in s.se_method
        part.add(
            f"The effect on {name(s.outcome)} was estimated by weighted {models} of the outcome "
            f"on treatment in the {'matched' if s.method == 'matching' else 'weighted'} sample, "
            + ("with standard errors robust to clustering within matched sets"
               if cluster else "with robust (sandwich) standard errors"),
            *(("lin_wei",) if s.outcome_type == "survival"
              else ("zeileis_sandwich",) if cluster else ("lumley_survey",)),
        )  # fmt: skip
    return part
