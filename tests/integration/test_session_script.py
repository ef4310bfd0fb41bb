"""The Paper & project tab's whole-session script: every current scriptable analysis, run in a
subprocess on the raw example file, gives the app's numbers; the others are named at its top."""

from __future__ import annotations

import ast
from dataclasses import replace
from pathlib import Path

import logic
from analyses import sample_size
from analyses.specs import (
    AgreementSpec,
    OutcomeSpec,
    PropensitySpec,
    SampleSizeSpec,
    Table1Spec,
)
from modules.paper.session_script import session_script
from tests.script_checks import assert_same_table, run_script
from utils.data_io import read_table

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "example_clinical.csv"


def read(path: Path):
    return replace(read_table(path), name=str(path))  # the script reads the file by this path


def test_the_whole_session_script_gives_the_apps_numbers(tmp_path):
    dataset = read(EXAMPLE)
    outcome = OutcomeSpec(
        "complication",
        ("age", "sex", "asa_class", "crp"),
        event="Yes",
        categorical=("sex", "asa_class"),
    )
    table1 = Table1Spec(("age", "sex", "bmi", "asa_class"), group="complication",
                        categorical=("sex", "asa_class"))  # fmt: skip
    size = SampleSizeSpec("proportions", "normal", p1=0.4, p2=0.25)
    agree = AgreementSpec(raters=("albumin", "creatinine"))
    score = PropensitySpec("diabetes", ("age", "sex", "bmi"), ("sex",), treated="Yes",
                           outcome="complication", outcome_type="binary", event="Yes")  # fmt: skip
    runs = [
        ("Sample size", "sample_size", size, sample_size.analyze(None, size)),
        ("Table 1", "table1", table1, logic.run("table1", dataset, table1)),
        ("Outcome", "outcome", outcome, logic.run("outcome", dataset, outcome)),
        ("Agreement", "agreement", agree, logic.run("agreement", dataset, agree)),
        ("Propensity scores", "propensity", score, logic.run("propensity", dataset, score)),
    ]
    text = session_script(dataset.read_options, dataset.steps, runs)
    head = text.split('"""', 1)[0]
    assert head.startswith("#!/usr/bin/env python3\n# Not in this script")
    assert "#   - Sample size:" in head and "#   - Agreement:" in head
    assert "Outcome" not in head and "Table 1" not in head and "Propensity" not in head
    named = " ".join(text.split('"""')[1].split())  # what the kept runs' scripts leave out
    assert "Not redone here" not in named and "outcome_2_scales" in named
    ast.parse(text)
    tables = run_script(tmp_path, text, Path(dataset.name))
    assert sorted(tables) == [
        "outcome_2_adjusted",
        "outcome_2_crude",
        "outcome_2_fit",
        "outcome_2_scales",
        "outcome_2_vif",
        "propensity_3_balance",
        "propensity_3_effect",
        "propensity_3_fit",
        "propensity_3_model",
        "propensity_3_scores",
        "table1_1_groups",
        "table1_1_summaries",
        "table1_1_tests",
    ]
    t1, out = runs[1][3], runs[2][3]
    assert_same_table(tables["table1_1_summaries"], t1.cells, "summaries")
    assert_same_table(tables["table1_1_tests"], t1.variables, "tests")
    assert_same_table(tables["table1_1_groups"], t1.groups, "groups")
    assert_same_table(tables["outcome_2_crude"], out.univariable, "crude")
    assert_same_table(tables["outcome_2_adjusted"], out.multivariable, "adjusted")
    assert_same_table(tables["outcome_2_scales"], out.scales, "scales")
    score_result = runs[4][3]
    assert_same_table(tables["propensity_3_balance"], score_result.balance, "balance")
    assert_same_table(tables["propensity_3_effect"], score_result.effects, "effect")
