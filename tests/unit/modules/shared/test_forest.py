"""Forest plots with absurd values: the axis and its ticks stay bounded, values beyond the axis
are drawn at its edge (triangles, arrows) and their true values stay in the estimate column."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from analyses.fit_records import OutcomeFit, RegressionFit, SurvivalFit
from analyses.results import (
    MULTIVARIABLE_COLUMNS,
    REGRESSION_MULTIVARIABLE_COLUMNS,
    OutcomeResult,
    RegressionResult,
    SurvivalResult,
)
from analyses.survival_cox import HR_COLUMNS
from bench.forest_render import neutral_record
from modules.outcome import figures as outcome_figures
from modules.outcome.result_view import ResultView
from modules.regression import figures as regression_figures
from modules.regression.view import RegressionView
from modules.shared.forest import (
    COEFFICIENT_LIMIT,
    LINEAR_TICKS,
    RATIO_LIMITS,
    ForestRow,
    coefficient_axis,
    forest_figure,
    ratio_axis,
)
from modules.survival import figures as survival_figures
from modules.survival.view import SurvivalView

INF, NAN = math.inf, math.nan
MAX_LOG_TICKS = 20
# (estimate, low, high): tiny and huge ratios, infinite and zero CI ends, NaN, 0, inf.
ABSURD = [
    (1e-300, 1e-301, 1e-299),
    (1e300, 1e299, INF),
    (2.0, 0.0, INF),
    (1.5, 1.2, 1.9),
    (NAN, NAN, NAN),
    (0.0, 0.0, 0.0),
    (INF, NAN, NAN),
    (0.8, NAN, NAN),
]


def rows_of(values) -> list[ForestRow]:
    return [
        ForestRow(f"row {i}", e, lo, hi, False, text=f"{e:g} ({lo:g}–{hi:g})", hover=f"row {i}")
        for i, (e, lo, hi) in enumerate(values)
    ]


def figure(values, log: bool = True) -> go.Figure:
    rows = rows_of(values)
    axis = ratio_axis(rows) if log else coefficient_axis(rows)
    return forest_figure(
        rows, axis, title="t", axis_title="x", point_name="Estimate", column_heading="E",
        right_px=200,
    )  # fmt: skip


def trace(fig: go.Figure, name: str) -> go.Scatter:
    return next(t for t in fig.data if t.name == name)


def drawn_x(fig: go.Figure) -> list[float]:
    return [x for t in fig.data if t.x is not None for x in t.x if x is not None]


def assert_bounded_log_axis(fig: go.Figure) -> None:
    axis = fig.layout.xaxis
    assert axis.type == "log"
    lo, hi = axis.range
    assert math.log10(RATIO_LIMITS[0]) - 0.5 <= lo < hi <= math.log10(RATIO_LIMITS[1]) + 0.5
    assert 1 <= len(axis.tickvals) <= MAX_LOG_TICKS
    assert all(lo <= math.log10(t) <= hi for t in axis.tickvals)
    assert all(10**lo <= x <= 10**hi for x in drawn_x(fig))
    assert "Infinity" not in fig.to_json() and "NaN" not in fig.to_json()


def test_absurd_ratios_keep_the_axis_and_ticks_bounded():
    fig = figure(ABSURD)
    assert_bounded_log_axis(fig)
    lo, hi = RATIO_LIMITS
    # Estimates beyond the axis: triangles at its edges, pointing outwards.
    beyond = trace(fig, "Estimate beyond the axis (value in the column)")
    assert list(beyond.x) == [lo, hi] and list(beyond.y) == [0, 1]
    assert list(beyond.marker.symbol) == ["triangle-left", "triangle-right"]
    # CIs leaving the axis end in arrows at the edge: both rows beyond, and both ends of row 2.
    arrows = trace(fig, "CI continues beyond the axis")
    ends = sorted(zip(arrows.y, arrows.x, arrows.marker.symbol, strict=True))
    assert ends == [
        (0, lo, "arrow-left"),
        (1, hi, "arrow-right"),
        (2, lo, "arrow-left"),
        (2, hi, "arrow-right"),
    ]
    # Whiskers are clipped to the axis; the point inside it is drawn where it is.
    whiskers = [x for x in fig.data[1].x if x is not None]
    assert min(whiskers) == lo and max(whiskers) == hi
    assert list(trace(fig, "Estimate").x) == [2.0, 1.5, 0.8]
    # The true values stay in the estimate column.
    column = {a.y: a.text for a in fig.layout.annotations if a.yref == "y"}
    assert column[1] == "1e+300 (1e+299–inf)" and column[0].startswith("1e-300")
    # NaN, 0 and inf estimates are not estimable, written at the line of no effect.
    lost = next(t for t in fig.data if t.mode == "text")
    assert list(lost.y) == [4, 5, 6] and set(lost.text) == {"not estimable"}


def test_a_ratio_axis_shrinks_to_the_data_inside_the_cap():
    fig = figure([(1.5, 1.2, 1.9), (0.7, 0.5, 0.95)])
    lo, hi = fig.layout.xaxis.range
    assert 10**lo < 0.5 and 10**hi > 1.9 and hi - lo < 1.0
    assert not any(t.name and "beyond" in t.name for t in fig.data)
    narrow = figure([(1.0031, 1.0020, 1.0042)])
    assert len(narrow.layout.xaxis.tickvals) >= 3  # a narrow range still gets ticks


@pytest.mark.parametrize(
    "values",
    [
        [(1e300, 1e299, INF), (-1e300, -INF, -1e299), (2.0, 1.0, 3.0)],
        [(0.1, -1e90, 1e90), (NAN, NAN, NAN), (0.2, 0.1, 0.3)],
        [(0.0, 0.0, 0.0)],
        [(NAN, NAN, NAN)],
    ],
)
def test_absurd_coefficients_keep_a_linear_axis_bounded(values):
    fig = figure(values, log=False)
    axis = fig.layout.xaxis
    lo, hi = axis.range
    assert axis.type == "linear" and axis.nticks == LINEAR_TICKS and axis.tickvals is None
    assert -1.1 * COEFFICIENT_LIMIT <= lo < hi <= 1.1 * COEFFICIENT_LIMIT
    assert all(lo <= x <= hi for x in drawn_x(fig))
    assert "Infinity" not in fig.to_json()


def test_a_wide_ci_among_ordinary_ones_is_cut_with_arrows():
    fig = figure([(0.1, -1e90, 1e90), (0.2, 0.1, 0.3), (0.5, 0.2, 0.8)], log=False)
    lo, hi = fig.layout.xaxis.range
    assert hi - lo < 10  # the others stay readable
    arrows = trace(fig, "CI continues beyond the axis")
    assert sorted(arrows.marker.symbol) == ["arrow-left", "arrow-right"]
    assert set(arrows.y) == {0}


def test_ordinary_coefficient_cis_are_drawn_whole():
    values = [(0.1, -0.5, 0.7), (0.05, -0.2, 0.3), (2.0, 1.0, 3.0)]
    fig = figure(values, log=False)
    assert not any(t.name and "beyond" in t.name for t in fig.data)
    whiskers = [x for x in fig.data[1].x if x is not None]
    assert whiskers == [-0.5, 0.7, -0.2, 0.3, 1.0, 3.0]


# Each tab's forest plot goes through the shared builder.


def absurd_table(columns, extra: dict) -> pd.DataFrame:
    rows = [
        {"variable": f"v{i}", "level": "", "is_reference": False, "n": 10, "estimate": e,
         "ci_low": lo, "ci_high": hi, "p_value": 0.5, "global_p": 0.5, **extra}
        for i, (e, lo, hi) in enumerate(ABSURD)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=list(columns))


def test_the_outcome_forest_plot_is_bounded():
    table = absurd_table(MULTIVARIABLE_COLUMNS, {"events": 5})
    result = OutcomeResult(univariable=table, multivariable=table, fit=neutral_record(OutcomeFit))
    fig = outcome_figures.forest_plot(ResultView(result, "y", "Yes", "No"))
    assert_bounded_log_axis(fig)
    assert trace(fig, "CI continues beyond the axis")
    column = {a.y: a.text for a in fig.layout.annotations if a.yref == "y"}
    assert column[1] == ">9999 (—)"  # an infinite CI end: no interval, as in the tables
    assert column[0].startswith("<0.01")


@pytest.mark.parametrize("family", ["poisson", "linear"])
def test_the_regression_forest_plot_is_bounded(family):
    table = absurd_table(REGRESSION_MULTIVARIABLE_COLUMNS, {})
    if family == "linear":  # coefficients: the logs of the ratios, and some absurd ones
        table[["estimate", "ci_low", "ci_high"]] = np.log(
            table[["estimate", "ci_low", "ci_high"]].clip(lower=1e-300)
        )
    result = RegressionResult(
        univariable=table,
        multivariable=table,
        fit=neutral_record(RegressionFit, family=family, outcome="y"),
        diagnostics=pd.DataFrame(),
        vif=pd.DataFrame(),
    )
    fig = regression_figures.forest_plot(RegressionView(result))
    if family == "poisson":
        assert_bounded_log_axis(fig)
    else:
        lo, hi = fig.layout.xaxis.range
        assert math.isfinite(lo) and math.isfinite(hi) and fig.layout.xaxis.nticks
    assert trace(fig, "CI continues beyond the axis")


def test_the_survival_forest_plot_is_bounded():
    table = absurd_table(HR_COLUMNS, {"events": 5})
    result = SurvivalResult(
        curves=pd.DataFrame(),
        at_risk=pd.DataFrame(),
        medians=pd.DataFrame({"group": []}),
        logrank=pd.DataFrame(),
        univariable=table,
        multivariable=table,
        ph_test=pd.DataFrame(),
        fit=neutral_record(SurvivalFit, covariates_in_model=("v0", "v1")),
    )
    fig = survival_figures.forest_figure(SurvivalView(result, "status", None, "Time"))
    assert_bounded_log_axis(fig)
    assert trace(fig, "Estimate beyond the axis (value in the column)")
