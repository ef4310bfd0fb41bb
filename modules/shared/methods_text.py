"""The methods paragraph of a session: built from the specs actually run and their results.

`methods_text(runs, versions)` is pure: each run (kind, spec, result, labels) gives the
sentences of its analysis (methods_models.py for the regression-type ones and methods_options.py
for their options, methods_design.py for the study size and agreement; here Table 1,
diagnostic accuracy and correlation), then one sentence names the software and versions, and
only the references those sentences cite are listed. An analysis that was not run has no
sentence; a kind this file does not describe is named in `undescribed`, never guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from modules.shared import methods_design as design
from modules.shared import methods_models as models
from modules.shared import methods_options as options
from modules.shared.methods_models import Namer, Part, listing, namer, plural
from modules.shared.methods_propensity import propensity
from modules.shared.methods_refs import REFERENCES, software_sentence


@dataclass(frozen=True)
class Methods:
    """The paragraphs (a heading and its text), the references cited, what was left out."""

    paragraphs: tuple[tuple[str, str], ...]
    references: tuple[str, ...]
    undescribed: tuple[str, ...] = ()

    def text(self) -> str:
        """Plain text: one paragraph per analysis, the software, then numbered references."""
        blocks = [f"{heading}. {text}" if heading else text for heading, text in self.paragraphs]
        if self.references:
            refs = [f"{i}. {ref}" for i, ref in enumerate(self.references, 1)]
            blocks.append("References\n" + "\n".join(refs))
        return "\n\n".join(blocks)


@dataclass(frozen=True)
class RunFacts:
    """What the methods text needs of one run."""

    kind: str
    spec: Any
    result: Any
    labels: Mapping[str, str] | None = None


def methods_text(runs: Sequence[RunFacts], versions: Mapping[str, str]) -> Methods:
    """The methods of these runs, in their order; empty when nothing was run."""
    parts, undescribed = [], []
    for run in runs:
        build = BUILDERS.get(run.kind)
        if build is None:
            undescribed.append(run.kind)
            continue
        parts.append(build(run.spec, run.result, namer(run.labels)))
    if not parts:
        return Methods((), (), tuple(undescribed))
    software = Part("Software")
    tested = any(run.kind not in DESIGN_ONLY for run in runs if run.kind in BUILDERS)
    one_sided = any(
        run.kind in DESIGN_ONLY and getattr(run.spec, "sides", 2) == 1
        for run in runs
        if run.kind in BUILDERS
    )
    firth = any(p.firth for p in parts)
    software.sentences.append(software_sentence(versions, firth, tested, one_sided))
    software.keys.extend(["scipy", "statsmodels"])
    parts.append(software)
    keys: list[str] = []
    for part in parts:
        keys.extend(k for k in part.keys if k not in keys)
    return Methods(
        tuple((p.heading, p.text) for p in parts),
        tuple(REFERENCES[k][1] for k in keys),
        tuple(undescribed),
    )


# --- Table 1 --------------------------------------------------------------------------------


def _test_names(t1: Any) -> dict[str, tuple[str, str]]:
    """Each Table 1 test key's name in a sentence and its reference key."""
    return {
        t1.CHI2: ("Pearson's chi-squared test without continuity correction", "pearson_chi2"),
        t1.FISHER: ("Fisher's exact test", "fisher"),
        t1.FISHER_EXACT_RXC: ("the Fisher-Freeman-Halton exact test", "freeman_halton"),
        t1.FISHER_MC: ("the Fisher-Freeman-Halton test", "freeman_halton"),
        t1.WELCH: ("Welch's t-test", "welch"),
        t1.MANN_WHITNEY: ("the Mann-Whitney U test", "mann_whitney"),
        t1.ANOVA: ("one-way analysis of variance", ""),
        t1.KRUSKAL: ("the Kruskal-Wallis test", "kruskal"),
    }


