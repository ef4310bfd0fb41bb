"""No patient data leaves the server through a figure: every figure the app can draw, built from
real results, has the offline configuration and names no other server; figure_html is the only
way a figure becomes HTML; a new figure builder cannot be added without being checked here."""

from __future__ import annotations

import ast
import datetime as dt
import json
import math
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.offline import get_plotlyjs

import logic
from analyses import agreement, correlation, diagnostic, propensity, regression, survival, table1
from analyses import outcome as outcome_analysis
from analyses.specs import (
    AgreementSpec,
    CorrelationSpec,
    DiagnosticSpec,
    PropensitySpec,
    RegressionSpec,
    SurvivalSpec,
    Table1Spec,
)
from modules.agreement import figures as agreement_figures
from modules.agreement import report as agreement_report
from modules.agreement import view as agreement_view
from modules.cleaning import flow_view, imputation_view
from modules.correlation import view as correlation_view
from modules.diagnostic import report as diagnostic_report
from modules.diagnostic import view as diagnostic_view
from modules.outcome import figures as outcome_figures
from modules.outcome import performance_figures
from modules.outcome import report as outcome_report
from modules.outcome import view as outcome_view
from modules.propensity import figures as propensity_figures
from modules.propensity import report as propensity_report
from modules.propensity import view as propensity_view
from modules.regression import figures as regression_figures
from modules.regression import tables as regression_tables
from modules.regression.view import RegressionView
from modules.sample_size import view as sample_size_view
from modules.shared import figure_export, figure_warm_up, forest
from modules.shared.figure_labels import apply_labels
from modules.shared.figures import PLOT_CONFIG, ReportFigures, add_annotations, figure_html
from modules.stats_panel import view as stats_view
from modules.survival import figures as survival_figures
from modules.survival import report as survival_report
from modules.survival import view as survival_view
from modules.table1 import export as table1_export
from modules.table1 import plot as table1_plot
from modules.table1.view import Table1View
from prep.flow import Flow, FlowStep
from tests.unit.modules.sample_size.test_view import sample_size_views
from utils.data_io import dataset_from_frame

ROOT = Path(__file__).resolve().parents[4]
MODULES = ROOT / "modules"
DATA = ROOT / "tests" / "data"
EXAMPLE = ROOT / "data" / "example_clinical.csv"
WHEN = dt.datetime(2026, 3, 14, 9, 30)
URL = re.compile(r"https?://|//cdn|\bcdn\.", re.IGNORECASE)
# The only file allowed to turn a figure into HTML.
RENDERER = MODULES / "shared" / "figures.py"


# --- real results, from small datasets --------------------------------------------------------
def _outcome(**options):
    ds = dataset_from_frame(pd.read_csv(EXAMPLE).head(300), name="cohort.csv")
    spec = logic.outcome_spec(ds, "complication", ["age", "sex", "asa_class", "crp"], **options)
    return outcome_view.make_view(outcome_analysis.analyze(ds.df, spec), ds, spec)


def _survival():
    df = pd.read_csv(DATA / "aml.csv")
    df["age"] = [50 + (i * 7) % 23 for i in range(len(df))]
    ds = dataset_from_frame(df, name="aml.csv")
    spec = SurvivalSpec(
        event="status", time="time", event_level="1", group="x", covariates=("age",)
    )
    return survival_view.make_view(survival.analyze(ds.df, spec), ds, spec)


def _diagnostic():
    ds = dataset_from_frame(pd.read_csv(DATA / "asah.csv"), name="asah.csv")
    spec = DiagnosticSpec(reference="outcome", positive="Poor", markers=("s100b", "ndka"))
    return diagnostic_view.make_view(diagnostic.analyze(ds.df, spec), ds)


def _regression_data() -> pd.DataFrame:
    rng = np.random.default_rng(2)
    x = rng.normal(size=200)
    counts = rng.negative_binomial(2, 1 / (1 + np.exp(1 + 0.3 * x) / 2))
    return pd.DataFrame(
        {"y": 3 + x + rng.normal(size=200), "arm": rng.choice(["A", "B", "C"], 200), "x": x}
    ).assign(n=counts)


