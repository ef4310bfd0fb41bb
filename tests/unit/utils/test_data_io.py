"""read_table on the awkward files clinicians upload; the expected values are the cells we wrote."""

from __future__ import annotations

import dataclasses
import gzip
import io
import math
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from utils import config, data_io
from utils.data_io import DataError, read_table


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def xlsx_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- encodings -------------------------------------------------------------------------------


def test_plain_utf8_csv(tmp_path):
    path = write(tmp_path, "trial.csv", b"id,age,sex\n1,34,F\n2,51,M\n3,47,F\n")
    dataset = read_table(path)
    assert dataset.name == "trial.csv"
    assert list(dataset.df.columns) == ["id", "age", "sex"]
    assert dataset.df["age"].tolist() == [34, 51, 47]
    assert dataset.df["age"].dtype == np.int64
    assert dataset.df["sex"].tolist() == ["F", "M", "F"]
    assert dataset.meta("sex").kind == "binary"
    assert dataset.meta("sex").levels == ("F", "M")
    assert dataset.notes == ("Read as UTF-8 text with ',' separators.",)


def test_utf8_with_bom_keeps_first_header_clean(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeffname,score\nAnaïs,3\nBjörn,4\n".encode())
    dataset = read_table(path, name="scores")
    assert dataset.name == "scores"
    assert list(dataset.df.columns) == ["name", "score"]
    assert dataset.df["name"].tolist() == ["Anaïs", "Björn"]
    assert "UTF-8 (with byte-order mark)" in dataset.notes[0]


def test_utf16_with_bom_tab_separated(tmp_path):
    # Excel's "Unicode text" export: UTF-16 with a BOM and tabs.
    text = "patient\tward\tlos\nA1\tMédecine\t3\nA2\tChirurgie\t5\n"
    dataset = read_table(write(tmp_path, "u16.txt", text.encode("utf-16")))
    assert dataset.df["ward"].tolist() == ["Médecine", "Chirurgie"]
    assert dataset.df["los"].tolist() == [3, 5]
    assert dataset.notes[0] == "Read as UTF-16 text with tab separators."


def test_utf16_without_bom(tmp_path):
    text = "a,b\n1,x\n2,y\n"
    dataset = read_table(text.encode("utf-16-le"))
    assert dataset.df["a"].tolist() == [1, 2]
    assert dataset.df["b"].tolist() == ["x", "y"]


def test_windows_1252_accents(tmp_path):
    text = "nom;ville\nJosé;Orléans\nRenée;Besançon\nZoë;Genève\n"
    dataset = read_table(write(tmp_path, "fr.csv", text.encode("cp1252")))
    assert dataset.df["nom"].tolist() == ["José", "Renée", "Zoë"]
    assert dataset.df["ville"].tolist() == ["Orléans", "Besançon", "Genève"]
    assert dataset.notes[0] == "Read as Windows-1252 text with ';' separators."


def test_western_text_with_adjacent_accents_is_not_taken_for_thai(tmp_path):
    text = "wort,n\nGrößenänderung,1\nMüller,2\nStraße,3\n"
    dataset = read_table(text.encode("cp1252"))
    assert dataset.df["wort"].tolist() == ["Größenänderung", "Müller", "Straße"]


def test_thai_windows_874(tmp_path):
    text = "hn,ward,sex\n001,อายุรกรรม,ชาย\n002,ศัลยกรรม,หญิง\n003,กุมารเวชกรรม,หญิง\n"
    dataset = read_table(write(tmp_path, "thai.csv", text.encode("cp874")))
    assert dataset.df["ward"].tolist() == ["อายุรกรรม", "ศัลยกรรม", "กุมารเวชกรรม"]
    assert dataset.meta("sex").levels == ("ชาย", "หญิง")
    assert dataset.notes[0] == "Read as Thai (Windows-874) text with ',' separators."


def test_thai_utf8_is_read_as_utf8(tmp_path):
    text = "ward,n\nอายุรกรรม,1\nศัลยกรรม,2\n"
    dataset = read_table(text.encode())
    assert dataset.df["ward"].tolist() == ["อายุรกรรม", "ศัลยกรรม"]
    assert "UTF-8" in dataset.notes[0]


def test_mixed_encodings_are_refused_with_advice(tmp_path):
    good = "".join(f"{i},Müller é ü ö\n" for i in range(20)).encode()
    data = b"id,name\n" + good + "21,Müller\n".encode("cp1252")
    with pytest.raises(DataError, match="line 22 is not in the same encoding") as err:
        read_table(data)
    assert "CSV UTF-8" in str(err.value)


def test_damaged_utf8_with_bom_is_undecodable(tmp_path):
    data = b"\xef\xbb\xbfa,b\n1,\xff\xfe\n"
    with pytest.raises(DataError, match="cannot be read that way") as err:
        read_table(data)
    assert "save it as 'CSV UTF-8'" in str(err.value)


# --- separators, decimals, missing codes, headers -------------------------------------------


@pytest.mark.parametrize(("sep", "name"), [(";", "';'"), ("\t", "tab"), ("|", "'|'")])
def test_other_separators(sep, name):
    text = sep.join(["id", "group", "dose"]) + "\n"
    text += "".join(sep.join([str(i), g, str(d)]) + "\n" for i, g, d in [(1, "a", 5), (2, "b", 10)])
    dataset = read_table(text.encode())
    assert list(dataset.df.columns) == ["id", "group", "dose"]
    assert dataset.df["dose"].tolist() == [5, 10]
    assert dataset.notes[0] == f"Read as UTF-8 text with {name} separators."


def test_semicolons_and_decimal_commas_from_european_excel(tmp_path):
    text = "id;weight;crp\n1;72,5;3,1\n2;80,0;12\n3;65,25;0,4\n"
    dataset = read_table(write(tmp_path, "eu.csv", text.encode("cp1252")))
    assert dataset.df["weight"].tolist() == [72.5, 80.0, 65.25]
    assert dataset.df["crp"].tolist() == pytest.approx([3.1, 12.0, 0.4])
    assert dataset.df["weight"].dtype == np.float64
    assert dataset.notes[0] == "Read as UTF-8 text with ';' separators and decimal commas."


def test_excel_separator_hint_line():
    dataset = read_table(b"sep=;\na;b\n1,5;x\n2,5;y\n")
    assert list(dataset.df.columns) == ["a", "b"]
    assert dataset.df["a"].tolist() == [1.5, 2.5]


def test_missing_codes_become_missing_case_insensitively():
    codes = ["", "NA", "N/A", "n/a", "NaN", ".", "-", "null", "missing", " Missing ", "NULL", "na"]
    rows = "".join(f"{i},{code},grp{i % 2}\n" for i, code in enumerate(codes))
    rows += "100,7.5,grp0\n101,8,grp1\n"
    dataset = read_table(("id,value,group\n" + rows).encode())
    value = dataset.df["value"]
    assert value.dtype == np.float64
    assert value.isna().sum() == len(codes)
    assert value.dropna().tolist() == [7.5, 8.0]
    assert dataset.meta("value").n_missing == len(codes)
    assert any(
        n.startswith("Read codes such as") and "as missing values" in n for n in dataset.notes
    )


def test_missing_codes_in_text_columns_and_none_is_an_answer():
    text = "id,smoking\n1,Never\n2,NA\n3, Current \n4,None\n5,missing\n"
    dataset = read_table(text.encode())
    assert dataset.df["smoking"].tolist()[0] == "Never"
    assert math.isnan(dataset.df["smoking"][1]) and math.isnan(dataset.df["smoking"][4])
    # 'None' is a real answer in clinical data (no symptoms), not a missing code.
    assert dataset.df["smoking"][3] == "None"
    assert dataset.df["smoking"][2] == "Current"
    assert dataset.meta("smoking").levels == ("Current", "Never", "None")


def test_numbers_with_spaces_are_numbers():
    dataset = read_table(b"a,b\n 1 ,  2.5\n2 , 3\n  3,4 \n")
    assert dataset.df["a"].tolist() == [1, 2, 3]
    assert dataset.df["a"].dtype == np.int64
    assert dataset.df["b"].tolist() == [2.5, 3.0, 4.0]


def test_padded_empty_and_duplicate_headers():
    text = "  age ,sex,,age,Age\n40,F,x,41,42\n50,M,y,51,52\n"
    dataset = read_table(text.encode())
    assert list(dataset.df.columns) == ["age", "sex", "column_3", "age_2", "Age"]
    assert dataset.df["age_2"].tolist() == [41, 51]
    assert "Column 3 had no name; it is called 'column_3'." in dataset.notes
    assert "Two columns were both called 'age'; renamed to 'age' and 'age_2'." in dataset.notes


def test_three_duplicates_and_a_clash_with_an_existing_name():
    dataset = read_table(b"x,x,x_2,x\n1,2,3,4\n5,6,7,8\n")
    assert list(dataset.df.columns) == ["x", "x_3", "x_2", "x_4"]
    assert "Three columns were all called 'x'; renamed to 'x', 'x_3' and 'x_4'." in dataset.notes


def test_trailing_separators_and_blank_rows_are_dropped_with_notes():
    dataset = read_table(b"a,b,\n1,x,\n,,\n2,y,\n\n3,z,\n")
    assert list(dataset.df.columns) == ["a", "b"]
    assert dataset.df["a"].tolist() == [1, 2, 3]
    assert any("Dropped 1 empty row" in n for n in dataset.notes)
    assert any("empty column(s) without a name" in n for n in dataset.notes)


def test_ragged_row_with_an_extra_value_is_refused_with_its_line():
    with pytest.raises(DataError, match="Line 4 of the file has 4 values") as err:
        read_table(b"a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n")
    assert "without quotes" in str(err.value) and "upload again" in str(err.value)


def test_short_rows_are_filled_with_missing():
    dataset = read_table(b"a,b,c\n1,2,3\n4,5\n6,7,8\n")
    assert dataset.df["c"].isna().tolist() == [False, True, False]


def test_fixed_width_codes_keep_their_leading_zeros():
    dataset = read_table(b"hn,days\n000123,05\n004567,12\n012345,7\n")
    assert dataset.df["hn"].tolist() == ["000123", "004567", "012345"]
    assert any("'hn' as text because values have leading zeros" in n for n in dataset.notes)
    # A zero-padded number of mixed widths is still a number.
    assert dataset.df["days"].tolist() == [5, 12, 7]


def test_spaces_around_text_values_are_removed_with_a_note():
    dataset = read_table(b"id,sex\n1,Male \n2, Female\n3,Male\n")
    assert dataset.df["sex"].tolist() == ["Male", "Female", "Male"]
    assert dataset.meta("sex").levels == ("Female", "Male")
    assert "Removed spaces around values in 'sex'." in dataset.notes


def test_day_first_and_month_first_dates():
    dmy = read_table(b"d,x\n05/03/2024,1\n31/12/2023,2\n01/01/2020,3\n")
    assert dmy.df["d"].tolist() == [
        pd.Timestamp("2024-03-05"),
        pd.Timestamp("2023-12-31"),
        pd.Timestamp("2020-01-01"),
    ]
    assert dmy.meta("d").kind == "date"
    assert "Read 'd' as dates (day/month/year)." in dmy.notes
    mdy = read_table(b"d,x\n03/25/2024,1\n12/31/2023,2\n01/02/2020,3\n")
    assert mdy.df["d"][2] == pd.Timestamp("2020-01-02")
    assert "Read 'd' as dates (month/day/year)." in mdy.notes


def test_a_column_with_one_non_date_stays_text():
    dataset = read_table(b"d,x\n2024-01-05,1\n2024-02-30x,2\n2023-11-11,3\n")
    assert dataset.df["d"].tolist() == ["2024-01-05", "2024-02-30x", "2023-11-11"]


# --- not a table, empty, too big -------------------------------------------------------------


@pytest.mark.parametrize("content", [b"", b"  \r\n\r\n", b"\xef\xbb\xbf"])
def test_empty_file(tmp_path, content):
    with pytest.raises(DataError, match="The file is empty. Upload a table with column names"):
        read_table(write(tmp_path, "empty.csv", content))


def test_header_only(tmp_path):
    with pytest.raises(DataError, match="column names but no rows of data") as err:
        read_table(write(tmp_path, "header.csv", b"id,age,sex\n"))
    assert "Add the data below the header row" in str(err.value)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "PNG image, not a table"),
        (gzip.compress(b"a,b\n1,2\n"), "compressed (gzip) file. Decompress it"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "old-format Excel (.xls)"),
        (
            b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>x</body></html>",
            "web page (HTML)",
        ),
        (bytes(range(256)) * 8, "not a text table (it holds binary data)"),
    ],
)
def test_files_that_are_not_tables(tmp_path, content, expected):
    with pytest.raises(DataError, match=expected.replace("(", r"\(").replace(")", r"\)")) as err:
        read_table(write(tmp_path, "upload.csv", content))
    assert "upload" in str(err.value).lower() or "decompress" in str(err.value).lower()


