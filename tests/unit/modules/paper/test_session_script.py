"""What the whole-session script keeps, names at its top, or refuses with a sentence."""

from __future__ import annotations

import ast

from analyses.specs import ImputationSpec, OutcomeSpec, Table1Spec
from modules.paper.session_script import session_script

OPTIONS = {"format": "csv", "delimiter": ",", "decimal": ".", "encoding": "utf-8"}
T1 = Table1Spec(("age",))


def test_nothing_current_gives_a_script_that_says_so():
    text = session_script(OPTIONS, (), [])
    assert "run one first" in text and "sys.exit(" in text
    ast.parse(text)


def test_only_unscriptable_runs_give_a_script_that_names_them():
    text = session_script(OPTIONS, (), [("Sample size", "sample_size", object(), None)])
    assert "no analysis here can be scripted" in text and "Sample size" in text
    ast.parse(text)


def test_options_the_script_does_not_redo_are_named_and_a_refused_run_too():
    outcome = OutcomeSpec("y", ("age",), method="logit", subgroup_exposure="age",
                          subgroups=("sex",), calibration=True, bootstrap=20,
                          imputation=ImputationSpec(("age",)))  # fmt: skip
    auto = OutcomeSpec("y", ("age",))  # Firth or not: only its result can tell
    options = OPTIONS | {"format": "text", "columns": ["y", "age", "sex", "status", "time"]}
    text = session_script(
        options,
        (),
        [("Table 1", "table1", T1, None), ("Outcome", "outcome", outcome, None),
         ("Auto", "outcome", auto, None)],
    )  # fmt: skip
    head, docstring = text.split('"""')[:2]
    assert "#   - Auto: The Outcome analysis chooses Firth's method" in head
    assert "Table 1" not in head and "#   - Outcome" not in head
    named = " ".join(docstring.split())
    assert "outcome_2_pooled" in named and "Not redone" not in named  # pooled: redone too
    assert "outcome_2_subgroups" in named and "outcome_2_validation" in named
    assert "calibration" not in head
    ast.parse(text)
