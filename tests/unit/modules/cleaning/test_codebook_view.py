"""The codebook card's builders: escaped user strings, the step the user's choices make."""

from __future__ import annotations

import pandas as pd

from matching.codebook import Codebook, CodebookEntry
from matching.codebook_match import CodebookSpec, match_codebook
from modules.cleaning import codebook_view as cbv

HOSTILE = "<script>alert(1)</script>"


def book() -> Codebook:
    entries = (
        CodebookEntry("sex", "Sex " + HOSTILE, "categorical", ("Male", "Female")),
        CodebookEntry("age", "Age (years)", "numeric"),
    )
    return Codebook(name="cb.csv", fingerprint="a" * 32, entries=entries)


def frame() -> pd.DataFrame:
    return pd.DataFrame({"gender": ["M", "F", HOSTILE], "age_yrs": ["50", "x", "70"]})


def test_strings_from_the_files_are_escaped() -> None:
    result = match_codebook(frame(), CodebookSpec(book(), embeddings=False))
    html = str(cbv.match_table(result, list(frame().columns), 1))
    html += str(cbv.summary_line(result, "cb " + HOSTILE + ".csv"))
    values = result.values["sex"]
    html += str(
        cbv.value_editor(0, "sex", "gender", 0, values, ("Male", "Female"), 1, lambda _: None)
    )
    assert HOSTILE not in html and "&lt;script&gt;" in html


def test_the_step_follows_ticks_columns_and_value_choices() -> None:
    cb, columns = book(), list(frame().columns)
    result = match_codebook(frame(), CodebookSpec(cb, embeddings=False))
    values = {m.variable: m for m in result.variables}
    assert values["sex"].column == "gender" and values["age"].column == "age_yrs"
    inputs = {
        cbv.accept_id(1, 0): True,
        cbv.column_id(1, 0): "c0",
        cbv.accept_id(1, 1): True,
        cbv.column_id(1, 1): "c1",
    }
    outside = next(k for k, m in enumerate(result.values["sex"]) if m.value is None)
    inputs[cbv.value_id(1, 0, 0, outside)] = "v0"  # the user maps the odd label to Male

    def values_of(i, column):
        return result.values["sex"]

    step, why = cbv.chosen_step(cb, result, columns, 1, inputs.get, values_of)
    assert why == "" and [r.column for r in step.rules] == ["gender", "age_yrs"]
    assert dict(step.rules[0].mapping) == {"M": "Male", "F": "Female", HOSTILE: "Male"}
    assert step.rules[1].type == "numeric" and step.rules[1].label == "Age (years)"

    inputs[cbv.column_id(1, 1)] = "c0"  # both variables on one column: refused
    step, why = cbv.chosen_step(cb, result, columns, 1, inputs.get, values_of)
    assert step is None and "chosen for both" in why

    step, why = cbv.chosen_step(cb, result, columns, 1, lambda _: None, values_of)
    assert step is None and "No match is ticked" in why


def test_a_wide_data_set_offers_a_bounded_column_list_with_the_proposal() -> None:
    columns = [f"lab_{k}" for k in range(300)] + ["gender"]
    match = cbv.VariableMatch(
        "sex", "Sex", "categorical", "gender", 1.0, False, "exact", ("lab_1",)
    )
    index = {c: k for k, c in enumerate(columns)}
    choices = cbv.column_choices(match, columns, columns[:200], index)
    assert len(choices) == cbv.MAX_CHOICES + 1
    assert choices["c300"] == "gender" and choices["c1"] == "lab_1" and choices[""] == "(no column)"


def test_a_column_of_many_labels_shows_the_frequent_ones_and_maps_only_those() -> None:
    entry = CodebookEntry("ward", "Ward", "categorical", ("A", "B"))
    cb = Codebook(name="cb.csv", fingerprint="b" * 32, entries=(entry,))
    labels = ["A"] * 5 + [f"x{k}" for k in range(150)] + ["b"]
    df = pd.DataFrame({"ward": labels})
    result = match_codebook(df, CodebookSpec(cb, embeddings=False))
    matches = result.values["ward"]
    html = str(cbv.value_editor(0, "ward", "ward", 0, matches, entry.values, 1, lambda _: None))
    assert f"{len(matches) - cbv.MAX_VALUE_ROWS} rarer label(s) not shown" in html
    inputs = {cbv.accept_id(1, 0): True, cbv.column_id(1, 0): "c0"}
    step, _ = cbv.chosen_step(cb, result, ["ward"], 1, inputs.get, lambda i, c: matches)
    shown = {m.label for m in matches[: cbv.MAX_VALUE_ROWS]}
    assert {old for old, _ in step.rules[0].mapping} <= shown


def test_the_summary_of_a_wide_file_names_a_bounded_number_of_unmatched_columns() -> None:
    from matching.codebook_match import CodebookMatch

    columns = tuple(f"c{i}" for i in range(16_000))
    result = CodebookMatch("fp", (), ("ghost",), columns, {})
    text = str(cbv.summary_line(result, "book.csv"))
    assert "c48, c49 and" in text and "c50" not in text
    assert "and 15,950 more" in text and len(text) < 2_000
    assert "Not in the data: ghost" in text
