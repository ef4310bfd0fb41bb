"""Selects over thousands of columns: a bounded part in the page, the rest found by a search;
every analysis tab's controls the same size for 16,000 columns as for 400."""

from __future__ import annotations

import pytest
from htmltools import TagList

from modules.agreement import tab as agreement
from modules.correlation import tab as correlation
from modules.diagnostic import tab as diagnostic
from modules.outcome import tab as outcome
from modules.regression import tab as regression
from modules.shared import wide_select as ws
from modules.shared.controls import MISSING, Raw, Select, Settings, resolve
from modules.survival import tab as survival
from modules.table1 import tab as table1
from tests.unit.modules.wide import wide_dataset

CHOICES = {f"v{i:05d}": f"Label {i}" for i in range(16_000)}


def test_a_search_finds_columns_by_name_or_label_up_to_the_limit():
    assert ws.matching(CHOICES, "V12345") == [{"value": "v12345", "label": "Label 12345"}]
    assert [c["value"] for c in ws.matching(CHOICES, "label 1234")][:2] == ["v01234", "v12340"]
    assert len(ws.matching(CHOICES, "label")) == ws.MAX_OPTIONS
    assert ws.matching(CHOICES, "   ") == [] and ws.matching(CHOICES, "zzz") == []


def test_the_page_holds_the_chosen_and_the_first_options_only():
    drawn = ws.drawn_choices(CHOICES, ["v15000", "not a column"])
    assert list(drawn)[0] == "v15000" and len(drawn) == ws.MAX_OPTIONS + 1
    select = Select("x", "Columns", choices=lambda s: CHOICES, multiple=True)
    html = str(select.render(Settings(wide_dataset(3), {"x": ["v15000"]})))
    assert html.count("<option") == ws.MAX_OPTIONS + 1
    assert 'value="v15000" selected' in html
    assert "16,000 columns: the first 100 are listed" in html
    narrow = Select("x", "Columns", choices=lambda s: dict(list(CHOICES.items())[:100]))
    assert "wide-select-note" not in str(narrow.render(Settings(wide_dataset(3), {"x": None})))


def _controls_html(tab, columns: int) -> str:
    dataset = wide_dataset(columns)
    s = resolve(tab.controls, dataset, Raw(lambda _id, _kind=None: MISSING, {}))
    return str(TagList(*(c.render(s) for c in tab.controls)))


@pytest.mark.parametrize(
    "tab",
    [
        outcome.TAB, table1.TAB, diagnostic.TAB, survival.TAB, correlation.TAB, regression.TAB,
        agreement.TAB,
    ],
)  # fmt: skip
def test_every_tab_s_controls_are_as_big_for_16000_columns_as_for_400(tab):
    narrow, wide = _controls_html(tab, 400), _controls_html(tab, 16_000)
    assert len(wide) < 1.1 * len(narrow) + 2_000, (len(narrow), len(wide))
    assert len(wide) < 150_000  # 16,000 columns drew 0.2 to 2 MB per tab


def test_the_search_route_answers_json_for_what_is_typed():
    import json

    from starlette.requests import Request

    answer = ws._search_route(CHOICES)
    request = Request({"type": "http", "method": "GET", "query_string": b"q=v1599", "headers": []})
    found = json.loads(answer(request).body)
    assert [c["value"] for c in found] == [f"v1599{i}" for i in range(10)]
    long = Request({"type": "http", "method": "GET", "query_string": b"q=" + b"x" * 5000})
    assert json.loads(answer(long).body) == []  # a long query is cut, not scanned in full
