"""Every table of every scriptable result is either redone by the exported script or named as
left out at its top and in the download's note: none goes missing silently."""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import replace

from analyses import results
from analyses.specs import (
    ImputationSpec,
    OutcomeSpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from modules.shared.script_download import left_out_note
from modules.shared.script_export import SCRIPTED_KINDS, script_for
from modules.shared.script_export.coverage import LEFT_OUT, NOT_TABLES, SCRIPTED, left_out
from modules.shared.script_export.runs import call_for

RESULTS = {
    "outcome": results.OutcomeResult,
    "table1": results.Table1Result,
    "correlation": results.CorrelationResult,
    "regression": results.RegressionResult,
    "survival": results.SurvivalResult,
    "diagnostic": results.DiagnosticResult,
    "propensity": results.PropensityResult,
}
OPTIONS = {"format": "text", "encoding": "utf-8", "sep": ",", "columns": ["y", "age", "sex"]}


def tables_of(result_type) -> set[str]:
    """The result's fields that hold numbers: its frames, its fit record, its performance."""
    return {f.name for f in dataclasses.fields(result_type) if f.name != "warnings"}


def test_each_table_of_each_result_is_scripted_or_named_as_left_out():
    assert set(RESULTS) == set(SCRIPTED_KINDS)
    for kind, result_type in RESULTS.items():
        scripted, named = set(SCRIPTED[kind]), {k for k in LEFT_OUT.get(kind, {}) if "." not in k}
        records = set(NOT_TABLES.get(kind, {}))
        assert not scripted & named and not (scripted | named) & records, kind
        assert tables_of(result_type) == scripted | named | records, kind
    performance = {f.name for f in dataclasses.fields(results.OutcomePerformance)}
    # The performance's parts: the measures and five tables, the bootstrap's among them.
    assert len(performance) == len(SCRIPTED["outcome"]["performance"])
    assert "validation" in performance and "validation" in SCRIPTED["outcome"]["performance"]


def test_options_that_make_a_table_are_named_at_the_top_of_the_script():
    spec = OutcomeSpec("y", ("age", "sex"), method="logit", categorical=("sex",),
                       subgroup_exposure="age", subgroups=("sex",),
                       interactions=(("age", "sex"),), calibration=True, bootstrap=50,
                       imputation=ImputationSpec(("age",)))  # fmt: skip
    text = script_for(OPTIONS, (), [("outcome", spec)])
    head = " ".join(ast.get_docstring(ast.parse(text)).split())
    assert "Not redone here" not in head and "pooled over the imputed data" not in head
    for redone in ("decision_curve", "validation", "scales", "subgroups", "interactions",
                   "pooled", "pooled_fit"):  # fmt: skip
        assert f"outcome_1_{redone}" in head, redone  # redone, not named
    for words in ("the subgroup table", "the interaction table", "the table of what each",
                  "the bootstrap validation"):  # fmt: skip
        assert words not in head, words
    assert left_out_note("outcome", spec) == ""
    for screen_p in (None, 0.2):  # with a screening, each resample repeats it
        again = replace(spec, imputation=None, screen_p=screen_p)
        text = script_for(OPTIONS, (), [("outcome", again)])
        assert "Not redone" not in text and "outcome_1_validation" in text
    plain = OutcomeSpec("y", ("age",), method="logit")
    assert call_for("outcome", plain, None, 1).left_out == ()
    assert "Not redone" not in script_for(OPTIONS, (), [("outcome", plain)])
    assert "Not redone" not in script_for(OPTIONS, (), [("table1", Table1Spec(("age",)))])
    assert left_out_note("table1", Table1Spec(("age",))) == ""


def test_each_kinds_subgroup_and_interaction_tables_are_written_when_asked_for():
    regression = RegressionSpec("y", ("age", "sex"), subgroup_exposure="age", subgroups=("sex",))
    survival = SurvivalSpec("y", time="age", interactions=(("age", "sex"),))
    assert call_for("regression", regression, None, 1).tables[-2:] == (
        "regression_1_scales", "regression_1_subgroups"
    )  # fmt: skip
    assert call_for("survival", survival, None, 1).tables[-2:] == (
        "survival_1_scales", "survival_1_interactions"
    )  # fmt: skip
    # An exposure without subgroup variables (or the reverse) asks for no subgroup table.
    alone = RegressionSpec("y", ("age", "sex"), subgroup_exposure="age")
    assert call_for("regression", alone, None, 1).tables[-1] == "regression_1_scales"
    assert "modifiers" not in call_for("regression", alone, None, 1).sections


def test_imputation_is_in_the_script_only_when_a_run_used_it():
    """A run without imputation writes no imputation code and names none; a run on the imputed
    data imputes with its settings, and its pooled tables are listed, not named as left out."""
    plain = OutcomeSpec("y", ("age", "sex"), method="logit", categorical=("sex",))
    text = script_for(OPTIONS, (), [("outcome", plain), ("table1", Table1Spec(("age",)))])
    assert "impute" not in text and "_pooled" not in text and "Rubin" not in text
    settings = ImputationSpec(("y", "age", "sex"), ("sex",), m=7, iterations=3, seed=99)
    pooled = OutcomeSpec("y", ("age", "sex"), method="logit", categorical=("sex",),
                         imputation=settings)  # fmt: skip
    text = script_for(OPTIONS, (), [("outcome", pooled)])
    head = " ".join(ast.get_docstring(ast.parse(text)).split())
    assert "outcome_1_pooled, outcome_1_pooled_fit" in head and "Not redone" not in head
    assert "m=7," in text and "seed=99," in text and "def impute(" in text
    assert left_out("outcome", pooled) == left_out("outcome", plain) == ()
