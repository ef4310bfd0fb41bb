"""Pure builders of the imputation card: the share missing per variable and the missing-data
pattern (TableDocs, drawn on the page by doc_table and downloadable as CSV), the convergence
plot (the mean of each imputed variable per round, one line per chain), and the methods
sentence. Column names from users' files reach the tables through htmltools (escaped) and the
figure through html.escape (plotly renders a subset of HTML in text)."""

from __future__ import annotations

import html
from collections.abc import Callable

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from analyses.results import ImputationResult
from modules.shared.formatting import fmt_percent
from modules.shared.table_doc import Row, TableDoc

METHOD_NAMES = {
    "pmm": "predictive mean matching",
    "logreg": "logistic regression",
    "polyreg": "multinomial logistic regression",
}
MAX_PATTERN_ROWS = 30  # the commonest patterns; the rest are summed in one line


def missing_doc(result: ImputationResult, label: Callable[[str], str]) -> TableDoc:
    """Variables, missing n (%), and how each is imputed."""
    rows = []
    imputed = dict(zip(result.info.imputed, result.info.methods, strict=True))
    for r in result.missing.to_dict("records"):
        name = str(r["variable"])
        if name in result.info.left_out:
            how = "left out: missing for everyone"
        elif name in imputed:
            how = METHOD_NAMES[imputed[name]]
        else:
            how = "complete: predictor only"
        rows.append(Row((label(name), f"{r['n_missing']:,} ({fmt_percent(r['percent'], 1)})", how)))
    return TableDoc(
        stem="missing_values",
        title="Missing values per variable",
        header=("Variable", "Missing, n (%)", "Imputed by"),
        rows=tuple(rows),
        footnotes=(f"{result.info.n_rows:,} patients; {result.info.n_incomplete:,} with at least "
                   "one imputed value.",),
    )  # fmt: skip


def pattern_doc(result: ImputationResult, label: Callable[[str], str]) -> TableDoc:
    """The missing-data pattern (as mice's md.pattern): one row per pattern, ✓ observed, ✗
    missing, patients with it and variables missing in it."""
    variables = [c for c in result.pattern.columns if c not in ("n", "n_missing")]
    shown = result.pattern.head(MAX_PATTERN_ROWS)
    rows = [
        Row(
            (
                f"{int(r['n']):,}",
                *("✓" if r[v] else "✗" for v in variables),
                str(int(r["n_missing"])),
            )
        )
        for r in shown.to_dict("records")
    ]
    rest = result.pattern.iloc[MAX_PATTERN_ROWS:]
    notes = ["✓ observed, ✗ missing; the commonest pattern first."]
    if len(rest):
        notes.append(f"{len(rest):,} rarer patterns ({int(rest['n'].sum()):,} patients) not shown.")
    return TableDoc(
        stem="missing_pattern",
        title="Missing-data pattern",
        header=("Patients", *(label(v) for v in variables), "Variables missing"),
        rows=tuple(rows),
        footnotes=tuple(notes),
    )


def convergence_figure(result: ImputationResult, label: Callable[[str], str]) -> go.Figure:
    """Mean of the imputed values of each variable after each round, one line per chain: the
    lines should mix and show no trend (van Buuren, FIMD 6.5)."""
    variables = list(result.info.imputed)
    coded = {v for v, m in zip(variables, result.info.methods, strict=True) if m != "pmm"}
    titles = [
        html.escape(label(v)) + (" (mean level code)" if v in coded else "") for v in variables
    ]
    fig = make_subplots(rows=len(variables), cols=1, subplot_titles=titles, shared_xaxes=True,
                        vertical_spacing=min(0.08, 0.5 / max(len(variables), 1)))  # fmt: skip
    for i, v in enumerate(variables, 1):
        part = result.trace[result.trace["variable"] == v]
        for chain, lines in part.groupby("chain"):
            fig.add_trace(
                go.Scatter(
                    x=lines["iteration"],
                    y=lines["mean"],
                    mode="lines",
                    line={"width": 1},
                    opacity=0.7,
                    name=f"Imputation {chain}",
                    showlegend=False,
                    hovertemplate=f"Imputation {chain}, round %{{x}}: %{{y:.3g}}<extra></extra>",
                ),
                row=i,
                col=1,
            )
    fig.update_xaxes(title_text="Iteration", row=len(variables), col=1, dtick=1)
    fig.update_layout(
        title="Convergence of the chained equations",
        height=max(260, 190 * len(variables)),
        margin={"l": 60, "r": 20, "t": 70, "b": 50},
        template="plotly_white",
    )
    return fig


def methods_sentence(result: ImputationResult, label: Callable[[str], str]) -> str:
    """'Missing values were imputed by chained equations (m = 20, ...); estimates were pooled
    by Rubin's rules with Barnard–Rubin degrees of freedom.'"""
    info = result.info
    by_method: dict[str, list[str]] = {}
    for v, m in zip(info.imputed, info.methods, strict=True):
        by_method.setdefault(m, []).append(label(v))
    parts = [f"{METHOD_NAMES[m]} for {', '.join(names)}" for m, names in by_method.items()]
    return (
        f"Missing values were imputed by chained equations (m = {info.m} imputations, "
        f"{info.iterations} iterations, {'; '.join(parts)}; seed {info.seed}); estimates were "
        "pooled by Rubin's rules with Barnard–Rubin degrees of freedom."
    )
