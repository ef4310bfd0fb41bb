"""Every analysis tab offers its tables as Word and CSV through the framework, not its own code."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from modules.agreement.tab import TAB as AGREEMENT
from modules.correlation.tab import TAB as CORRELATION
from modules.diagnostic.tab import TAB as DIAGNOSTIC
from modules.outcome.tab import TAB as OUTCOME
from modules.regression.tab import TAB as REGRESSION
from modules.sample_size.tab import TAB as SAMPLE_SIZE
from modules.shared.table_csv import csv_suffix
from modules.shared.table_doc import row, table_doc
from modules.shared.table_downloads import CSV_ID, WORD_ID, table_downloads
from modules.survival.tab import TAB as SURVIVAL
from modules.table1.tab import TAB as TABLE1

TABS = (OUTCOME, TABLE1, DIAGNOSTIC, SURVIVAL, CORRELATION, REGRESSION, AGREEMENT, SAMPLE_SIZE)


@pytest.mark.parametrize("tab", TABS, ids=lambda t: t.name)
def test_every_tab_declares_its_tables_and_gets_word_and_csv(tab):
    assert tab.tables is not None
    ids = [d.id for d in (*table_downloads(tab), *tab.downloads)]
    assert ids[:2] == [WORD_ID, CSV_ID]
    assert len(ids) == len(set(ids))  # no tab writes a CSV of its tables of its own


def test_long_form_download_starts_with_a_byte_order_mark(view):
    """'All numbers' (the outcome view of tests/unit/modules/conftest.py): unrounded, with a BOM."""
    (long_csv,) = [d for d in OUTCOME.downloads if d.id == "download_long_csv"]
    text = long_csv.build(view)
    assert text.startswith("\ufeff")
    back = pd.read_csv(io.StringIO(text[1:]))
    assert {"table", "variable", "odds_ratio", "p_value"} <= set(back.columns)


def test_file_suffix_says_csv_or_zip():
    one = table_doc("table1", "T", ("A",), [row("x")])
    assert csv_suffix([one]) == "table1.csv"
    assert csv_suffix([one, one]) == "tables_csv.zip"


@pytest.mark.parametrize("tab", TABS, ids=lambda t: t.name)
def test_no_output_or_figure_panel_takes_the_id_of_a_control(tab):
    """One id, one element: a card named like a setting (the Outcome tab's "calibration"
    checkbox) would give the page two elements of that id and Shiny would refuse both."""
    controls = {c.id for c in tab.declared}
    panel_inputs = ("format", "width", "mm", "dpi", "apply", "download", "panel")
    ids = [c.output for c in tab.cards]
    ids += [f"{c.figure.key}_{part}" for c in tab.cards if c.figure for part in panel_inputs]
    ids += [d.id for d in (*table_downloads(tab), *tab.downloads)]
    assert not controls & set(ids)
    assert len(ids) == len(set(ids))