def table1(spec: Any, result: Any, name: Namer) -> Part:
    # Imported here: table1_tests brings scipy.stats, which a worker imports only when its
    # first session opens (logic.warm_up); a Table 1 result means it is there already.
    from analyses import table1_tests as t1

    test_names = _test_names(t1)
    categorical_tests = (t1.CHI2, t1.FISHER, t1.FISHER_EXACT_RXC, t1.FISHER_MC)
    info, variables = result.info, result.variables
    part = Part("Baseline characteristics")
    kinds = dict(zip(variables["variable"], variables["type"], strict=True))
    shown = dict(zip(variables["variable"], variables["summary"], strict=True))
    if any(k != "continuous" for k in kinds.values()):
        part.add("Categorical variables are summarised as n (%) of the patients with a value.")
    numeric = [v for v, k in kinds.items() if k == "continuous"]
    if numeric:
        _numeric_summaries(part, spec, variables, numeric, shown, name, t1.NORMALITY_RULE)
    if info.group is None:
        _table1_missing(part, result, name)
        return part
    k = len(info.group_levels)
    part.add(f"Characteristics were compared between the {k} groups of {name(info.group)}.")
    used = [t for t in dict.fromkeys(variables["test"]) if t]
    categorical = [t for t in categorical_tests if t in used]
    if categorical:
        exact = [test_names[t][0] for t in categorical if t != t1.CHI2]
        if t1.FISHER_MC in categorical and t1.FISHER_EXACT_RXC in categorical:
            exact.remove(test_names[t1.FISHER_MC][0])  # the same test, named once
        keys = list(dict.fromkeys(test_names[t][1] for t in categorical))
        below = f"an expected count was below {t1.EXPECTED_MIN:g}"
        if t1.CHI2 in categorical and exact:
            how = f"{test_names[t1.CHI2][0]} or, when {below}, {listing(exact)}"
        elif exact:
            how = f"{listing(exact)} ({below})"
        else:
            how = test_names[t1.CHI2][0]
        part.add(f"Categorical variables were compared with {how}", *keys)
        if t1.FISHER_MC in categorical:
            part.add(
                f"Where the exact r x c p-value was too costly to compute, it was estimated from "
                f"{t1.FISHER_RESAMPLES:,} Monte Carlo tables with the observed margins (random "
                f"seed {t1.FISHER_SEED})."
            )
    numeric_tests = [t for t in (t1.WELCH, t1.MANN_WHITNEY, t1.ANOVA, t1.KRUSKAL) if t in used]
    if numeric_tests:
        names = [test_names[t][0] for t in numeric_tests]
        keys = [test_names[t][1] for t in numeric_tests if test_names[t][1]]
        how = " according to their summary (mean or median)" if len(numeric_tests) > 1 else ""
        part.add(f"Continuous variables were compared with {listing(names)}{how}", *keys)
    if k == 2 and variables["smd"].notna().any():
        part.add("Absolute standardised mean differences are shown", "austin_smd")
    if info.n_group_missing:
        part.add(
            f"{plural(info.n_group_missing, 'patient')} without a value of {name(info.group)} "
            f"{'was' if info.n_group_missing == 1 else 'were'} left out."
        )
    _table1_missing(part, result, name)
    return part


def _table1_missing(part: Part, result: Any, name: Namer) -> None:
    if getattr(result, "pooled", None) is None:
        part.add("Missing values were not imputed; they are counted per variable.")
        return
    part.add("Missing values are counted per variable.")
    options.imputation(part, result, name, None)


def _numeric_summaries(part, spec, variables, numeric, shown, name, rule: str) -> None:
    reasons = dict(zip(variables["variable"], variables["reason"], strict=True))
    chosen = [name(v) for v in numeric if reasons.get(v) == "user"]
    if spec.summary == "auto":
        part.add(
            "Continuous variables are summarised as mean (SD) or median [IQR], chosen per "
            f"variable: {rule}",
            *(["shapiro"] if variables["normality_p"].notna().any() else []),
        )
    else:
        form = "mean (SD)" if spec.summary == "mean" else "median [IQR]"
        part.add(f"Continuous variables are summarised as {form}.")
    if chosen:
        forms = [f"{name(v)} as {shown[v]}" for v in numeric if reasons.get(v) == "user"]
        part.add(f"As chosen: {listing(forms)}.")


# --- Diagnostic accuracy --------------------------------------------------------------------


