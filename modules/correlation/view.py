"""Pure builders for the Correlation page: the pairs table, heatmap, scatter, CSV and report.

Every string from the user's file goes through htmltools tags (tables) or html.escape
(figures), which escape it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from htmltools import HTML, Tag, tags

from analyses.fit_records import CorrelationSummary
from analyses.results import CorrelationResult
from modules.shared.csv_safety import csv_text
from modules.shared.figures import POINT, ReportFigures
from modules.shared.formatting import DASH, fmt_count, fmt_number, fmt_p, is_number
from modules.shared.labelled import Labelled
from modules.shared.report import REPORT_CSS
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table

METHOD_NAMES = {"pearson": "Pearson r", "spearman": "Spearman ρ"}
ADJUST_NAMES = {
    "none": "none",
    "holm": "Holm",
    "bonferroni": "Bonferroni",
    "fdr_bh": "Benjamini–Hochberg (false discovery rate)",
}


@dataclass(frozen=True)
class CorrelationView(Labelled):
    """A CorrelationResult with the labels and data name the page shows."""

    result: CorrelationResult
    labels: Mapping[str, str] = field(default_factory=dict)
    dataset_name: str = ""

    @property
    def summary(self) -> CorrelationSummary:
        return self.result.summary

    @property
    def coefficient(self) -> str:
        return METHOD_NAMES.get(self.summary.method, "r")


def _r(value: object) -> str:
    return fmt_number(value, 2) if is_number(value) else DASH


def pairs_frame(view: CorrelationView) -> pd.DataFrame:
    """One display row per pair: n, coefficient, 95% CI, p (and adjusted p when corrected)."""
    adjusted = view.summary.adjust != "none"
    rows = []
    for r in view.result.pairs.itertuples(index=False):
        ci = f"{_r(r.ci_low)} to {_r(r.ci_high)}" if is_number(r.ci_low) else DASH
        row = {
            "Variable 1": view.label(r.variable_1),
            "Variable 2": view.label(r.variable_2),
            "n": fmt_count(r.n),
            view.coefficient: _r(r.estimate),
            "95% CI": ci,
            "p": fmt_p(r.p_value),
        }
        if adjusted:
            row[f"p ({ADJUST_NAMES[view.summary.adjust]})"] = fmt_p(r.p_adjusted)
        rows.append(row)
    return pd.DataFrame(rows)


# When each way of computing a p-value applies (R's cor.test, whose choices the analysis follows).
P_METHOD_WHEN = {
    "exact (AS 89)": " for Spearman with up to 9 pairs and no ties",
    "Edgeworth series (AS 89)": " for Spearman with 10 to 1,290 pairs and no ties",
    "t approximation": " for Spearman with ties or more than 1,290 pairs",
    "t test": " for Pearson",
}


def pairs_doc(view: CorrelationView) -> TableDoc:
    """The pairs as a publishable table (page, Word, CSV)."""
    s = view.summary
    notes = [
        f"{view.coefficient}; each pair uses the patients with both values (n). 95% CI by "
        "Fisher's z" + (" with the Bonett–Wright variance." if s.method == "spearman" else ".")
    ]
    methods = [m for m in dict.fromkeys(view.result.pairs["p_method"]) if m]
    if methods:
        notes.append(
            "p-values as R's cor.test: "
            + "; ".join(f"{m}{P_METHOD_WHEN.get(m, '')}" for m in methods)
            + "."
        )
    if s.adjust != "none":
        notes.append(f"Adjusted p: {ADJUST_NAMES[s.adjust]} correction over all pairs.")
    title = "Correlation matrix, pair by pair"
    return frame_doc("correlation_pairs", title, pairs_frame(view), footnotes=notes, text_columns=2)


def tables(view: CorrelationView) -> tuple[TableDoc, ...]:
    return (pairs_doc(view),)


def pairs_table(view: CorrelationView, table_id: str | None = "correlation-table") -> Tag:
    return plain_doc_table(pairs_doc(view), table_id=table_id)


def heatmap(view: CorrelationView) -> go.Figure:
    """The coefficient matrix on a diverging scale fixed at -1..1, each cell annotated."""
    matrix = view.result.matrix
    names = [html.escape(view.label(c)) for c in matrix.columns]
    z = matrix.to_numpy(dtype=float)
    p = {}
    for r in view.result.pairs.itertuples(index=False):
        p[(r.variable_1, r.variable_2)] = p[(r.variable_2, r.variable_1)] = r.p_adjusted
    cols = list(matrix.columns)
    text = [
        [
            "" if not np.isfinite(z[i, j]) else f"{z[i, j]:.2f}" + _stars(p.get((a, b)))
            for j, b in enumerate(cols)
        ]
        for i, a in enumerate(cols)
    ]
    fig = go.Figure(
        go.Heatmap(
            z=z, x=names, y=names, zmin=-1, zmax=1, zmid=0, colorscale="RdBu",
            text=text, texttemplate="%{text}", hovertemplate="%{y} – %{x}: %{z:.3f}<extra></extra>",
            colorbar={"title": {"text": view.coefficient}},
        )
    )  # fmt: skip
    size = max(360, 60 * len(cols) + 160)
    fig.update_layout(
        title={"text": f"{view.coefficient} matrix", "x": 0.0},
        height=size, margin={"l": 10, "r": 10, "t": 50, "b": 10}, plot_bgcolor="white",
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(automargin=True, side="bottom")
    return fig


def _stars(p: object) -> str:
    if not is_number(p):
        return ""
    x = float(p)  # type: ignore[arg-type]
    return "***" if x < 0.001 else "**" if x < 0.01 else "*" if x < 0.05 else ""


def scatter_plot(view: CorrelationView) -> go.Figure:
    """The chosen pair's points with the least-squares line and the 95% CI of the mean."""
    s = view.summary
    res = view.result
    x_name = html.escape(view.label(s.pair_x))
    y_name = html.escape(view.label(s.pair_y))
    fig = go.Figure()
    fig.add_trace(
        go.Scattergl(x=res.scatter["x"], y=res.scatter["y"], mode="markers", name="Patients",
                     marker={"color": POINT, "size": 6, "opacity": 0.55})
    )  # fmt: skip
    line = res.line
    if len(line):
        band_x = list(line["x"]) + list(line["x"][::-1])
        band_y = list(line["ci_high"]) + list(line["ci_low"][::-1])
        fig.add_trace(
            go.Scatter(x=band_x, y=band_y, fill="toself", fillcolor="rgba(192,57,43,0.18)",
                       line={"width": 0}, hoverinfo="skip", name="95% CI of the mean")
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=line["x"], y=line["fit"], mode="lines", name="Least-squares line",
                       line={"color": "#c0392b", "width": 2})
        )  # fmt: skip
    title = f"{y_name} vs {x_name}: {pair_text(view)}"
    fig.update_layout(
        title={"text": title, "x": 0.0}, height=460, plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 50},
        legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0.0},
    )  # fmt: skip
    fig.update_xaxes(title_text=x_name, gridcolor="#eeeeee", automargin=True)
    fig.update_yaxes(title_text=y_name, gridcolor="#eeeeee", automargin=True)
    return fig