def _regression(model: str):
    outcome = "y" if model == "linear" else "n"
    spec = RegressionSpec(outcome, ("arm", "x"), model=model, screen_p=None, categorical=("arm",))
    return RegressionView(regression.analyze(_regression_data(), spec), {}, "trial.csv")


def _table1():
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "arm": np.repeat(["Placebo", "Drug"], 60),
            "age": rng.normal(60, 10, 120).round(1),
            "sex": rng.choice(["Female", "Male"], 120),
        }
    )
    spec = Table1Spec(variables=("age", "sex"), group="arm", categorical=("sex",))
    return Table1View(table1.analyze(df, spec), {"age": "Age (years)"}, "trial.csv")


def _correlation():
    rng = np.random.default_rng(4)
    a = rng.normal(size=80)
    df = pd.DataFrame({"a": a, "b": a + rng.normal(size=80), "c": rng.normal(size=80)})
    spec = CorrelationSpec(("a", "b", "c"), adjust="holm", pair=("a", "b"))
    return correlation_view.CorrelationView(correlation.analyze(df, spec), {}, "data.csv")


def _agreement():
    rng = np.random.default_rng(6)
    truth = rng.normal(50, 10, 60)
    df = pd.DataFrame({"a": truth + rng.normal(0, 3, 60), "b": truth + rng.normal(1, 3, 60)})
    spec = AgreementSpec(raters=("a", "b"))
    return agreement_view.AgreementView(agreement.analyze(df, spec), {}, "data.csv")


def _propensity():
    rng = np.random.default_rng(7)
    x = rng.normal(size=200)
    group = rng.choice(["a", "b", "c"], 200)
    treated = (rng.random(200) < 1 / (1 + np.exp(-x))).astype(int)
    df = pd.DataFrame({"t": treated, "x": x, "g": group, "y": x + treated + rng.normal(size=200)})
    spec = PropensitySpec("t", ("x", "g"), ("g",), outcome="y")
    return propensity_view.PropensityView(propensity.analyze(df, spec), {}, "data.csv", "t")


@pytest.fixture(scope="module")
def views() -> dict[str, object]:
    return {
        "outcome": _outcome(),
        "outcome_calibrated": _outcome(calibration=True, bootstrap=20),
        "survival": _survival(),
        "diagnostic": _diagnostic(),
        "linear": _regression("linear"),
        "count": _regression("count"),
        "table1": _table1(),
        "correlation": _correlation(),
        **sample_size_views(),
        "agreement": _agreement(),
        "propensity": _propensity(),
        "imputation": _imputation(),
        "flow": Flow(
            "trial.csv",
            500,
            (
                FlowStep("age ≥ 18", "younger than 18", 500, 18, 2, 482),
                FlowStep("crp known", "crp missing", 482, 20, 20, 462),
            ),
        ),  # fmt: skip
    }


def _imputation():
    from analyses import imputation
    from analyses.specs import ImputationSpec

    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        {"age": rng.normal(60, 9, 80).round(), "stage": rng.choice(["I", "II", "III"], 80)}
    )
    frame.loc[::6, "age"] = np.nan
    frame.loc[1::7, "stage"] = None
    return imputation.analyze(frame, ImputationSpec(("age", "stage"), m=3, iterations=3))


def _separated_forest() -> go.Figure:
    """The shared forest plot with rows beyond its axis (a separated fit) and a reference."""
    rows = [
        forest.ForestRow("age", 1.04, 1.01, 1.07, False, 0.003, "1.04 (1.01–1.07)"),
        forest.ForestRow("stage: I", 1.0, 1.0, 1.0, True, text="Reference"),
        forest.ForestRow("stage: II", 1e300, 0.5, math.inf, False, 0.9, "separated"),
    ]
    return forest.forest_figure(
        rows,
        forest.ratio_axis(rows),
        title="Adjusted odds ratios",
        axis_title="Odds ratio (95% CI), log scale",
        point_name="Adjusted OR (95% CI)",
        column_heading="OR (95% CI)",
        right_px=160,
    )


