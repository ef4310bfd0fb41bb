"""What the whole-session script keeps, names at its top, or refuses with a sentence."""

from __future__ import annotations

import ast

from analyses.specs import OutcomeSpec, SurvivalSpec, Table1Spec
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


def test_options_the_script_does_not_redo_are_named_and_strata_refused(monkeypatch):
    import modules.paper.session_script as module

    monkeypatch.setattr(module, "script_for", lambda options, steps, runs: "#!/usr/bin/env "
                        "python3\n" + f'"""{len(runs)} runs"""\n')  # fmt: skip
    outcome = OutcomeSpec("y", ("age",), method="logit", subgroup_exposure="age",
                          subgroups=("sex",), calibration=True)  # fmt: skip
    strata = SurvivalSpec("status", time="time", strata=("ph.ecog",))
    text = session_script(
        OPTIONS,
        (),
        [("Table 1", "table1", T1, None), ("Outcome", "outcome", outcome, None),
         ("Survival", "survival", strata, None)],
    )  # fmt: skip
    head, body = text.split('"""', 1)
    assert body.startswith("2 runs")
    assert "#   - Outcome: its main tables are here, not the subgroup table, calibration" in head
    assert "#   - Survival: A stratified survival analysis cannot be written" in head
    assert "Table 1" not in head
    ast.parse(text)
