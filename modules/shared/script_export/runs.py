"""Each analysis run as the lines of the script's main() that redo its tables."""

from __future__ import annotations

import pprint
from dataclasses import dataclass, replace
from typing import Any

from analyses.specs import (
    CorrelationSpec,
    DiagnosticSpec,
    OutcomeSpec,
    PropensitySpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from modules.shared.script_export.cleaning import ScriptError
from modules.shared.script_export.coverage import left_out
from modules.shared.script_export.pooled_calls import (
    imputation_lines,
    pooled_lines,
    propensity_lines,
)


@dataclass(frozen=True)
class Call:
    """The lines of main() for one run, the templates it needs, the tables it makes and the
    words naming the run's tables it does not redo (coverage.py)."""

    lines: tuple[str, ...]
    sections: tuple[str, ...]
    tables: tuple[str, ...]
    firth: bool = False
    left_out: tuple[str, ...] = ()


class _Code(str):
    """A name of the script's own, written as it is (not as a string)."""


def _literal(value: Any) -> str:
    if isinstance(value, _Code):
        return str(value)
    if isinstance(value, tuple):
        return repr(list(value))
    if isinstance(value, dict):  # wrapped to the script's lines (keys and values as repr)
        return pprint.pformat(value, width=88, sort_dicts=False)
    return repr(value)


def _call(target: str, function: str, arguments: dict[str, Any]) -> list[str]:
    """`target = function(df, name=value, ...)`, one argument a line."""
    args = [f"    {name}={_literal(value)},".replace("\n", "\n    ") for name, value in
            arguments.items()]  # fmt: skip
    return [f"{target} = {function}(", "    df,", *args, ")"]


def _estimators(spec: OutcomeSpec, result: Any | None) -> tuple[dict[str, str], str]:
    """The estimator of each crude model and of the adjusted one, as the app chose them."""
    if result is not None:
        crude = dict(zip(result.univariable["variable"], result.univariable["method"], strict=True))
        return {k: v or "logit" for k, v in crude.items()}, result.fit.method or "logit"
    if spec.method == "auto":
        raise ScriptError(
            "The Outcome analysis chooses Firth's method where it finds separation; run it "
            "first, so the script uses the estimator the app used for each model."
        )
    return dict.fromkeys(spec.covariates, spec.method), spec.method


def modifier_lines(spec: Any, stem: str, function: str, arguments: dict[str, Any]) -> Call:
    """The lines that redo the subgroup and interaction tables the spec asks for (none when it
    asks for neither), their continuous exposure per the run's scales table."""
    subgroups = bool(spec.subgroup_exposure and spec.subgroups)
    if not (subgroups or spec.interactions):
        return Call((), (), ())
    names = [f"{stem}_subgroups"] * subgroups + [f"{stem}_interactions"] * bool(spec.interactions)
    what = [f"# The effect of {spec.subgroup_exposure!r} within each level of "
            f"{', '.join(map(repr, spec.subgroups))}."] if subgroups else []  # fmt: skip
    what += [f"# The effect of {e!r} per level of {m!r} (interaction)."
             for e, m in spec.interactions]  # fmt: skip
    options = {
        "scales": _Code(f"tables[{stem + '_scales'!r}]"),
        "subgroup_exposure": spec.subgroup_exposure if subgroups else None,
        "subgroups": spec.subgroups if subgroups else (),
        "interactions": [list(pair) for pair in spec.interactions],
    }
    lines = [
        *what,
        "# Each model adjusts for the adjusted model's covariates.",
        *_call("subgroups, interactions", function, {**arguments, **options}),
        *([f"tables[{names[0]!r}] = subgroups"] if subgroups else []),
        *([f"tables[{names[-1]!r}] = interactions"] if spec.interactions else []),
    ]
    return Call(tuple(lines), (f"{function}", "modifiers"), tuple(names))


def outcome_call(spec: OutcomeSpec, result: Any | None, number: int) -> Call:
    crude_est, adjusted_est = _estimators(spec, result)
    stem = f"outcome_{number}"
    common = {
        "outcome": spec.outcome,
        "event": spec.event,
        "categorical": spec.categorical,
        "reference": dict(spec.reference),
        "effect_scale": spec.effect_scale,
    }
    screen = "all of them" if spec.screen_p is None else f"those with p < {spec.screen_p:g}"
    lines = [
        f"# {number}. Outcome: logistic regression of {spec.outcome!r}",
        "# Crude odds ratios: one model per covariate. `estimators`: the estimator MedStat used",
        "# for each (Firth's penalized likelihood where it found separation).",
        *_call(
            "crude",
            "crude_odds_ratios",
            {
                "covariates": spec.covariates,
                **common,
                "estimators": crude_est,
                "summary": spec.continuous_summary,
            },
        ),
        f"tables[{stem + '_crude'!r}] = crude",
        f"# Adjusted odds ratios: the covariates of the crude models, {screen}, and the forced.",
        f"in_model = screened(crude, screen_p={spec.screen_p!r}, force={_literal(spec.force)})",
        *_call(
            f"tables[{stem + '_adjusted'!r}]",
            "adjusted_odds_ratios",
            {"covariates": _Code("in_model"), **common, "method": adjusted_est},
        ),
        "# The adjusted model's fit: AIC, R², C-statistic, Hosmer-Lemeshow.",
        *_call(
            f"tables[{stem + '_fit'!r}]",
            "outcome_fit",
            {"covariates": _Code("in_model"), **common, "method": adjusted_est},
        ),
        *_call(
            f"tables[{stem + '_vif'!r}]", "outcome_vif", {"covariates": _Code("in_model"), **common}
        ),  # fmt: skip
    ]
    tables = [f"{stem}_{t}" for t in ("crude", "adjusted", "fit", "vif")]
    sections = ["coding", "logistic", "outcome"]
    if spec.calibration:
        names = [f"{stem}_{t}" for t in CALIBRATION_TABLES]
        lines += [
            "# Calibration and decision curve of the adjusted model's predicted risks.",
            "(",
            *(f"    tables[{name!r}]," for name in names),
            *_call(")", "calibration_tables",
                   {"covariates": _Code("in_model"), **common, "method": adjusted_est}),
        ]  # fmt: skip
        tables += names
        sections.append("calibration")
        if spec.bootstrap > 0:
            screening = None if spec.screen_p is None else {
                "covariates": spec.covariates, "method": spec.method, "screen_p": spec.screen_p,
                "force": spec.force, "summary": spec.continuous_summary,
            }  # fmt: skip
            each = "the adjusted model refitted" if screening is None else (
                "the screening and the adjusted model redone")  # fmt: skip
            lines += [
                f"# Bootstrap validation: {spec.bootstrap} samples drawn with seed {spec.seed},",
                f"# {each} in each.",
                *_call(f"tables[{stem + '_validation'!r}]", "bootstrap_validation",
                       {"covariates": _Code("in_model"), **common, "method": adjusted_est,
                        "samples": spec.bootstrap, "seed": spec.seed, "screening": screening}),
            ]  # fmt: skip
            tables.append(f"{stem}_validation")
            sections.append("bootstrap")
    lines += [
        "# What each continuous covariate's odds ratios are per, with its SD and IQR.",
        *_call(f"tables[{stem + '_scales'!r}]", "outcome_scales",
               {"covariates": spec.covariates, **common}),
    ]  # fmt: skip
    tables.append(f"{stem}_scales")
    more = modifier_lines(spec, stem, "outcome_modifiers",
                          {"covariates": _Code("in_model"), **common})  # fmt: skip
    lines += more.lines
    tables += more.tables
    sections += more.sections
    pooled = _pooled(spec, stem, "pooled_odds_ratios", "pooled_outcome",
                     {**common, "covariates": spec.covariates, "method": adjusted_est})  # fmt: skip
    lines += pooled.lines
    tables += pooled.tables
    sections += pooled.sections
    # The bootstrap's refits choose their estimator as MedStat does: Firth's method on hand.
    uses_firth = adjusted_est == "firth" or "firth" in crude_est.values() or "bootstrap" in sections
    return Call(tuple(lines), tuple(sections), tuple(tables), uses_firth)


CALIBRATION_TABLES = ("calibration", "risk_groups", "calibration_curve", "histogram",
                      "decision_curve")  # fmt: skip


def table1_call(spec: Table1Spec, number: int) -> Call:
    stem = f"table1_{number}"
    by = f" by {spec.group!r}" if spec.group else ""
    arguments = {
        "variables": spec.variables,
        "group": spec.group,
        "categorical": spec.categorical,
        "summary": spec.summary,
        "median_variables": spec.median_variables,
    }
    names = (f"{stem}_summaries", f"{stem}_tests", f"{stem}_groups")
    target = ", ".join(f"tables[{name!r}]" for name in names)
    lines = [f"# {number}. Table 1{by}", *_call(target, "table1", arguments)]
    if spec.imputation is not None:
        pooled, more = pooled_lines(stem, "pooled_table1", {"imputed": _Code("imputed"),
                                    **arguments}, _call, "summaries")  # fmt: skip
        lines += [*imputation_lines(spec.imputation), *pooled]
        return Call(tuple(lines), ("coding", "table1", "imputation"), (*names, *more))
    return Call(tuple(lines), ("coding", "table1"), names)


def correlation_call(spec: CorrelationSpec, number: int) -> Call:
    arguments = {"columns": spec.columns, "method": spec.method, "adjust": spec.adjust}
    stem = f"correlation_{number}"
    lines = [
        f"# {number}. Correlation ({spec.method}) of {len(spec.columns)} columns",
        *_call(f"tables[{stem + '_pairs'!r}]", "correlations", arguments),
        f"tables[{stem + '_matrix'!r}] = correlation_matrix(",
        f"    tables[{stem + '_pairs'!r}], {_literal(spec.columns)}",
        ")",
    ]
    sections = ("coding", "correlation", *(("spearman",) if spec.method == "spearman" else ()))
    return Call(tuple(lines), sections, (f"{stem}_pairs", f"{stem}_matrix"))


def regression_call(spec: RegressionSpec, result: Any | None, number: int) -> Call:
    if result is not None:
        family = result.fit.family
    elif spec.model != "count":
        family = spec.model
    else:
        raise ScriptError(
            "The Regression analysis chooses Poisson or negative binomial by the data's "
            "overdispersion; run it first, so the script uses the model the app chose."
        )
    stem = f"regression_{number}"
    common = {
        "outcome": spec.outcome,
        "family": family,
        "categorical": spec.categorical,
        "reference": dict(spec.reference),
        "exposure": spec.exposure,
        "effect_scale": spec.effect_scale,
    }
    names = {"linear": "linear", "poisson": "Poisson", "negbin": "negative binomial"}
    screen = "all of them" if spec.screen_p is None else f"those with p < {spec.screen_p:g}"
    lines = [
        f"# {number}. Regression ({names[family]}) of {spec.outcome!r}",
        *_call("crude", "crude_regression", {"covariates": spec.covariates, **common}),
        f"tables[{stem + '_crude'!r}] = crude",
        f"# Adjusted: the covariates of the crude models, {screen}, and the forced.",
        f"in_model = regression_screened(crude, screen_p={spec.screen_p!r}, "
        f"force={_literal(spec.force)})",
        *_call(
            f"tables[{stem + '_adjusted'!r}]",
            "adjusted_regression",
            {"covariates": _Code("in_model"), **common},
        ),
        "# The adjusted model's fit statistics and variance inflation factors.",
        *_call(
            f"tables[{stem + '_fit'!r}]",
            "regression_fit",
            {"covariates": _Code("in_model"), **common},
        ),  # fmt: skip
        *_call(
            f"tables[{stem + '_vif'!r}]",
            "regression_vif",
            {"covariates": _Code("in_model"), **common},
        ),  # fmt: skip
    ]
    lines += [
        "# What each continuous covariate's estimates are per, with its SD and IQR.",
        *_call(f"tables[{stem + '_scales'!r}]", "regression_scales",
               {"covariates": spec.covariates, **common}),
    ]  # fmt: skip
    tables = [f"{stem}_{t}" for t in ("crude", "adjusted", "fit", "vif", "scales")]
    more = modifier_lines(spec, stem, "regression_modifiers",
                          {"covariates": _Code("in_model"), **common})  # fmt: skip
    pooled = _pooled(spec, stem, "pooled_regression", "pooled_regression",
                     {"covariates": spec.covariates, **common})  # fmt: skip
    return Call(
        (*lines, *more.lines, *pooled.lines),
        ("coding", "regression", *more.sections, *pooled.sections),
        (*tables, *more.tables, *pooled.tables),
    )


def survival_call(spec: SurvivalSpec, number: int) -> Call:
    stem = f"survival_{number}"
    arguments = {
        "event": spec.event,
        "time": spec.time,
        "start": spec.start,
        "end": spec.end,
        "event_level": spec.event_level,
        "group": spec.group,
        "covariates": spec.covariates,
        "categorical": spec.categorical,
        "reference": dict(spec.reference),
        "conf_type": spec.conf_type,
        "effect_scale": spec.effect_scale,
        "risk_times": spec.risk_times,
        "strata": spec.strata,
    }
    by = f" by {spec.group!r}" if spec.group else ""
    within = f", stratified by {', '.join(map(repr, spec.strata))}" if spec.strata else ""
    lines = [
        f"# {number}. Survival: time to {spec.event!r}{by}{within}",
        *_call("data", "SurvivalData", arguments),
        f"tables[{stem + '_curves'!r}] = km_curves(data)",
        f"tables[{stem + '_at_risk'!r}] = at_risk_table(data)",
        f"tables[{stem + '_medians'!r}] = km_medians(data)",
    ]
    tables = [f"{stem}_curves", f"{stem}_at_risk", f"{stem}_medians"]
    if spec.group or spec.strata:
        lines.append(
            f"tables[{stem + '_logrank'!r}], tables[{stem + '_logrank_test'!r}] = "
            "logrank_test(data)"
        )
        tables += [f"{stem}_logrank", f"{stem}_logrank_test"]
    if spec.group or spec.covariates:
        lines += [
            f"tables[{stem + '_cox_crude'!r}] = cox_crude(data)",
            f"tables[{stem + '_cox_adjusted'!r}] = cox_adjusted(data)",
            f"tables[{stem + '_ph_test'!r}] = ph_table(data)",
        ]
        tables += [f"{stem}_cox_crude", f"{stem}_cox_adjusted", f"{stem}_ph_test"]
    lines.append(f"tables[{stem + '_fit'!r}] = survival_fit(data)")
    tables.append(f"{stem}_fit")
    lines.append(f"tables[{stem + '_scales'!r}] = survival_scales(data)")
    tables.append(f"{stem}_scales")
    coding = {"data": _Code("data"), "categorical": spec.categorical,
              "reference": dict(spec.reference)}  # fmt: skip
    more = modifier_lines(spec, stem, "survival_modifiers", coding)
    pooled = _pooled(spec, stem, "pooled_hazard_ratios", "pooled_survival", arguments)
    return Call(
        (*lines, *more.lines, *pooled.lines),
        ("coding", "survival", *more.sections, *pooled.sections),
        (*tables, *more.tables, *pooled.tables),
    )


def _pooled(spec: Any, stem: str, function: str, section: str, arguments: dict[str, Any]) -> Call:
    """The imputation and the pooled model's lines of a run on the imputed data (none without):
    `function` of the template `section` writes the tables."""
    if spec.imputation is None:
        return Call((), (), ())
    pooled, names = pooled_lines(stem, function, {"imputed": _Code("imputed"), **arguments},
                                 _call)  # fmt: skip
    lines = (*imputation_lines(spec.imputation), *pooled)
    return Call(lines, ("imputation", "pooled", section), names)


def diagnostic_call(spec: DiagnosticSpec, number: int) -> Call:
    stem = f"diagnostic_{number}"
    arguments = {
        "reference": spec.reference,
        "positive": spec.positive,
        "markers": spec.markers,
        "binary_tests": [list(t) for t in spec.binary_tests],
        "direction": spec.direction,
        "cutoffs": dict(spec.cutoffs),
        "ci_method": spec.ci_method,
    }
    tables = ("auc", "cutoffs", "accuracy", "comparisons", "roc")
    functions = ("auc_table", "cutoff_table", "accuracy_table", "auc_comparisons", "roc_table")
    lines = [
        f"# {number}. Diagnostic accuracy against {spec.reference!r}",
        *_call("data", "DiagnosticData", arguments),
        *(f"tables[{f'{stem}_{t}'!r}] = {f}(data)" for t, f in zip(tables, functions, strict=True)),
    ]
    return Call(tuple(lines), ("coding", "diagnostic"), tuple(f"{stem}_{t}" for t in tables))


SCRIPTED_KINDS = ("outcome", "table1", "correlation", "regression", "survival", "diagnostic")
SCRIPTED_KINDS += ("propensity",)


def propensity_call(spec: PropensitySpec, number: int) -> Call:
    lines, names = propensity_lines(spec, number)
    return Call(tuple(lines), ("coding", "propensity"), names)


def call_for(kind: str, spec: Any, result: Any | None, number: int) -> Call:
    """main()'s lines for one run; a ScriptError for an analysis the script cannot redo yet."""
    call = _call_of(kind, spec, result, number)
    return replace(call, left_out=left_out(kind, spec))


def _call_of(kind: str, spec: Any, result: Any | None, number: int) -> Call:
    if kind == "outcome" and isinstance(spec, OutcomeSpec):
        return outcome_call(spec, result, number)
    if kind == "table1" and isinstance(spec, Table1Spec):
        return table1_call(spec, number)
    if kind == "regression" and isinstance(spec, RegressionSpec):
        return regression_call(spec, result, number)
    if kind == "diagnostic" and isinstance(spec, DiagnosticSpec):
        return diagnostic_call(spec, number)
    if kind == "survival" and isinstance(spec, SurvivalSpec):
        return survival_call(spec, number)
    if kind == "correlation" and isinstance(spec, CorrelationSpec):
        return correlation_call(spec, number)
    if kind == "propensity" and isinstance(spec, PropensitySpec):
        return propensity_call(spec, number)
    raise ScriptError(f"The {kind} analysis cannot be written into a script yet.")