def _subgroup_result():
    spec = RegressionSpec(
        "y", ("arm", "x"), screen_p=None, categorical=("arm",), subgroup_exposure="x",
        subgroups=("arm",),
    )  # fmt: skip
    return regression.analyze(_regression_data(), spec)


def _subgroup_forest() -> go.Figure:
    """The subgroup forest of a linear model: the effect of x within each arm."""
    from modules.shared.modifier_view import Effect, subgroup_figure

    table = _subgroup_result().subgroups
    return subgroup_figure(table, str, Effect("Coefficient", "coefficient", ratio=False))


def _subgroup_card_figure() -> go.Figure:
    from modules.shared.modifier_view import Effect, modifiers_figure

    effect = Effect("Coefficient", "coefficient", ratio=False)
    return modifiers_figure(_subgroup_result(), str, effect)


MINUTES = [(time.time() - 60 * m, 180.0 + m) for m in range(10, 0, -1)]

# Every figure builder under modules/ ("module:function") -> how to draw it from real results.
FIGURES: dict[str, Callable[[dict], go.Figure]] = {
    "modules.outcome.figures:forest_plot": lambda v: outcome_figures.forest_plot(v["outcome"]),
    "modules.outcome.performance_figures:calibration_plot": (
        lambda v: performance_figures.calibration_plot(v["outcome_calibrated"])
    ),
    "modules.outcome.performance_figures:decision_curve": (
        lambda v: performance_figures.decision_curve(v["outcome_calibrated"])
    ),
    "modules.regression.figures:forest_plot": lambda v: regression_figures.forest_plot(v["count"]),
    "modules.regression.figures:diagnostics_plot": lambda v: regression_figures.diagnostics_plot(
        v["linear"]
    ),
    "modules.survival.figures:km_figure": lambda v: survival_figures.km_figure(v["survival"]),
    "modules.survival.figures:forest_figure": lambda v: survival_figures.forest_figure(
        v["survival"]
    ),
    "modules.table1.plot:love_plot": lambda v: table1_plot.love_plot(v["table1"]),
    "modules.diagnostic.report:roc_figure": lambda v: diagnostic_report.roc_figure(v["diagnostic"]),
    "modules.correlation.view:heatmap": lambda v: correlation_view.heatmap(v["correlation"]),
    # The figure with the user's words (escaped) and dressed for print: copies of real figures.
    "modules.shared.figure_labels:apply_labels": lambda v: apply_labels(
        survival_figures.km_figure(v["survival"]), {"xaxis": "<b>Days</b>", "legend": "Sex"}
    ),
    "modules.shared.figure_export:print_layout": lambda v: figure_export.print_layout(
        outcome_figures.forest_plot(v["outcome"])
    ),
    "modules.correlation.view:scatter_plot": lambda v: correlation_view.scatter_plot(
        v["correlation"]
    ),
    "modules.propensity.figures:love_plot": lambda v: propensity_figures.love_plot(v["propensity"]),
    "modules.propensity.figures:overlap_plot": lambda v: propensity_figures.overlap_plot(
        v["propensity"]
    ),
    "modules.agreement.figures:bland_altman_plot": lambda v: agreement_figures.bland_altman_plot(
        v["agreement"]
    ),
    "modules.shared.forest:forest_figure": lambda v: _separated_forest(),
    "modules.sample_size.view:curve_figure": lambda v: sample_size_view.curve_figure(
        v["sample_size"]
    ),
    "modules.shared.modifier_view:subgroup_figure": lambda v: _subgroup_forest(),
    "modules.shared.modifier_view:modifiers_figure": lambda v: _subgroup_card_figure(),
    "modules.cleaning.flow_view:flow_figure": lambda v: flow_view.flow_figure(v["flow"]),
    "modules.cleaning.imputation_view:convergence_figure": (
        lambda v: imputation_view.convergence_figure(v["imputation"], str)
    ),
    "modules.stats_panel.view:memory_sparkline": lambda v: stats_view.memory_sparkline(
        MINUTES, 512.0
    ),
    "modules.shared.figure_warm_up:sample_figure": lambda v: figure_warm_up.sample_figure(),
}

