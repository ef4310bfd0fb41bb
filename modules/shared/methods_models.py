"""Methods sentences of the regression-type analyses: outcome (logistic), regression, survival.

Each builder reads a spec and the result it produced (fit records, tidy tables) and says only
what was done: a rule appears only when it changed something in this result (Firth where
separation was found, the reference levels actually used, the patients actually excluded).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from modules.shared.methods_refs import cite


@dataclass
class Part:
    """The sentences of one analysis and the reference keys they cite."""

    heading: str
    sentences: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    firth: bool = False

    def add(self, sentence: str, *keys: str) -> None:
        if keys:
            sentence = f"{sentence.rstrip('.')} {cite(*keys)}."
        self.sentences.append(sentence)
        self.keys.extend(k for k in keys if k not in self.keys)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


Namer = Callable[[str], str]


def namer(labels: Mapping[str, str] | None) -> Namer:
    """A column's name as the paper shows it: its label when the user gave one."""
    labels = dict(labels or {})
    return lambda column: labels.get(column) or column


def listing(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def reference_levels(table: pd.DataFrame, name: Namer) -> str:
    """'sex (Female), ASA class (I)': the reference level each factor was compared with."""
    if table.empty or "is_reference" not in table:
        return ""
    refs = table[table["is_reference"].astype(bool)]
    pairs = dict(zip(refs["variable"], refs["level"], strict=True))
    return listing([f"{name(v)} ({level})" for v, level in pairs.items()])


def screening(part: Part, spec: Any, model: str, name: Namer) -> None:
    if spec.screen_p is None:
        part.add(f"All candidate variables entered the multivariable {model}.")
    else:
        forced = [name(c) for c in spec.force]
        extra = f"; {listing(forced)} entered regardless" if forced else ""
        part.add(
            f"Variables with a univariable p < {spec.screen_p:g} entered the multivariable "
            f"{model}{extra}."
        )


def scales(part: Part, result: Any, spec: Any, ratio: str, name: Namer) -> None:
    """Which increment continuous covariates' estimates are per, when not per unit."""
    if spec.effect_scale == "unit" or result.scales.empty:
        return
    per = [f"{name(v)} {t}" for v, t in zip(result.scales["variable"], result.scales["per_text"])]
    part.add(f"{ratio} of continuous variables are given {listing(per)}.")


def references(part: Part, table: pd.DataFrame, name: Namer) -> None:
    refs = reference_levels(table, name)
    if refs:
        part.add(f"Categorical variables were compared with a reference level: {refs}.")


def outcome(spec: Any, result: Any, name: Namer) -> Part:
    fit = result.fit
    part = Part("Outcome analysis")
    part.add(
        f"The association of each candidate variable with {name(spec.outcome)} "
        f"(event: {fit.event}) was estimated by univariable logistic regression (crude odds "
        "ratios)."
    )
    screening(part, spec, "logistic regression model", name)
    epv = fit.events_per_variable
    size = [plural(fit.n_parameters, "parameter"), plural(fit.events, "event")]
    if math.isfinite(epv):
        size.append(f"{epv:.1f} events per parameter")
    part.add(f"Adjusted odds ratios were estimated from that model ({', '.join(size)}).")
    uni = result.univariable
    crude_firth = (
        sorted(set(uni.loc[uni["method"] == "firth", "variable"])) if "method" in uni else []
    )
    if fit.method == "firth" or crude_firth:
        part.firth = True
        if spec.method == "firth":
            part.add(
                "All models were fitted by Firth's penalized likelihood, as chosen",
                "firth",
                "heinze",
            )
        else:
            fitted = []
            if fit.method == "firth":
                fitted.append("the multivariable model")
            if crude_firth:
                fitted.append(f"the crude models of {listing([name(v) for v in crude_firth])}")
            part.add(
                f"Because separation was detected, {listing(fitted)} "
                f"{'was' if len(fitted) == 1 else 'were'} fitted by Firth's penalized likelihood",
                "firth",
                "heinze",
            )
        part.add(
            "Firth estimates have profile penalized-likelihood confidence intervals and "
            "penalized likelihood-ratio p-values."
        )
    if fit.method != "firth" or crude_firth != sorted(set(uni["variable"])):
        which = "The other models were" if part.firth else "Models were"
        part.add(
            f"{which} fitted by maximum likelihood, with Wald confidence intervals and p-values."
        )
    if _has_multilevel(uni):
        part.add(
            "Categorical variables of more than two levels also have an overall "
            "likelihood-ratio p-value."
        )
    references(part, uni, name)
    scales(part, result, spec, "Odds ratios", name)
    _complete_case_outcome(part, fit, name(spec.outcome), imputed_note(result))
    part.add(
        "Discrimination of the multivariable model was summarised by its C-statistic with a "
        "DeLong 95% CI",
        "delong",
    )
    if fit.hosmer_lemeshow_df > 0:
        part.add(
            "Calibration was assessed by the Hosmer-Lemeshow test over ten risk groups",
            "hosmer_lemeshow",
        )
    return part


def _has_multilevel(table: pd.DataFrame) -> bool:
    if table.empty:
        return False
    levels = table[table["level"].astype(str) != ""].groupby("variable").size()
    return bool((levels > 2).any())


def imputed_note(result: Any) -> str:
    """What the complete-case sentence says of imputation: none, or that a pooled model follows."""
    if getattr(result, "pooled", None) is None:
        return "no values were imputed"
    return "the same model on multiply imputed data is described below"


def _complete_case_outcome(part: Part, fit: Any, outcome: str, note: str) -> None:
    said = []
    if fit.n_outcome_missing:
        said.append(f"{plural(fit.n_outcome_missing, 'patient')} without a value of {outcome}")
    if fit.n_excluded:
        said.append(
            f"{fit.n_excluded:,} of the {fit.n_total:,} with an outcome for a missing covariate "
            "(complete-case analysis)"
        )
    if said:
        part.add(f"Excluded from the multivariable model: {listing(said)}; {note}.")
    else:
        part.add("No values were missing in the variables of the multivariable model.")


def regression(spec: Any, result: Any, name: Namer) -> Part:
    fit = result.fit
    part = Part("Regression")
    y = name(spec.outcome)
    if fit.family == "linear":
        part.add(
            f"{y} was analysed by linear regression (ordinary least squares); coefficients are in "
            f"its units, univariable (crude) and multivariable."
        )
        test = "F test"
    else:
        offset = f", with log({name(fit.exposure)}) as offset (rates)" if fit.exposure else ""
        part.add(
            f"Counts of {y} were analysed by count regression{offset}; incidence rate ratios "
            "are reported, univariable (crude) and multivariable."
        )
        family = "negative binomial (NB2)" if fit.family == "negbin" else "Poisson"
        if fit.family_reason == "requested":
            part.add(f"A {family} model was used, as chosen.")
        elif fit.family_reason == "overdispersion":
            part.add(
                f"Because the Poisson model was overdispersed (Pearson χ²/df "
                f"{fit.screening_dispersion:.2f} > {fit.overdispersion_threshold:g}), a negative "
                "binomial (NB2) model was used",
                "cameron_trivedi",
            )
        else:
            part.add(
                f"The Poisson model was kept: its Pearson χ²/df ({fit.screening_dispersion:.2f}) "
                f"did not exceed {fit.overdispersion_threshold:g}."
            )
        test = "likelihood-ratio test"
    screening(part, spec, "model", name)
    if _has_multilevel(result.univariable):
        part.add(f"Variables of more than two levels also have an overall p-value ({test}).")
    references(part, result.univariable, name)
    scales(part, result, spec, "Estimates", name)
    if fit.n_excluded:
        part.add(
            f"The multivariable model used the complete cases: {fit.n_excluded:,} of "
            f"{fit.n_total:,} patients were excluded for a missing covariate; no values were "
            "imputed."
        )
    else:
        part.add("No values were missing in the variables of the multivariable model.")
    return part


def survival(spec: Any, result: Any, name: Namer) -> Part:
    fit = result.fit
    part = Part("Survival analysis")
    if fit.time_source == "dates":
        follow = f"from {name(spec.start or '')} to {name(spec.end or '')}, in days"
    else:
        follow = f"as {name(spec.time or '')}"
    part.add(f"Follow-up was measured {follow}; the event was {name(spec.event)} = {fit.event}.")
    curves = "Survival was estimated by the Kaplan-Meier method"
    band = {"log": "log", "log-log": "log-log", "plain": "linear"}.get(fit.conf_type, fit.conf_type)
    if spec.group:
        curves += f" in each group of {name(spec.group)}"
    part.add(f"{curves}, with pointwise 95% CIs on the {band} scale", "kaplan_meier")
    if fit.logrank_df > 0 and (spec.group or not fit.strata):  # strata alone: methods_options
        part.add("Groups were compared by the log-rank test", "mantel")
    if math.isfinite(fit.median_follow_up):
        part.add(
            "Median follow-up was estimated by the reverse Kaplan-Meier method", "schemper_smith"
        )
    if fit.n_excluded:
        part.add(
            f"{plural(fit.n_excluded, 'patient')} without a follow-up time or event status"
            f"{' or group' if spec.group else ''} were excluded."
        )
    if fit.cox_n_used is not None:
        covs = [name(c) for c in fit.covariates_in_model]
        part.add(
            "Hazard ratios were estimated by Cox proportional hazards regression, univariable "
            f"and multivariable ({listing(covs)}), with {fit.ties.capitalize()}'s method for "
            "tied event times",
            "cox",
            *(["efron"] if fit.ties == "efron" else []),
        )
        references(part, result.univariable, name)
        scales(part, result, spec, "Hazard ratios", name)
        left = fit.n_used - fit.cox_n_used
        if left:
            part.add(
                f"The multivariable Cox model used the complete cases ({left:,} more excluded for "
                f"a missing covariate; {imputed_note(result)})."
            )
        if not result.ph_test.empty:
            part.add(
                "The proportional hazards assumption was checked per covariate and globally with "
                "the test based on scaled Schoenfeld residuals",
                "schoenfeld",
                "grambsch_therneau",
            )
    return part
