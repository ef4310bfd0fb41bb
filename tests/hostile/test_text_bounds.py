"""Issue 17 cases 2 and 12 for text: files bounded by columns, line length and values before
they are parsed, and limits that agree with each other.

Four users upload at once: 50,000 columns (refused by the column limit, not as "more values than
column names"), a line of 2 MB, 4.2 million values over a 4 million bound,
and a 40 MB file of distinct text that a 512 MB budget can never read: told so, with
the limits that apply, not "try again in a few minutes".
"""

from __future__ import annotations

from bench.hostile_files import write_wide_csv
from bench.read_memory import _unique_text_csv
from tests.hostile.conftest import RssSampler, assert_up, upload_as_users

LIMITS = {"max_line_kb": "512", "max_cells": "4000000"}  # a 50k-column header is 0.3 MB


def test_text_files_over_a_bound_are_refused_before_parsing(tmp_path, hostile_app, victim):
    wide = write_wide_csv(tmp_path / "wide.csv", 50_000, rows=2)
    line = tmp_path / "long_line.csv"
    line.write_text("id,note\n1,ok\n2," + "x" * 2_000_000 + "\n3,ok\n")
    cells = tmp_path / "cells.csv"
    cells.write_text("a,b,c\n" + "1,2,3\n" * 1_400_000)
    never = _unique_text_csv(tmp_path / "distinct_text.csv", 40)
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        with victim(app.url) as user:
            messages = upload_as_users(app.url, [wide, line, cells, never])
        user.assert_unharmed()
        assert_up(app)
        log = app.log()
    rss.assert_under()
    assert "50,000 columns" in messages[0] and "MEDSTAT_MAX_COLUMNS" in messages[0]
    assert "more values than" not in messages[0]
    assert "Line 3 " in messages[1] and "MEDSTAT_MAX_LINE_KB" in messages[1]
    assert "4,200,000 values" in messages[2] and "MEDSTAT_MAX_CELLS" in messages[2]
    assert "can ever give one file" in messages[3] and "MEDSTAT_MEMORY_LIMIT_MB" in messages[3]
    assert "try again" not in messages[3].lower()
    assert "read table" not in log.split("example dataset")[-1]  # nothing was parsed
    assert "Traceback" not in log
