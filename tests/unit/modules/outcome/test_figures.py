"""Forest plot: a row per level of the adjusted model, reference at 1, log axis, escaped."""

import math
from pathlib import Path

import plotly.graph_objects as go

from modules.outcome import figures
from modules.shared.figures import figure_html, plotly_dependency


def _trace(fig: go.Figure, name: str) -> go.Scatter:
    return next(t for t in fig.data if t.name == name)


def test_rows_follow_the_multivariable_table(view):
    rows = figures.forest_rows(view)
    assert [r.label for r in rows] == [
        "Age (years)",
        "Stage: I",
        "Stage: II",
        "Stage: III",
        "sex: F",
        "sex: M",
    ]
    assert [r.reference for r in rows] == [False, True, False, False, True, False]
    assert math.isnan(rows[5].estimate)  # OR = inf from separation is not drawn


def test_points_whiskers_and_reference_markers(view):
    fig = figures.forest_plot(view)
    points = _trace(fig, "Adjusted OR (95% CI)")
    assert list(points.x) == [1.04, 2.0, 3.1]
    assert list(points.y) == [0, 2, 3]
    refs = _trace(fig, "Reference")
    assert list(refs.x) == [1.0, 1.0] and list(refs.y) == [1, 4]
    # The OR (95% CI) column right of the plot, finalfit's or_plot style.
    column = {a.y: a.text for a in fig.layout.annotations if a.yref == "y"}
    assert column[1] == "Reference" and column[2] == "2.00 (1.10–3.60)"
    assert column[5] == "not estimable"
    assert any("OR (95% CI)" in a.text for a in fig.layout.annotations if a.yref == "paper")
    whiskers = fig.data[1]
    assert list(whiskers.x) == [1.01, 1.06, None, 1.1, 3.6, None, 1.6, 6.0, None]
    # The line of no effect at OR = 1 spans every row.
    assert list(fig.data[0].x) == [1, 1]
    assert "not estimable" in next(t for t in fig.data if t.mode == "text").text


def test_log_axis_with_or_ticks_covering_every_ci(view):
    fig = figures.forest_plot(view)
    axis = fig.layout.xaxis
    assert axis.type == "log"
    lo, hi = axis.range
    assert 10**lo < 1.01 and 10**hi > 6.0
    assert 1.0 in axis.tickvals and "1" in axis.ticktext
    assert list(axis.ticktext) == [f"{v:g}" for v in axis.tickvals]
    assert fig.layout.yaxis.range[0] > fig.layout.yaxis.range[1]  # first variable on top


def test_user_strings_are_escaped(view):
    evil = view.relabel({**view.labels, "age": "<img src=x onerror=alert(1)>", "sex": "Sex & <b>"})
    fig = figures.forest_plot(evil)
    text = " ".join(fig.layout.yaxis.ticktext) + " ".join(_trace(fig, "Reference").hovertext)
    assert "<img" not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "Sex &amp; &lt;b&gt;: F" in text
    evil_outcome = view.relabel({**view.labels, "complication": "<script>x</script>"})
    assert "<script>" not in figures.forest_plot(evil_outcome).layout.title.text


def test_plotly_js_is_served_from_the_package():
    dep = plotly_dependency()
    assert (Path(dep.source["subdir"]) / "plotly.min.js").is_file()
    html = figure_html(go.Figure(), div_id="x", include_plotlyjs=False)
    assert "cdn" not in html.lower() and 'id="x"' in html
