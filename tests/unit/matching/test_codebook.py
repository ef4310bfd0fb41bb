"""Reading codebooks: REDCap data dictionaries, plain CSVs, and files that must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.codebook import parse_choices, parse_codebook, read_codebook
from utils.data_error import DataError

DATA = Path(__file__).resolve().parents[2] / "data"


def test_redcap_dictionary_reads_types_codes_and_skips_descriptive_fields() -> None:
    book = read_codebook(DATA / "codebook_redcap.csv")
    names = [e.variable for e in book.entries]
    assert "intro" not in names  # a descriptive field holds no data
    assert book.entry("age").type == "numeric"  # text validated as integer
    assert book.entry("age").label == "Age (years)"
    sex = book.entry("sex")
    assert (sex.type, sex.values, sex.codes) == ("categorical", ("Male", "Female"), ("1", "2"))
    diabetes = book.entry("diabetes")  # yesno lists no choices: REDCap's are 1 Yes, 0 No
    assert (diabetes.type, diabetes.values, diabetes.codes) == (
        "categorical",
        ("Yes", "No"),
        ("1", "0"),
    )
    assert book.entry("adm_date").type == "date"
    assert book.entry("record_id").type == "text"


def test_plain_codebook_with_loose_headers_and_label_lists() -> None:
    book = read_codebook(DATA / "codebook_plain.csv")
    assert [e.variable for e in book.entries] == ["Age", "Sex", "BMI", "Smoking", "Notes"]
    assert book.entry("Sex").values == ("Male", "Female") and book.entry("Sex").codes == ("", "")
    assert book.entry("Smoking").values == ("Never", "Former", "Current")
    assert book.entry("Smoking").type == "categorical"  # "factor"
    assert book.entry("BMI").type == "numeric"  # "continuous"
    assert book.entry("Notes").type == "text"  # "string"


def test_semicolon_file_and_a_missing_type_with_values_is_categorical() -> None:
    book = parse_codebook(b"Field Name;Description;Levels\nasa;ASA class;1=I | 2=II | 3=III\n")
    entry = book.entry("asa")
    assert entry.type == "categorical" and entry.label == "ASA class"
    assert entry.codes == ("1", "2", "3") and entry.values == ("I", "II", "III")


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("1, Male | 2, Female", (("1", "Male"), ("2", "Female"))),
        ("1=Yes; 0=No", (("1", "Yes"), ("0", "No"))),
        ("Male; Female", (("", "Male"), ("", "Female"))),
        ("I-II, III, IV", (("", "I-II"), ("", "III"), ("", "IV"))),
        ("", ()),
    ],
)
def test_choice_cells(text: str, pairs: tuple) -> None:
    assert parse_choices(text) == pairs


def test_the_fingerprint_follows_the_content() -> None:
    a = parse_codebook(b"variable,label\nage,Age\n")
    assert parse_codebook(b"variable,label\nage,Age\n").fingerprint == a.fingerprint
    assert parse_codebook(b"variable,label\nage,Age in years\n").fingerprint != a.fingerprint


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"", "empty"),
        (b"  \r\n", "empty"),
        (b"label,type\nAge,numeric\n", "no variable column"),
        (b"variable,label\nage,Age\nAGE,Age again\n", "listed twice"),
        (b"variable,type\nage,weird\n", "'weird' is not known"),
        (b"variable,label\n,Age\n", "row 2 has no variable name"),
        (b"variable,label\n", "no variables"),
    ],
)
def test_bad_codebooks_say_what_to_fix(data: bytes, says: str) -> None:
    with pytest.raises(DataError, match=says):
        parse_codebook(data)


def test_a_missing_file_is_a_data_error(tmp_path) -> None:
    with pytest.raises(DataError, match="not found"):
        read_codebook(tmp_path / "nope.csv")
