"""The ROC figure (plotly) and the downloads of a diagnostic analysis: tidy CSV, HTML report.

Pure builders. Plotly renders a subset of HTML in text, so user strings go through html.escape
before they reach the figure; the report is built with htmltools (escaped) and carries
plotly.js inline so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from htmltools import HTML, Tag, tags

from modules.diagnostic.documents import (
    accuracy_table,
    auc_table,
    comparison_table,
    two_by_two_tables,
)
from modules.diagnostic.view import (
    DiagnosticView,
    cutoff_text,
    fmt_auc,
)
from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures
from modules.shared.report import REPORT_CSS

COLOURS = ("#1f4e79", "#c0504d", "#2e7d32", "#8064a2", "#f39c12", "#4bacc6", "#7f6000")


def roc_figure(view: DiagnosticView) -> go.Figure:
    """One ROC curve per test, the chance diagonal, and each test's cut-off as a point."""
    result = view.result
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            line={"color": "#9e9e9e", "dash": "dash", "width": 1},
            name="Chance (AUC 0.5)",
            hoverinfo="skip",
        )
    )
    aucs = result.auc.set_index("variable")  # type: ignore[attr-defined]
    cuts = result.cutoffs.set_index("variable")  # type: ignore[attr-defined]
    for i, (name, points) in enumerate(result.roc.groupby("variable", sort=False)):  # type: ignore[attr-defined]
        colour = COLOURS[i % len(COLOURS)]
        label = html.escape(view.label(str(name)))
        a = aucs.loc[name]
        fpr = 1.0 - points["specificity"].to_numpy()
        order = np.lexsort((points["sensitivity"].to_numpy(), fpr))
        thresholds = [f"{t:.6g}" for t in points["threshold"].to_numpy()[order]]
        fig.add_trace(
            go.Scatter(
                x=fpr[order],
                y=points["sensitivity"].to_numpy()[order],
                mode="lines",
                line={"color": colour, "width": 2, "shape": "linear"},
                name=f"{label}: AUC {fmt_auc(a.estimate, a.ci_low, a.ci_high)}",
                customdata=thresholds,
                hovertemplate=f"{label}<br>cut-off %{{customdata}}<br>sensitivity %{{y:.3f}}"
                "<br>1 − specificity %{x:.3f}<extra></extra>",
            )
        )
        cut = cuts.loc[name]
        sens = cut.tp / (cut.tp + cut.fn)
        spec = cut.tn / (cut.tn + cut.fp)
        point = html.escape(cutoff_text(view, cut))
        fig.add_trace(
            go.Scatter(
                x=[1 - spec],
                y=[sens],
                mode="markers",
                marker={"color": colour, "size": 10, "symbol": "circle-open", "line": {"width": 2}},
                showlegend=False,
                hovertemplate=f"{label}, positive if {point}<br>sensitivity {sens:.3f}"
                f"<br>specificity {spec:.3f}<extra></extra>",
            )
        )
    condition = html.escape(view.condition)
    fig.update_layout(
        title={"text": f"ROC curves for {condition}", "x": 0.0, "xanchor": "left"},
        height=520,
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
        plot_bgcolor="white",
        legend={"x": 0.98, "y": 0.02, "xanchor": "right", "yanchor": "bottom"},
        hoverlabel={"align": "left"},
    )
    # constrain="domain" keeps the square axes at 0-1 instead of widening the x range.
    axis = {
        "range": [-0.01, 1.01],
        "constrain": "domain",
        "showgrid": True,
        "gridcolor": "#eeeeee",
        "zeroline": False,
    }
    fig.update_xaxes(title={"text": "1 − specificity (false positive rate)"}, **axis)
    fig.update_yaxes(
        title={"text": "Sensitivity (true positive rate)"}, scaleanchor="x", scaleratio=1, **axis
    )
    return fig


def _numeric(frame: pd.DataFrame, column: str) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return values.where(np.isfinite(values))


