"""Allowed values against one column's labels: codes, variants, the rest flagged."""

from __future__ import annotations

import pandas as pd

from matching.codebook import CodebookEntry
from matching.value_match import match_values

SEX = CodebookEntry("sex", "Sex", "categorical", ("Male", "Female"))
SEX_CODED = CodebookEntry("sex", "Sex", "categorical", ("Male", "Female"), ("1", "2"))
SMOKING = CodebookEntry("smoking", "Smoking", "categorical", ("Never", "Former", "Current"))


def proposed(series: list, entry: CodebookEntry) -> dict[str, str | None]:
    return {m.label: m.value for m in match_values(pd.Series(series), entry)[0]}


def test_spelling_variants_go_to_the_allowed_value() -> None:
    got = proposed(["M", "male ", "F", "Female", "female", "MALE"], SEX)
    assert got == {
        "M": "Male",
        "male": "Male",
        "F": "Female",
        "Female": "Female",
        "female": "Female",
        "MALE": "Male",
    }


def test_redcap_codes_map_numbers_to_labels_also_in_a_numeric_column() -> None:
    assert proposed([1, 2, 1, 2.0], SEX_CODED) == {"1": "Male", "2": "Female"}
    assert proposed(["1", "2", "Male"], SEX_CODED) == {"1": "Male", "2": "Female", "Male": "Male"}


def test_labels_not_in_the_codebook_are_flagged_never_mapped() -> None:
    matches = match_values(pd.Series(["Male", "Unknown", "Other", "3"]), SEX_CODED)[0]
    by_label = {m.label: m for m in matches}
    for label in ("Unknown", "Other", "3"):
        assert by_label[label].value is None and by_label[label].how == "none"
    assert by_label["Male"].value == "Male"


def test_guards_keep_opposites_apart_and_abbreviations_are_read() -> None:
    got = proposed(["never", "Curr.", "ex", "Former smoker", "current"], SMOKING)
    assert got["never"] == "Never" and got["current"] == "Current" and got["ex"] == "Former"
    assert got["Curr."] == "Current"
    assert got["Former smoker"] in ("Former", None)  # never a different status


def test_rows_are_counted_and_ordered_by_frequency() -> None:
    matches = match_values(pd.Series(["F", "F", "F", "M", None, " "]), SEX)[0]
    assert [(m.label, m.rows) for m in matches] == [("F", 3), ("M", 1)]
