"""The history of steps applied in order: flow counts, a step that no longer fits named and
skipped, the data never lost; and a proposal previewed before it is applied."""

from dataclasses import replace

import pytest

from prep import steps
from prep.cut import cut_step
from prep.filters import filter_step
from prep.formula import formula_step
from prep.value_labels import value_labels_step
from utils.data_error import DataError


def no_other(dataset, step):
    raise AssertionError("only prep steps here")


def test_steps_apply_in_order_and_filters_make_the_flow(patients):
    history = [
        value_labels_step(patients, "sex", {"1": "Male", "2": "Female"}),
        filter_step(patients, "age", ">=", ["40"]),
        formula_step(patients, "bmi", "weight / (height / 100)^2"),
        filter_step(patients, "stage", "not_in", ["IV"]),
    ]
    prepared = steps.apply_steps(patients, history, no_other)
    ds = prepared.dataset
    assert len(ds.df) == 4 and "bmi" in ds.columns
    assert set(ds.df["sex"]) == {"Male", "Female"}
    assert prepared.flow.start == 10 and prepared.flow.final == 4
    assert [s.after for s in prepared.flow.steps] == [6, 4]
    assert prepared.skipped == ()
    # each prefix of the history is its own fingerprint: undo returns to the earlier one
    shorter = steps.apply_steps(patients, history[:-1], no_other).dataset
    assert len({patients.fingerprint, shorter.fingerprint, ds.fingerprint}) == 3
    assert steps.apply_steps(patients, history, no_other).dataset.fingerprint == ds.fingerprint


def test_a_step_that_no_longer_fits_is_named_and_the_others_still_apply(patients):
    grouped = cut_step(patients, column="age", name="age_group", cutoffs="50")
    renamed = patients.df.rename(columns={"weight": "mass"})
    from utils.data_io import dataset_from_frame

    other = dataset_from_frame(renamed, "patients.csv")
    history = [formula_step(patients, "double", "weight * 2"), grouped]
    prepared = steps.apply_steps(other, history, no_other)
    assert "age_group" in prepared.dataset.columns
    assert "double" not in prepared.dataset.columns
    assert len(prepared.skipped) == 1
    assert prepared.skipped[0].startswith("Step 1 (New column double = weight * 2) was not applied")
    assert "There is no column named 'weight'" in prepared.skipped[0]


def test_a_defect_in_a_step_costs_only_that_step(patients):
    class Broken:
        def apply(self, dataset):
            raise ZeroDivisionError

        def describe(self):
            return "broken"

    prepared = steps.apply_steps(patients, [Broken()], no_other)
    assert prepared.dataset is patients
    assert "unexpected error" in prepared.skipped[0]


def test_label_merges_go_through_the_callers_function(patients):
    seen = []
    steps.apply_steps(patients, [("stage", {"IV": "III"})], lambda ds, s: seen.append(s) or ds)
    assert seen == [("stage", {"IV": "III"})]


def test_a_proposal_previews_groups_numbers_and_filters(patients):
    cut = steps.propose("cut", patients, column="age", name="g", cutoffs="50")
    assert cut.preview.counts["group"].tolist() == ["[10, 50)", "[50, 90]"]
    assert cut.preview.counts["n"].tolist() == [4, 5] and cut.preview.missing == 1
    bmi = steps.propose("formula", patients, name="w2", formula="weight * 2")
    assert dict(bmi.preview.summary)["max"] == "280"
    kept = steps.propose("filter", patients, column="age", op=">", values=["80"])
    assert kept.flow.after == 1 and kept.dataset is None  # counted, not filtered


def test_unknown_kinds_and_bad_params_are_data_errors(patients):
    with pytest.raises(DataError, match="Unknown kind"):
        steps.propose("eval", patients)
    with pytest.raises(DataError, match="outside the values"):
        steps.propose("cut", patients, column="age", name="g", cutoffs="5")


def test_every_step_is_in_the_recode_map(patients):
    import json

    from matching.recode import recode_map_frame, recode_map_json

    history = [
        value_labels_step(patients, "sex", {"1": "Male"}),
        cut_step(patients, column="age", name="g", cutoffs="50"),
        formula_step(patients, "w2", "weight * 2"),
        filter_step(patients, "age", ">=", ["40"], reason="children"),
        ("stage", {"IV": "III"}),
    ]
    table = recode_map_frame(history)
    assert table["change"].tolist() == [
        "value label",
        "derived: groups",
        "derived: formula",
        "row filter",
        "merged",
    ]
    assert table.iloc[1]["recoded_as"] == "cut at 50"
    assert table.iloc[3]["original"] == "children"
    data = json.loads(recode_map_json(history))
    assert [d.get("step") for d in data] == ["value labels", "cut", "formula", "row filter", None]
    assert data[1]["groups"].startswith("lower boundary included")


def test_the_steps_that_applied_are_recorded_for_a_script(patients):
    """An exported script redoes exactly the steps that applied, in order."""
    cut = steps.propose("cut", patients, column="age", name="g", cutoffs="50").step
    gone = steps.propose("cut", patients, column="age", name="h", cutoffs="60").step
    kept = steps.propose("filter", patients, column="age", op=">", values=["20"]).step
    prepared = steps.apply_steps(patients, [cut, replace(gone, column="nope"), kept], no_other)
    assert prepared.dataset.steps == (cut, kept)
    assert len(prepared.skipped) == 1
