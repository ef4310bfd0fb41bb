"""Methods sentences of the options a model tab can add to its analysis: the outcome model's
performance (calibration, decision curve, bootstrap validation), subgroups and interactions,
and stratified Cox models. Each says something only when its option was used in the result.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from modules.shared.methods_models import Namer, Part, listing, plural

ALL_PATIENTS = "All patients"  # analyses/modifier_columns.ALL_PATIENTS (kept import-light)


def performance(part: Part, result: Any) -> None:
    """Calibration, decision curve and bootstrap validation (spec.calibration)."""
    perf = getattr(result, "performance", None)
    if perf is None:
        return
    fit = perf.fit
    part.add(
        "Overall accuracy of the predicted risks was summarised by the Brier score and the "
        "scaled Brier score",
        "brier",
    )
    part.add(
        "Calibration was also assessed by the calibration intercept (calibration-in-the-large, "
        "with the linear predictor as offset) and the calibration slope",
        "cox_1958",
    )
    part.add(
        "The calibration curve was smoothed by lowess; its mean, 90th centile and maximum "
        "absolute distance from the diagonal are given as Eavg (the integrated calibration "
        "index), E90 and Emax",
        "austin_steyerberg",
    )
    if not perf.decision.empty:
        part.add(
            "Clinical usefulness was assessed by decision curve analysis: the model's net "
            "benefit at threshold probabilities from 1% to 99%, against treating all patients "
            "and treating none",
            "vickers_elkin",
        )
    if fit.bootstrap_samples:
        refit = (
            "the whole modelling, the univariable screening included,"
            if fit.bootstrap_screening
            else "the multivariable model"
        )
        used = (
            f" ({fit.bootstrap_used:,} of which could be fitted)"
            if fit.bootstrap_used != fit.bootstrap_samples
            else ""
        )
        part.add(
            f"The model was validated internally by Harrell's bootstrap: {refit} was repeated in "
            f"each of {plural(fit.bootstrap_samples, 'sample')} drawn with replacement{used} "
            f"(random seed {fit.seed}), and the mean optimism was subtracted from the apparent "
            "C-statistic, calibration slope and intercept and Brier score",
            "harrell_1996",
        )


def modifiers(part: Part, spec: Any, result: Any, model: str, name: Namer) -> None:
    """Subgroup effects and interaction terms (spec.subgroups, spec.interactions)."""
    subgroups = getattr(result, "subgroups", pd.DataFrame())
    rows = subgroups[subgroups["subgroup"] != ALL_PATIENTS] if len(subgroups) else subgroups
    if len(rows):
        by = [name(v) for v in dict.fromkeys(rows["subgroup"])]
        exposure = name(str(rows["variable"].iloc[0]))
        part.add(
            f"The effect of {exposure} was estimated within each level of {listing(by)} by the "
            f"same {model}, adjusted for the same covariates and fitted on that level's "
            "patients."
        )
        left = [w for w in getattr(result, "warnings", ()) if "subgroup's model" in w]
        if left:
            part.add(
                f"A covariate that did not vary within a level was left out of that level's "
                f"model ({plural(len(left), 'case')})."
            )
        part.add(
            "Whether the effect differed between levels was tested by the likelihood-ratio "
            "test of the exposure × subgroup product terms in a model of all patients."
        )
    pairs = getattr(result, "interactions", pd.DataFrame())
    if len(pairs):
        said = [
            f"{name(v)} × {name(m)}"
            for v, m in dict.fromkeys(zip(pairs["variable"], pairs["modifier"], strict=True))
        ]
        part.add(
            f"Interactions ({listing(said)}) were added to the multivariable {model} as product "
            "terms; the exposure's effect is given within each level of the modifier (from the "
            "coefficients and their covariance), with the likelihood-ratio test of the product "
            "terms as the p for interaction."
        )


def strata(part: Part, spec: Any, result: Any, name: Namer) -> None:
    """Stratified survival analysis (spec.strata): curves per stratum, a stratified log-rank
    test, and Cox models with a baseline hazard per stratum."""
    fit = result.fit
    chosen = tuple(getattr(fit, "strata", ()) or ())
    if not chosen:
        return
    by = listing([name(c) for c in chosen])
    count = f" ({plural(fit.n_strata, 'stratum', 'strata')})" if fit.n_strata else ""
    part.add(f"Kaplan-Meier curves were estimated within each stratum of {by}{count}.")
    if fit.logrank_df > 0:
        if spec.group:
            part.add(f"The log-rank test of the groups was stratified by {by}.")
        else:
            part.add("The strata were compared by the log-rank test", "mantel")
    if fit.cox_n_used is None:
        return
    part.add(
        f"The Cox models, crude and multivariable, were stratified by {by}: each stratum has "
        f"its own baseline hazard, and the stratifying "
        f"{'variable has' if len(chosen) == 1 else 'variables have'} no hazard ratio."
    )
    if not result.ph_test.empty:
        part.add(
            "The proportional hazards test was done on the stratified model, for the "
            "covariates that have a hazard ratio."
        )


IMPUTATION_METHODS = {
    "pmm": "predictive mean matching",
    "logreg": "logistic regression",
    "polyreg": "multinomial logistic regression",
}


def imputation(part: Part, result: Any, name: Namer, model: str | None) -> None:
    """The model (or, `model` None, Table 1's summaries) pooled over multiple imputations."""
    pooled = getattr(result, "pooled", None)
    if pooled is None:
        return
    fit = pooled.fit
    by_method: dict[str, list[str]] = {}
    for variable, method in zip(fit.imputed, fit.methods, strict=True):
        by_method.setdefault(method, []).append(name(variable))
    how = "; ".join(
        f"{IMPUTATION_METHODS.get(m, m)} for {listing(names)}" for m, names in by_method.items()
    )
    part.add(
        f"Missing values were imputed by chained equations (m = {fit.m}, {how}, random seed "
        f"{fit.seed})",
        "van_buuren_mice",
    )
    if model is None:
        part.add(
            "Means and percentages were also computed in each imputed data set and pooled by "
            "Rubin's rules with Barnard–Rubin degrees of freedom, beside the observed values",
            "rubin_1987",
            "barnard_rubin",
        )
        return
    part.add(
        f"The {model} with every chosen covariate was fitted in each imputed data set and the "
        "estimates were pooled by Rubin's rules with Barnard–Rubin degrees of freedom; the "
        "fraction of missing information is reported for each estimate, and the complete-case "
        "estimates beside them",
        "rubin_1987",
        "barnard_rubin",
    )