def diagnostic(spec: Any, result: Any, name: Namer) -> Part:
    info, auc, cutoffs = result.info, result.auc, result.cutoffs
    part = Part("Diagnostic accuracy")
    tests = [name(v) for v in auc["variable"]]
    part.add(
        f"The accuracy of {listing(tests)} was assessed against {name(info.reference)} "
        f"({info.positive} = condition present)."
    )
    markers = auc[auc["test_type"] == "marker"]
    if not markers.empty:
        part.add("The area under the ROC curve (AUC) has a DeLong 95% CI", "delong")
        if markers["direction_auto"].astype(bool).any():
            part.add(
                "The direction of each marker was taken from the data: the group with the "
                "higher median was read as the one with the condition."
            )
    youden = cutoffs[cutoffs["source"] == "youden"]
    if not youden.empty:
        part.add(
            f"Cut-offs of {listing([name(v) for v in youden['variable']])} maximise Youden's index",
            "youden",
        )
    chosen = cutoffs[cutoffs["source"] == "chosen"]
    if not chosen.empty:
        given = [f"{name(v)} {c:g}" for v, c in zip(chosen["variable"], chosen["cutoff"])]
        part.add(f"Pre-specified cut-offs were used: {listing(given)}.")
    ci, key = (
        ("exact (Clopper-Pearson)", "clopper_pearson")
        if info.ci_method == "exact"
        else ("Wilson score", "wilson")
    )
    part.add(
        f"Sensitivity, specificity and predictive values have {ci} 95% CIs",
        key,
    )
    if not result.comparisons.empty:
        part.add(
            "AUCs were compared pairwise by DeLong's test for correlated ROC curves, on the "
            "patients with both tests",
            "delong",
        )
    if info.n_reference_missing:
        part.add(
            f"{plural(info.n_reference_missing, 'patient')} without a reference-standard value "
            f"{'was' if info.n_reference_missing == 1 else 'were'} excluded; each test used the "
            "patients with a value of it."
        )
    return part


# --- Correlation ----------------------------------------------------------------------------

ADJUST = {
    "holm": ("Holm's method", "holm"),
    "bonferroni": ("the Bonferroni correction", ""),
    "fdr_bh": ("the Benjamini-Hochberg false discovery rate", "benjamini_hochberg"),
}


def correlation(spec: Any, result: Any, name: Namer) -> Part:
    summary, pairs = result.summary, result.pairs
    part = Part("Correlation")
    coefficient = "Pearson's r" if summary.method == "pearson" else "Spearman's rho"
    columns = [name(c) for c in spec.columns]
    part.add(
        f"{coefficient} was computed for each pair of {listing(columns)}, on the patients with "
        "both values (no imputation)."
    )
    if summary.method == "pearson":
        part.add("Confidence intervals use Fisher's z transformation; p-values the t test.")
    else:
        part.add(
            "Confidence intervals use Fisher's z transformation with the Bonett-Wright variance",
            "bonett_wright",
        )
        methods = [m for m in dict.fromkeys(pairs["p_method"]) if m]
        if methods:
            part.add(f"p-values: {listing(methods)}, as R's cor.test.")
    if summary.adjust in ADJUST:
        how, key = ADJUST[summary.adjust]
        n = len(pairs)
        part.add(
            f"p-values were adjusted for {plural(n, 'comparison')} by {how}",
            *([key] if key else []),
        )
    return part


# --- The model tabs with their options (methods_options.py) -------------------------------


def outcome(spec: Any, result: Any, name: Namer) -> Part:
    part = models.outcome(spec, result, name)
    options.performance(part, result)
    options.modifiers(part, spec, result, "logistic regression model", name)
    options.imputation(part, result, name, "logistic regression model")
    return part


def regression(spec: Any, result: Any, name: Namer) -> Part:
    part = models.regression(spec, result, name)
    linear = result.fit.family == "linear"
    options.modifiers(part, spec, result, f"{'linear' if linear else 'count'} model", name)
    options.imputation(part, result, name, f"{'linear' if linear else 'count'} model")
    return part


def survival(spec: Any, result: Any, name: Namer) -> Part:
    part = models.survival(spec, result, name)
    options.strata(part, spec, result, name)
    options.modifiers(part, spec, result, "Cox model", name)
    options.imputation(part, result, name, "Cox model")
    return part


DESIGN_ONLY = ("sample_size",)  # no data: no test, no confidence interval
BUILDERS: dict[str, Callable[[Any, Any, Namer], Part]] = {
    "sample_size": design.sample_size,
    "table1": table1,
    "outcome": outcome,
    "regression": regression,
    "survival": survival,
    "diagnostic": diagnostic,
    "correlation": correlation,
    "agreement": design.agreement,
    "propensity": propensity,
}