def test_random_binary_junk(tmp_path):
    junk = np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes()
    with pytest.raises(DataError, match="not a text table"):
        read_table(write(tmp_path, "junk.csv", junk))


def test_zip_that_is_not_a_workbook(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("data.csv", "a,b\n1,2\n")
    with pytest.raises(DataError, match="ZIP archive. Extract it"):
        read_table(buffer.getvalue())


def test_file_over_the_limit_is_refused_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(
        config, "settings", dataclasses.replace(config.settings, max_upload_mb=0.01)
    )
    # PNG bytes: a parse would say "PNG image", so the size message proves it came first.
    big = write(tmp_path, "big.csv", b"\x89PNG" + bytes(20_000))
    with pytest.raises(DataError) as err:
        read_table(big)
    message = str(err.value)
    assert "The file is 20 KB; " in message
    assert "MedStat accepts files up to 0.01 MB" in message
    assert "Delete the columns and rows the analysis does not need" in message
    with pytest.raises(DataError, match="accepts files up to"):
        read_table(big.read_bytes())


def test_oversize_stream_is_not_read_past_the_limit(monkeypatch):
    monkeypatch.setattr(
        config, "settings", dataclasses.replace(config.settings, max_upload_mb=0.01)
    )

    class Stream(io.RawIOBase):
        """A non-seekable upload stream that records how much was asked of it."""

        requested = 0

        def readable(self):
            return True

        def read(self, size=-1):
            Stream.requested += size if size >= 0 else 10**9
            return b"a,b\n" + b"1,2\n" * (size // 4 if size >= 0 else 10**6)

    with pytest.raises(DataError, match="accepts files up to"):
        read_table(Stream())
    assert Stream.requested <= 0.01 * 1024 * 1024 + 1


# --- Excel -----------------------------------------------------------------------------------


def test_xlsx_first_sheet_with_types_and_notes(tmp_path):
    rows = [
        [" id ", "age", "age", "admitted", "crp", None],
        ["P1", 40, 1, pd.Timestamp("2024-01-05").to_pydatetime(), 3.5, "x"],
        ["P2", 55, 0, pd.Timestamp("2024-02-11").to_pydatetime(), "NA", "y"],
        ["P3", 61, 1, pd.Timestamp("2024-03-20").to_pydatetime(), 12.25, "z"],
    ]
    content = xlsx_bytes({"Patients": rows, "Codebook": [["variable", "meaning"]]})
    dataset = read_table(write(tmp_path, "study.xlsx", content))
    df = dataset.df
    assert list(df.columns) == ["id", "age", "age_2", "admitted", "crp", "column_6"]
    assert df["age"].tolist() == [40, 55, 61] and df["age"].dtype == np.int64
    assert df["crp"].tolist()[0] == 3.5 and math.isnan(df["crp"][1])
    assert df["crp"].dtype == np.float64
    assert pd.api.types.is_datetime64_any_dtype(df["admitted"])
    assert dataset.meta("admitted").kind == "date"
    assert dataset.meta("age_2").kind == "binary"
    assert dataset.notes[0] == (
        "Read the first sheet ('Patients') of an Excel workbook; it has 2 sheets, "
        "the others were not read."
    )
    assert "Two columns were both called 'age'; renamed to 'age' and 'age_2'." in dataset.notes
    assert "Column 6 had no name; it is called 'column_6'." in dataset.notes


def test_xlsx_missing_codes_and_none_as_an_answer():
    rows = [["id", "symptoms", "crp"], [1, "None", 5], [2, "Mild", "NA"], [3, "n/a", 7.5]]
    rows += [[4, " Severe", None]]
    dataset = read_table(xlsx_bytes({"S": rows}))
    assert dataset.df["symptoms"].tolist()[:2] == ["None", "Mild"]
    assert math.isnan(dataset.df["symptoms"][2]) and dataset.df["symptoms"][3] == "Severe"
    assert dataset.df["crp"].dtype == np.float64
    assert dataset.df["crp"].isna().tolist() == [False, True, False, True]
    assert "Read codes such as 'n/a' and 'NA' as missing values." in dataset.notes


def test_xlsx_named_csv_is_read_by_content():
    content = xlsx_bytes({"Sheet1": [["a", "b"], [1, "x"], [2, "y"]]})
    dataset = read_table(io.BytesIO(content), name="export.csv")
    assert dataset.df["a"].tolist() == [1, 2]
    assert dataset.notes[0] == "The file is named '.csv' but is an Excel workbook."


def test_xlsx_header_only_and_empty_sheet():
    with pytest.raises(DataError, match="no rows of data"):
        read_table(xlsx_bytes({"S": [["a", "b"]]}))
    with pytest.raises(DataError, match="first sheet \\('S'\\) is empty"):
        read_table(xlsx_bytes({"S": []}))


# --- fingerprint and sources -----------------------------------------------------------------


def test_fingerprint_follows_the_bytes(tmp_path):
    content = b"id,age,sex\n1,34,F\n2,51,M\n3,47,F\n"
    path = write(tmp_path, "a.csv", content)
    first = read_table(path)
    assert read_table(content).fingerprint == first.fingerprint
    assert read_table(io.BytesIO(content)).fingerprint == first.fingerprint
    assert read_table(bytearray(content)).fingerprint == first.fingerprint
    changed = read_table(content.replace(b"51", b"52"))
    assert changed.fingerprint != first.fingerprint
    # Same cells, different file (separator): different bytes, different fingerprint.
    assert read_table(content.replace(b",", b";")).fingerprint != first.fingerprint


def test_missing_path_says_so(tmp_path):
    with pytest.raises(DataError, match="'nothere.csv' was not found"):
        read_table(tmp_path / "nothere.csv")


# --- frames --------------------------------------------------------------------------------


def test_dataset_from_frame_fingerprints_and_names():
    df = pd.DataFrame([[1, "a", 2.5], [2, "b", 3.5]], columns=[0, "x", "x"])
    dataset = data_io.dataset_from_frame(df, name="made")
    assert list(dataset.df.columns) == ["0", "x", "x_2"]
    assert dataset.name == "made"
    assert "Two columns were both called 'x'; renamed to 'x' and 'x_2'." in dataset.notes
    same = data_io.dataset_from_frame(df.copy(), name="made")
    assert same.fingerprint == dataset.fingerprint
    edited = df.copy()
    edited.iloc[0, 2] = 9.5
    assert data_io.dataset_from_frame(edited).fingerprint != dataset.fingerprint