# Every downloadable HTML document under modules/ -> how to write it from real results.
REPORTS: dict[str, Callable[[dict], str]] = {
    "modules.propensity.report:html_report": lambda v: propensity_report.html_report(
        v["propensity"], WHEN
    ),
    "modules.outcome.report:html_report": lambda v: outcome_report.html_report(
        v["outcome_calibrated"], WHEN
    ),
    "modules.regression.tables:html_report": lambda v: regression_tables.html_report(
        v["linear"], WHEN
    ),
    "modules.survival.report:html_report": lambda v: survival_report.html_report(
        v["survival"], WHEN
    ),
    "modules.table1.export:html_report": lambda v: table1_export.html_report(v["table1"], WHEN),
    "modules.diagnostic.report:html_report": lambda v: diagnostic_report.html_report(
        v["diagnostic"], WHEN
    ),
    "modules.correlation.view:html_report": lambda v: correlation_view.html_report(
        v["correlation"], WHEN
    ),
    "modules.agreement.report:html_report": lambda v: agreement_report.html_report(
        v["agreement"], WHEN
    ),
    "modules.cleaning.flow_view:flow_report": lambda v: flow_view.flow_report(v["flow"], WHEN),
    "modules.sample_size.view:html_report": lambda v: sample_size_view.html_report(
        v["sample_size"], WHEN
    ),
}


# --- finding every builder in the source --------------------------------------------------
def _sources() -> list[tuple[str, ast.Module, Path]]:
    out = []
    for path in sorted(MODULES.rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        out.append((module, ast.parse(path.read_text(), filename=str(path)), path))
    return out


def _makes_a_figure(node: ast.AST) -> bool:
    """A call to go.Figure(...), make_subplots(...) or any plotly.express function."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return (func.value.id, func.attr) in {("go", "Figure"), ("go", "FigureWidget")} or (
            func.value.id == "px"
        )
    return isinstance(func, ast.Name) and func.id in {"make_subplots", "Figure"}


def _returns_a_figure(fn: ast.FunctionDef) -> bool:
    # A whole word: go.Figure, not FigureRenderer (the export's browser).
    return fn.returns is not None and re.search(r"\bFigure\b", ast.unparse(fn.returns)) is not None


def figure_builders() -> set[str]:
    """Every function under modules/ that creates a plotly figure or says it returns one."""
    found = set()
    for module, tree, _ in _sources():
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and (
                _returns_a_figure(fn) or any(_makes_a_figure(n) for n in ast.walk(fn))
            ):
                found.add(f"{module}:{fn.name}")
    return found


def report_writers() -> set[str]:
    """Every function under modules/ that writes a whole HTML document for download."""
    found = set()
    for module, tree, _ in _sources():
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef) and any(
                isinstance(n, ast.Constant) and n.value == "<!DOCTYPE html>\n" for n in ast.walk(fn)
            ):
                found.add(f"{module}:{fn.name}")
    return found


def test_every_figure_builder_is_checked_here():
    assert figure_builders() == set(FIGURES), "add the new figure to FIGURES with real results"


def test_every_downloadable_document_is_checked_here():
    assert report_writers() == set(REPORTS), "add the new report to REPORTS with real results"


def test_figure_html_is_the_only_way_a_figure_becomes_html():
    """No module but modules/shared/figures.py imports plotly.io or plotly.offline, or calls a
    figure's own to_html / write_html / show (which would skip the offline configuration)."""
    offenders = []
    for module, tree, path in _sources():
        if path == RENDERER:
            continue
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
            if any(n.startswith(("plotly.io", "plotly.offline")) for n in names):
                offenders.append(f"{module}: imports {names}")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in {"to_html", "write_html", "show", "to_image", "write_image"}
                and not ast.unparse(node.func.value).startswith("input")  # input.show(): a control
            ):
                offenders.append(f"{module}:{node.lineno} calls .{node.func.attr}()")
    assert offenders == []