def done_text(view: CorrelationView, seconds: float) -> str:
    """The status line after a run: how many pairs, and the scatter's pair in words."""
    return f"Done in {seconds:.1f} s: {len(view.result.pairs)} pairs. Scatter: {pair_text(view)}."


def pair_text(view: CorrelationView) -> str:
    """'Pearson r = 0.45, p < 0.001, n = 480' for the scatter's pair."""
    s = view.summary
    p = fmt_p(s.pair_p)
    p_text = f"p {p}" if p.startswith("<") else f"p = {p}"
    n = fmt_count(s.pair_n)
    how = f" ({s.pair_p_method})" if s.pair_p_method else ""
    return f"{view.coefficient} = {_r(s.pair_estimate)}, {p_text}{how}, n = {n}"


def tidy_frame(view: CorrelationView) -> pd.DataFrame:
    """The pairs with labels, numbers kept numeric (non-finite -> empty), for the CSV."""
    pairs = view.result.pairs
    out = pd.DataFrame(
        {
            "variable_1": pairs["variable_1"].astype(str),
            "label_1": [view.label(v) for v in pairs["variable_1"]],
            "variable_2": pairs["variable_2"].astype(str),
            "label_2": [view.label(v) for v in pairs["variable_2"]],
            "method": view.summary.method,
            "n": pairs["n"],
        }
    )
    for column in ("estimate", "ci_low", "ci_high", "p_value", "p_adjusted"):
        values = pd.to_numeric(pairs[column], errors="coerce").astype(float)
        out[column] = values.where(np.isfinite(values))
    out["p_method"] = pairs["p_method"].astype(str)
    return out


def tables_csv(view: CorrelationView) -> str:
    """The pairs as CSV text with formula-like cells neutralised."""
    return csv_text(tidy_frame(view))


def html_report(view: CorrelationView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML report: the pairs table, the heatmap and the scatter."""
    when = when or dt.datetime.now()
    figures = ReportFigures()
    heat = figures.html(heatmap(view), "correlation-heatmap")
    scatter = figures.html(scatter_plot(view), "correlation-scatter")
    warnings = view.result.warnings
    doc = tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title("MedStat – Correlation"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1("Correlation"),
            tags.p(
                f"Dataset: {view.dataset_name or DASH} · {view.coefficient} · "
                f"Created {when:%Y-%m-%d %H:%M} with MedStat",
                class_="meta",
            ),
            tags.h2("Notes"),
            tags.ul(*[tags.li(w) for w in warnings]) if warnings else tags.p("None."),
            pairs_table(view, table_id=None),
            tags.h2("Heatmap"),
            HTML(heat),
            tags.h2("Scatter plot"),
            HTML(scatter),
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
