"""The flow of rows as a table, a figure and a report: counts in the right boxes, and the
user's words (file name, reasons) escaped everywhere."""

from __future__ import annotations

import datetime as dt

from modules.cleaning import flow_view
from prep.flow import Flow, FlowStep

HOSTILE = "<img src=x onerror=alert(1)>"
FLOW = Flow(
    f"{HOSTILE}.csv",
    500,
    (
        FlowStep("age ≥ 18", HOSTILE, 500, 18, 2, 482),
        FlowStep("crp known", "crp missing", 482, 20, 20, 462),
    ),
)


def texts(figure) -> list[str]:
    return [a.text for a in figure.layout.annotations if a.text]


def test_the_figure_has_the_counts_of_each_stage_and_the_last_box_says_analysed():
    boxes = texts(flow_view.flow_figure(FLOW))
    assert boxes[0].endswith("<b>n = 500</b>")
    assert "Excluded <b>n = 18</b>" in boxes[1] and "of which 2 with the value missing" in boxes[1]
    assert boxes[2] == "Remaining<br><b>n = 482</b>"
    # A "known" filter's exclusions are all missing: the box does not say it twice.
    assert boxes[3] == "Excluded <b>n = 20</b><br>crp missing"
    assert boxes[4] == "Rows analysed<br><b>n = 462</b>"


def test_users_words_are_escaped_in_the_figure_table_and_report():
    figure = flow_view.flow_figure(FLOW)
    assert all("<img" not in t for t in texts(figure))
    assert all("<img" not in t for t in figure.data[0].hovertext)
    assert "<img" not in str(flow_view.flow_table(FLOW))
    report = flow_view.flow_report(FLOW, dt.datetime(2026, 1, 2, 3, 4))
    assert "<img" not in report and "&lt;img" in report
    assert "462" in report and "Created 2026-01-02 03:04" in report