# --- what the HTML says ------------------------------------------------------------------
def plot_config_of(fragment: str) -> list[dict]:
    """The config object of every Plotly.newPlot(id, data, layout, config) call in the HTML."""
    decoder, configs = json.JSONDecoder(), []
    for call in re.finditer(r"Plotly\.newPlot\(", fragment):
        position, args = call.end(), []
        for _ in range(4):
            while fragment[position] in " \n\t,":
                position += 1
            value, position = decoder.raw_decode(fragment, position)
            args.append(value)
        configs.append(args[3])
    return configs


def assert_offline_config(config: dict) -> None:
    assert config["displaylogo"] is False
    assert config["showSendToCloud"] is False
    assert config["typesetMath"] is False
    assert "plotlyServerURL" not in config
    assert not URL.search(config["topojsonURL"])


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_figure_is_drawn_offline(views, name):
    fig = FIGURES[name](views)
    assert isinstance(fig, go.Figure) and fig.data, f"{name} drew nothing from real results"
    div_id = name.replace(":", "-").replace(".", "-")
    fragment = figure_html(fig, div_id=div_id)
    assert not URL.search(fragment), URL.search(fragment)
    assert "<script src" not in fragment and "<link" not in fragment
    [config] = plot_config_of(fragment)
    assert_offline_config(config)
    assert config["toImageButtonOptions"]["filename"] == div_id


# XML namespace names in an inline SVG: identifiers, never fetched.
XMLNS = re.compile(r'xmlns(:\w+)?="http://www\.w3\.org/[^"]*"')


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_every_report_carries_its_figures_as_svg_and_fetches_nothing(views, name):
    """A report's figures are inline SVG drawn by the figure browser: no plotly.js (4.8 MB) in
    it, no script, no server named; the figures' words are in it as text."""
    document = REPORTS[name](views)
    assert get_plotlyjs() not in document and "Plotly.newPlot" not in document
    rest = XMLNS.sub("", document)
    assert not URL.search(rest), URL.search(rest)
    assert not re.search(r"<script|<link[^>]+href=|<img[^>]+src=|\son\w+=", rest)
    if name != "modules.table1.export:word_document":
        assert '<div class="medstat-figure"' in document and "<svg" in document
        assert len(document.encode()) < 1_000_000, f"{name}: {len(document.encode())} bytes"
        assert "@media print" in document and "@page" in document


def test_a_report_without_the_figure_browser_carries_plotly_js_once():
    """If the browser cannot draw, the figures come as before: plotly.js inline, once."""

    def broken(fig, width, height):
        raise RuntimeError("no browser")

    figures = ReportFigures(draw=broken)
    first = figures.html(go.Figure(go.Scatter(x=[1], y=[1])), "a")
    second = figures.html(go.Figure(go.Bar(x=[1], y=[1])), "b")
    bundle = get_plotlyjs()
    assert first.count(bundle) == 1 and bundle not in second
    for config in plot_config_of(first.replace(bundle, "") + second):
        assert_offline_config(config)


@pytest.mark.parametrize(
    "svg",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject/></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
        b'<image x:href="https://example.org/x.png"/></svg>',
        b"<html><body/></html>",
        b"<svg",
    ],
)
def test_an_svg_with_anything_active_falls_back_to_plotly(svg):
    fragment = ReportFigures(draw=lambda fig, w, h: svg).html(go.Figure(go.Bar(y=[1])), "x")
    assert "Plotly.newPlot" in fragment and "alert" not in fragment


