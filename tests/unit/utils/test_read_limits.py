"""Every read is bounded before and while it runs, and a refusal names the limit (issue 17 cases
2 and 12): text by columns, line length and values; workbooks by unpacked parts and cells."""

from __future__ import annotations

import dataclasses

import pytest

from bench.hostile_files import write_wide_csv, write_xlsx
from utils import config, data_io, read_limits
from utils.data_error import DataError


@pytest.fixture
def limits(monkeypatch):
    def set_limits(**values):
        monkeypatch.setattr(config, "settings", dataclasses.replace(config.settings, **values))

    return set_limits


def test_too_many_columns_names_the_limit_not_a_ragged_row(tmp_path, limits):
    limits(max_columns=1000)
    path = write_wide_csv(tmp_path / "wide.csv", 1500, rows=3)
    with pytest.raises(DataError, match="1,500 columns.*MEDSTAT_MAX_COLUMNS"):
        read_limits.plan_path(path)
    with pytest.raises(DataError, match="MEDSTAT_MAX_COLUMNS"):
        data_io.read_table(path)  # every read is checked, not only uploads


def test_fifty_thousand_columns_are_refused_by_the_column_limit(tmp_path):
    """The issue's 50k columns read as 'more values than column names'."""
    path = write_wide_csv(tmp_path / "wide.csv", 50_000, rows=2)
    with pytest.raises(DataError) as refused:
        data_io.read_table(path)
    assert "MEDSTAT_MAX_COLUMNS" in str(refused.value)
    assert "more values than" not in str(refused.value)


def test_an_overlong_line_names_its_number_and_the_limit(tmp_path, limits):
    limits(max_line_kb=4)
    path = tmp_path / "open_quote.csv"
    path.write_text("a,b\n1,2\n3," + "x" * 10_000 + "\n5,6\n")
    with pytest.raises(DataError, match="Line 3 .*MEDSTAT_MAX_LINE_KB"):
        read_limits.plan_path(path)


def test_too_many_values_are_refused_before_parsing(tmp_path, limits):
    limits(max_cells=1000)
    path = tmp_path / "long.csv"
    path.write_text("a,b,c\n" + "1,2,3\n" * 400)
    with pytest.raises(
        DataError,
        match=r"1,200 values \(400 rows x 3 columns\).*MEDSTAT_MAX_CELLS.*about 333 rows of these",
    ):
        read_limits.plan_path(path)


def test_text_estimate_grows_with_distinct_text(tmp_path):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("a,b\n" + "".join(f"{i},{i % 7}\n" for i in range(20_000)))
    text = tmp_path / "text.csv"
    text.write_text("a,b\n" + "".join(f"id{i:06d},note {i:06d}\n" for i in range(20_000)))
    assert read_limits.plan_path(text).need_mb > read_limits.plan_path(numbers).need_mb + 2


def test_a_workbook_that_unpacks_past_the_limit_is_refused_from_its_directory(tmp_path, limits):
    limits(xlsx_max_xml_mb=1)
    path = write_xlsx(tmp_path / "bomb.xlsx", 8_000, 8)  # ~1.6 MB of XML, ~100 KB on disk
    assert path.stat().st_size < 300_000
    with pytest.raises(DataError, match="unpacks to .*MEDSTAT_XLSX_MAX_XML_MB"):
        read_limits.plan_path(path)


def test_a_shared_strings_table_counts_as_unpacked_data(tmp_path, limits):
    limits(xlsx_max_xml_mb=1)
    path = write_xlsx(tmp_path / "strings.xlsx", 5, 2, strings=60_000, string_length=12)
    with pytest.raises(DataError, match="MEDSTAT_XLSX_MAX_XML_MB"):
        read_limits.plan_path(path)


def test_a_sheet_stops_at_the_first_cell_past_the_limit(tmp_path, limits):
    limits(xlsx_max_cells=5_000)
    path = write_xlsx(tmp_path / "cells.xlsx", 2_000, 5)  # 10k cells: the plan lets it through
    with pytest.raises(DataError, match="5,000 cells.*MEDSTAT_XLSX_MAX_CELLS"):
        data_io.read_table(path)


def test_a_small_workbook_reads_as_pandas_would(tmp_path):
    path = write_xlsx(tmp_path / "small.xlsx", 30, 3)
    dataset = data_io.read_table(path)
    assert dataset.df.shape == (30, 3)
    assert list(dataset.df.columns) == ["v0", "v1", "v2"]
