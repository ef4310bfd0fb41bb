"""The project file: round trip, and damaged, foreign, newer, too large and hostile files."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analyses.specs import (
    AgreementSpec,
    ImputationSpec,
    OutcomeSpec,
    PropensitySpec,
    SampleSizeSpec,
    Table1Spec,
)
from matching.codebook_apply import CodebookStep, ColumnRule
from modules.shared.project_diff import differences
from modules.shared.project_json import (
    FORMAT,
    VERSION,
    ProjectError,
    project_json,
    read_project,
    read_specs,
)
from prep.cut import Cut
from prep.filters import RowFilter
from prep.formula import FormulaStep
from prep.matched_sample import MatchedSample
from prep.value_labels import ValueLabels
from utils.data_io import dataset_from_frame

LIMIT = 2**20


@pytest.fixture
def dataset():
    df = pd.DataFrame(
        {"age": [50.0, 61, 70, 45], "sex": ["F", "M", "F", "M"], "died": ["No", "Yes", "No", "No"]}
    )
    return dataset_from_frame(df, name="cohort.csv")


STEPS = (
    ValueLabels("sex", (("F", "Female"), ("M", "Male"))),
    Cut("age", (50.0, 65.0), "age_group", "Age group"),
    FormulaStep("age10", "age / 10"),
    RowFilter("age", ">=", ("18",), "adults"),
    ("died", {"no": "No"}),
    CodebookStep("cb.xlsx", "f" * 8, (ColumnRule("sex", "SEX", "Sex", "categorical"),)),
)
SETTINGS = {
    "outcome": {
        "outcome": "died",
        "covariates": ["age", "sex"],
        "screen_p": 0.2,
        "firth": True,
        "ref": {"sex": "F"},  # a per-column control's value
    },
    "table1": {"group": "sex", "variables": ("age", "died"), "summary": "auto"},
}
RUNS = [
    ("table1", "table1", Table1Spec(("age", "died"), group="sex")),
    ("outcome", "outcome", OutcomeSpec("died", ("age", "sex"), reference=(("sex", "F"),))),
]
SOFTWARE = {"medstat": "0.1.0", "python": "3.11.7", "statsmodels": "0.15.0"}


def saved(dataset, **kw) -> str:
    return project_json(dataset, STEPS, SETTINGS, RUNS, SOFTWARE, **kw)


def test_round_trip_keeps_everything_but_the_data(dataset):
    text = saved(dataset)
    doc = json.loads(text)
    assert doc["format"] == FORMAT and doc["version"] == VERSION
    assert doc["includes_data"] is False and doc["data_csv"] is None
    assert "Yes" not in text and "61" not in text  # no patient value is written
    project = read_project(text, max_bytes=LIMIT)
    assert project.fingerprint == dataset.fingerprint
    assert project.data_name == "cohort.csv" and project.rows == 4
    assert [(c.name, c.kind) for c in project.columns] == [
        (name, meta.kind) for name, meta in dataset.columns.items()
    ]
    assert project.steps == STEPS
    assert project.tabs["outcome"].settings == SETTINGS["outcome"]
    assert project.tabs["table1"].settings == SETTINGS["table1"]  # tuples stay tuples
    assert project.tabs["outcome"].spec == RUNS[1][2]
    assert project.software == SOFTWARE
    assert read_specs(text, max_bytes=LIMIT) == {"table1": RUNS[0][2], "outcome": RUNS[1][2]}


FIGURES = {
    "survival.figure.km": {"title": "Overall survival", "xaxis": "Months", "with_title": "1"},
    "outcome.figure.forest": {"legend.0": 'Odds ratio (<b>95%</b> CI) — "adjusted"'},
}


def test_figure_words_round_trip_and_an_old_file_has_none(dataset):
    text = saved(dataset, figures=FIGURES)
    assert json.loads(text)["figures"] == FIGURES
    assert read_project(text, max_bytes=LIMIT).figures == FIGURES
    assert read_project(saved(dataset), max_bytes=LIMIT).figures == {}
    doc = json.loads(saved(dataset))
    del doc["figures"]  # a file written before figures were saved
    assert read_project(json.dumps(doc), max_bytes=LIMIT).figures == {}


def test_a_tab_with_settings_but_no_run_has_no_spec(dataset):
    text = project_json(dataset, (), {"survival": {"event": "died"}}, [], SOFTWARE)
    project = read_project(text, max_bytes=LIMIT)
    assert project.tabs["survival"].spec is None
    assert project.tabs["survival"].settings == {"event": "died"}


def test_the_data_go_in_only_when_asked_and_the_file_says_so(dataset):
    doc = json.loads(saved(dataset, data_csv="age,sex\n50,F\n"))
    assert doc["includes_data"] is True
    assert read_project(json.dumps(doc), max_bytes=LIMIT).data_csv == "age,sex\n50,F\n"


@pytest.mark.parametrize(
    "text, says",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not JSON"),
        ("{not json", "not JSON"),
        ('{"format": "something-else", "version": 1}', "not a MedStat project"),
        ("[1, 2, 3]", "not a MedStat project"),
        ('{"format": "medstat-project", "version": "1"}', "no valid version"),
        ('{"format": "medstat-project", "version": 99}', "newer MedStat"),
        ('{"format": "medstat-project", "version": 1}', "lacks the field 'data'"),
        ("[" * 100_000 + "]" * 100_000, "not JSON"),
    ],
)
def test_foreign_damaged_and_newer_files_get_a_sentence(text, says):
    with pytest.raises(ProjectError, match=says):
        read_project(text, max_bytes=LIMIT)


def test_a_file_over_the_bound_is_refused_unread():
    with pytest.raises(ProjectError, match="at most 1 MB"):
        read_project("x" * (LIMIT + 1), max_bytes=LIMIT)


def _tampered(dataset, change) -> str:
    doc = json.loads(saved(dataset))
    change(doc)
    return json.dumps(doc)


@pytest.mark.parametrize(
    "change",
    [
        # a type that is not on the allow-list, though it is a real class
        lambda d: d["cleaning_steps"].append(
            {"$": "dataclass", "type": "subprocess.Popen", "v": {"args": "ls"}}
        ),
        # an analysis spec where a step must be
        lambda d: d["cleaning_steps"].append(d["tabs"]["outcome"]["spec"]),
        # a field of the wrong type (a number where a column name goes)
        lambda d: d["tabs"]["outcome"]["spec"]["v"].update(outcome=3),
        # a field the type does not have
        lambda d: d["tabs"]["outcome"]["spec"]["v"].update(command="rm -rf /"),
        # a setting nested deeper than any control's value
        lambda d: d["tabs"]["outcome"]["settings"]["v"].append(["x", [[["deep"]]]]),
        # a setting that is a built object, not a value a control takes
        lambda d: d["tabs"]["outcome"]["settings"]["v"].append(
            ["x", {"$": "dataclass", "type": "analyses.specs.OutcomeSpec", "v": {}}]
        ),
        lambda d: d["data"].update(fingerprint=None),
        lambda d: d["data"].update(rows=True),
        lambda d: d["data"]["columns"].append({"name": 1, "kind": "numeric"}),
        lambda d: d.update(tabs=[]),
        lambda d: d["cleaning_steps"].append({"$": "float", "v": "nan"}),
        # figure words: text only, under a figure's name, bounded
        lambda d: d.update(figures=[]),
        lambda d: d["figures"].update({"survival.figure.km": {"title": 3}}),
        lambda d: d["figures"].update({"survival.figure.km": "Kaplan-Meier"}),
        lambda d: d["figures"].update({"not-a-figure": {"title": "x"}}),
        lambda d: d["figures"].update({"survival.figure.km": {"title": "x" * 201}}),
        lambda d: d["figures"].update({f"t.figure.{i}": {} for i in range(201)}),
    ],
)
def test_hostile_or_damaged_fields_are_refused_with_a_sentence(dataset, change):
    with pytest.raises(ProjectError, match="damaged"):
        read_project(_tampered(dataset, change), max_bytes=LIMIT)


def test_same_data_has_no_differences(dataset):
    assert differences(read_project(saved(dataset), max_bytes=LIMIT), dataset) == []


def test_different_data_lists_what_differs(dataset):
    project = read_project(saved(dataset), max_bytes=LIMIT)
    other = dataset_from_frame(
        pd.DataFrame(
            {"age": ["old", "young", "mid"], "sex": ["F", "M", "F"], "bmi": [20.0, 31, 25]}
        ),
        name="other.csv",
    )
    text = "\n".join(differences(project, other))
    assert "saved with 'cohort.csv'" in text and "'other.csv'" in text
    assert "4 row(s)" in text and "has 3" in text
    assert "missing from the data now (1): died" in text
    assert "did not have (1): bmi" in text
    assert "age (continuous in the project, categorical now)" in text
    assert project.fingerprint[:12] in text


def test_same_columns_other_values_is_said_so(dataset):
    project = read_project(saved(dataset), max_bytes=LIMIT)
    df = dataset.df.copy()
    df.loc[0, "age"] = 51.0
    text = "\n".join(differences(project, dataset_from_frame(df, name="cohort.csv")))
    assert "the values differ" in text


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("propensity", PropensitySpec("t", ("a",), exact=("b",), caliper=None)),
        ("agreement", AgreementSpec(raters=("a", "b"))),
        ("sample_size", SampleSizeSpec("means")),
    ],
)
def test_every_analysis_tabs_spec_and_the_matched_sample_reopen(dataset, kind, spec):
    """A project saved after any analysis tab ran opens again (the spec types on the
    allow-list), with the propensity sample among its cleaning steps."""
    step = MatchedSample(dataset.fingerprint, (0, 2), (1.0, 0.5), (1, 1), "matching", "t")
    text = project_json(dataset, [step], {kind: {"x": 1}}, [(kind, kind, spec)], SOFTWARE)
    project = read_project(text, max_bytes=LIMIT)
    assert project.tabs[kind].spec == spec and project.steps == (step,)


IMPUTATION = ImputationSpec(("age", "sex", "died"), ("sex", "died"), m=5, iterations=8, seed=11)


def test_the_imputation_settings_round_trip_and_an_old_file_has_none(dataset):
    text = saved(dataset, imputation=IMPUTATION)
    doc = json.loads(text)
    assert doc["version"] == 2 and doc["imputation"]["v"]["m"] == 5
    assert read_project(text, max_bytes=LIMIT).imputation == IMPUTATION
    assert json.loads(saved(dataset))["imputation"] is None
    assert read_project(saved(dataset), max_bytes=LIMIT).imputation is None
    old = json.loads(saved(dataset))  # a version 1 file: written before imputation was kept
    old["version"] = 1
    del old["imputation"]
    project = read_project(json.dumps(old), max_bytes=LIMIT)
    assert project.imputation is None and project.steps == STEPS


@pytest.mark.parametrize(
    "change, says",
    [
        (lambda v: v.update(m=1), "out of range (m = 1"),
        (lambda v: v.update(m=5000), "out of range (m = 5000"),
        (lambda v: v.update(iterations=0), "out of range"),
        (lambda v: v.update(seed=-3), "out of range"),
        (lambda v: v.update(m="twenty"), "damaged"),
        (lambda v: v.update(m=True), "damaged"),
        (lambda v: v.update(variables={"$": "tuple", "v": [1, 2]}), "damaged"),
        (lambda v: v.update(categorical={"$": "tuple", "v": ["bmi"]}), "not column names"),
        (lambda v: v.update(command="rm -rf /"), "damaged"),
    ],
)
def test_damaged_imputation_settings_are_refused_with_a_sentence(dataset, change, says):
    doc = json.loads(saved(dataset, imputation=IMPUTATION))
    change(doc["imputation"]["v"])
    with pytest.raises(ProjectError, match="damaged") as caught:
        read_project(json.dumps(doc), max_bytes=LIMIT)
    assert says in str(caught.value)


def test_imputation_that_is_another_type_is_refused(dataset):
    doc = json.loads(saved(dataset))
    doc["imputation"] = doc["tabs"]["outcome"]["spec"]  # an analysis spec in its place
    with pytest.raises(ProjectError, match="damaged"):
        read_project(json.dumps(doc), max_bytes=LIMIT)
    doc["imputation"] = "m = 20"
    with pytest.raises(ProjectError, match="damaged"):
        read_project(json.dumps(doc), max_bytes=LIMIT)