def tidy_frame(view: DiagnosticView) -> pd.DataFrame:
    """Every table in one long frame: table, variable, label, measure, estimate, CI, extras."""
    r = view.result
    parts = []
    auc = r.auc  # type: ignore[attr-defined]
    parts.append(
        pd.DataFrame(
            {
                "table": "auc",
                "variable": auc["variable"].astype(str),
                "measure": "auc",
                "estimate": _numeric(auc, "estimate"),
                "ci_low": _numeric(auc, "ci_low"),
                "ci_high": _numeric(auc, "ci_high"),
                "n": auc["n"],
                "detail": "direction " + auc["direction"].astype(str),
            }
        )
    )
    acc = r.accuracy.merge(r.cutoffs, on="variable")  # type: ignore[attr-defined]
    parts.append(
        pd.DataFrame(
            {
                "table": "accuracy",
                "variable": acc["variable"].astype(str),
                "measure": acc["measure"],
                "estimate": _numeric(acc, "estimate"),
                "ci_low": _numeric(acc, "ci_low"),
                "ci_high": _numeric(acc, "ci_high"),
                "n": acc["tp"] + acc["fp"] + acc["fn"] + acc["tn"],
                "detail": [cutoff_text(view, c) for c in acc.itertuples(index=False)],
            }
        )
    )
    comp = r.comparisons  # type: ignore[attr-defined]
    parts.append(
        pd.DataFrame(
            {
                "table": "comparison",
                "variable": comp["variable_1"].astype(str)
                + " vs "
                + comp["variable_2"].astype(str),
                "measure": "auc_difference",
                "estimate": _numeric(comp, "difference"),
                "ci_low": _numeric(comp, "ci_low"),
                "ci_high": _numeric(comp, "ci_high"),
                "n": comp["n"],
                "detail": ["p = " + f"{p:.4g}" for p in comp["p_value"]],
            }
        )
    )
    out = pd.concat([p for p in parts if not p.empty], ignore_index=True)
    out.insert(
        2, "label", [" vs ".join(view.label(v) for v in s.split(" vs ")) for s in out.variable]
    )
    return out


def tables_csv(view: DiagnosticView) -> str:
    """The tidy frame as CSV, with cells a spreadsheet would run as a formula neutralised."""
    return csv_text(tidy_frame(view))


def file_stem(view: DiagnosticView) -> str:
    """medstat_diagnostic_<reference>, safe as a file name (the date and file follow)."""
    ref = re.sub(r"[^A-Za-z0-9_-]+", "_", view.info.reference).strip("_")
    return f"medstat_diagnostic_{ref[:40] or 'reference'}"


def report_document(view: DiagnosticView, when: dt.datetime) -> Tag:
    """The report as an htmltools document tree (every user string escaped)."""
    plot = ReportFigures().html(roc_figure(view), "roc-plot")
    title = f"Diagnostic accuracy: {view.condition}"
    warnings = view.result.warnings  # type: ignore[attr-defined]
    return tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title(f"MedStat – {title}"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1(title),
            tags.p(
                f"Dataset: {view.dataset_name or '—'} · Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            tags.section(tags.h2("ROC curves"), HTML(plot)),
            tags.section(tags.h2("Area under the ROC curve"), auc_table(view, table_id=None)),
            tags.section(tags.h2("Comparison of AUCs"), comparison_table(view, table_id=None)),
            tags.section(tags.h2("Accuracy at the cut-off"), accuracy_table(view, table_id=None)),
            tags.section(tags.h2("2×2 tables"), two_by_two_tables(view)),
            tags.section(
                tags.h2("Warnings"),
                tags.ul(*[tags.li(w) for w in warnings]) if warnings else tags.p("None."),
            ),
        ),
        lang="en",
    )


def html_report(view: DiagnosticView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML file: tables, warnings and the ROC plot with plotly.js inline."""
    return "<!DOCTYPE html>\n" + str(report_document(view, when or dt.datetime.now()))
