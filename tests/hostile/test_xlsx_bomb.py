"""Issue 17 case 2: small compressed workbooks that unpack to far more than they weigh.

Four users upload at once: a workbook whose sheet XML is over the unpacked limit (refused from
the ZIP's directory, nothing parsed), one whose cells are over the cell limit (stopped at the
first cell past it while streaming) and one with a huge shared-strings table. Limits are small
so that the attack is cheap; the bounds are the same code at any size.
"""

from __future__ import annotations

import time

from bench.hostile_files import write_xlsx
from tests.hostile.conftest import RssSampler, assert_up, upload_as_users

LIMITS = {"xlsx_max_xml_mb": "4", "xlsx_max_cells": "40000"}


def test_workbook_bombs_are_refused_and_others_stay_fast(tmp_path, hostile_app, victim):
    unpacks = write_xlsx(tmp_path / "unpacks.xlsx", 30_000, 8)  # ~6 MB of sheet XML
    cells = write_xlsx(tmp_path / "cells.xlsx", 12_000, 8)  # ~2.4 MB XML, 96k cells
    strings = write_xlsx(tmp_path / "strings.xlsx", 10, 2, strings=300_000, string_length=12)
    assert max(p.stat().st_size for p in (unpacks, cells, strings)) < 1_000_000
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        with victim(app.url) as user:
            started = time.monotonic()
            messages = upload_as_users(app.url, [unpacks, cells, strings, cells])
            took = time.monotonic() - started
        user.assert_unharmed()
        assert_up(app)
    rss.assert_under()
    assert "MEDSTAT_XLSX_MAX_XML_MB" in messages[0] and "unpacks to" in messages[0]
    assert "MEDSTAT_XLSX_MAX_CELLS" in messages[1] and "40,000 cells" in messages[1]
    assert "MEDSTAT_XLSX_MAX_XML_MB" in messages[2]  # the strings table counts as unpacked data
    assert messages[3] == messages[1]
    assert took < 20, f"the refusals took {took:.1f} s"
    assert "Traceback" not in app.log()