def test_the_shared_configuration_cannot_be_changed_in_place():
    with pytest.raises(TypeError):
        PLOT_CONFIG["showSendToCloud"] = True  # type: ignore[index]
    with pytest.raises(TypeError):
        PLOT_CONFIG["toImageButtonOptions"]["filename"] = "x"  # type: ignore[index]


@pytest.mark.parametrize("source", ["cdn", "https://cdn.plot.ly/plotly-latest.min.js", "x.js"])
def test_plotly_js_is_never_fetched(source):
    with pytest.raises(ValueError, match="never fetched"):
        figure_html(go.Figure(go.Scatter(x=[1], y=[1])), div_id="x", include_plotlyjs=source)


def test_figures_that_would_fetch_from_other_servers_are_refused():
    with pytest.raises(ValueError, match="third-party"):
        figure_html(go.Figure(go.Scattergeo(lat=[1], lon=[1])), div_id="map")
    with pytest.raises(ValueError, match="third-party"):
        figure_html(go.Figure(go.Scattermap(lat=[1], lon=[1])), div_id="map")
    fig = go.Figure(go.Scatter(x=[1], y=[1]))
    fig.add_layout_image(source="https://example.org/logo.png", x=0, y=0)
    with pytest.raises(ValueError, match="embedded"):
        figure_html(fig, div_id="logo")


def _card(tab, output: str):
    (card,) = [c for c in tab.cards if c.output == output]
    assert card.figure is not None, f"{tab.name}:{output} has no download panel"
    return card.figure


def test_the_new_tabs_figures_have_download_panels_named_for_what_they_show(views):
    """Agreement, Sample size, Outcome calibration and the subgroup forest plots are offered
    as files by the framework, each file named for what it shows."""
    from modules.agreement.tab import TAB as AGREEMENT
    from modules.outcome.tab import TAB as OUTCOME
    from modules.regression.tab import TAB as REGRESSION
    from modules.sample_size.tab import TAB as SAMPLE_SIZE
    from modules.survival.tab import TAB as SURVIVAL

    def name(figure, view) -> str:
        assert figure.build(view) is not None
        return figure_export.figure_file_name(*figure.stem(view), fmt="svg")

    assert name(_card(AGREEMENT, "bland_altman"), views["agreement"]) == "bland_altman_a_vs_b.svg"
    curve = _card(SAMPLE_SIZE, "curve_plot")
    assert name(curve, views["sample_size"]) == (
        f"power_curve_{views['sample_size'].spec.family}.svg"
    )
    calibrated = views["outcome_calibrated"]
    outcome = figure_export.slug(calibrated.outcome_label)
    assert name(_card(OUTCOME, "calibration_figure"), calibrated) == f"calibration_{outcome}.svg"
    assert name(_card(OUTCOME, "decision_figure"), calibrated) == f"decision_curve_{outcome}.svg"
    assert _card(OUTCOME, "calibration_figure").build(views["outcome"]) is None  # not asked for
    subgroups = RegressionView(_subgroup_result(), {"x": "Dose"}, "data.csv")
    assert name(_card(REGRESSION, "modifiers_out"), subgroups) == "subgroups_dose.svg"
    for tab in (OUTCOME, SURVIVAL):
        assert _card(tab, "modifiers_out").build(views[tab.name]) is None  # none asked for


def test_add_annotations_appends_all_at_once_after_the_existing_ones():
    fig = go.Figure()
    fig.add_annotation(text="first", x=0, y=0, showarrow=False)
    add_annotations(
        fig, [{"text": f"row {i}", "x": 1, "y": i, "showarrow": False} for i in range(3)]
    )
    add_annotations(fig, [])
    assert [a.text for a in fig.layout.annotations] == ["first", "row 0", "row 1", "row 2"]
    assert [a.y for a in fig.layout.annotations] == [0, 0, 1, 2]
