"""Pure builders of the Sample size page: the answer, the protocol sentence, the table of inputs
and results, the power curve, the CSV and the report. No text here comes from a user's file:
every value is a number the user typed, formatted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from htmltools import HTML, Tag, tags
from shiny import ui

from analyses.sample_size_result import SampleSizeResult
from analyses.sample_size_sentence import method_text, num, pct, protocol_sentence
from analyses.specs import SampleSizeSpec
from modules.sample_size.controls import FAMILIES
from modules.shared.csv_safety import csv_text
from modules.shared.figures import POINT, ReportFigures
from modules.shared.labelled import Labelled
from modules.shared.report import REPORT_CSS
from modules.shared.table_doc import TableDoc, frame_doc
from modules.shared.tables import plain_doc_table

UNIT_WORDS = {"per group": "Patients per group", "pairs": "Pairs", "in all": "Patients"}


@dataclass(frozen=True)
class SampleSizeView(Labelled):
    """A SampleSizeResult with the spec it answers (there are no column labels)."""

    result: SampleSizeResult
    spec: SampleSizeSpec
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def sentence(self) -> str:
        return protocol_sentence(self.spec, self.result)

    @property
    def solves_power(self) -> bool:
        return self.result.solve == "power"


def _count(n: int) -> str:
    return f"{n:,}"


def answer_boxes(view: SampleSizeView) -> Tag:
    """The answer in large type, then the sentence for the protocol."""
    r = view.result
    if view.solves_power:
        boxes = [ui.value_box("Power", pct(r.power), f"with {_size_text(r)}", id="box_power")]
    else:
        boxes = [ui.value_box("Needed in all", _count(r.total), _group_text(r), id="box_total")]
        if r.family == "logrank":
            boxes.append(
                ui.value_box(
                    "Events needed",
                    f"{r.quantity('events'):,.0f}",
                    "for the log-rank test",
                    id="box_events",
                )
            )
    if view.spec.dropout:
        boxes.append(
            ui.value_box(
                "To recruit",
                _count(r.recruit_total),
                f"allowing for {pct(view.spec.dropout)} dropout",
                id="box_recruit",
            )
        )
    return ui.TagList(
        ui.layout_column_wrap(*boxes, width="200px", fill=False, heights_equal="row"),
        tags.div(
            tags.p(tags.strong("For the protocol: ")),
            tags.p(view.sentence, id="protocol-sentence", class_="mb-1"),
            tags.p(f"Method: {method_text(view.spec)}.", class_="small text-muted mb-0"),
            class_="alert alert-light border mt-3 mb-0",
        ),
    )


def _group_text(r: SampleSizeResult) -> str:
    if r.unit == "pairs":
        return "pairs"
    if not r.n2:
        return "patients"
    if r.n1 == r.n2:
        return f"{_count(r.n1)} per group"
    return f"{_count(r.n1)} in group 1, {_count(r.n2)} in group 2"


def _size_text(r: SampleSizeResult) -> str:
    """'100 per group (200 in all)', '30 pairs', '85 patients'."""
    if r.unit == "pairs":
        return f"{_count(r.total)} pairs"
    if not r.n2:
        return f"{_count(r.total)} patients"
    return f"{_group_text(r)} ({_count(r.total)} in all)"


def details_frame(view: SampleSizeView) -> pd.DataFrame:
    """What was assumed and what was found, one row each, as display strings."""
    s, r = view.spec, view.result
    rows: list[tuple[str, str]] = [
        ("Comparison", FAMILIES.get(s.family, s.family)),
        ("Method", method_text(s)),
    ]
    rows += _inputs(s)
    if s.family != "diagnostic":
        rows.append(
            ("Significance level α", f"{num(s.alpha)} ({'two' if s.sides == 2 else 'one'}-sided)")
        )
    if r.solve == "n" and s.family != "diagnostic":
        rows.append(("Power wanted", pct(s.power)))
        rows.append(("Exact size from the formula", f"{r.n_exact:,.2f} ({r.unit})"))
    if s.family == "logrank":
        rows += [
            ("Events", f"{r.quantity('events'):,.0f}"),
            ("P(event), group 1", f"{r.quantity('p_event_group1'):.3f}"),
            ("P(event), group 2", f"{r.quantity('p_event_group2'):.3f}"),
        ]
    if s.family == "diagnostic":
        rows += [
            ("Patients for the sensitivity", f"{r.quantity('n_sensitivity'):,.1f}"),
            ("Patients for the specificity", f"{r.quantity('n_specificity'):,.1f}"),
            ("Patients with the condition", f"{r.quantity('cases'):,.0f}"),
        ]
    rows.append((UNIT_WORDS.get(r.unit, "Patients"), _group_text(r) if r.n2 else _count(r.n1)))
    rows.append(("In all", _count(r.total)))
    if s.family != "diagnostic":
        rows.append(("Power at these sizes", pct(r.achieved_power)))
    rows.append(("Dropout allowed for", pct(s.dropout)))
    rows.append(("To recruit", _count(r.recruit_total)))
    return pd.DataFrame(rows, columns=["Item", "Value"])


def _inputs(s: SampleSizeSpec) -> list[tuple[str, str]]:
    u = s.time_unit
    return {
        "proportions": [
            ("Proportion in group 1", pct(s.p1)),
            ("Proportion in group 2", pct(s.p2)),
            ("Allocation (group 2 / group 1)", num(s.ratio)),
        ],
        "means": [
            ("Difference in means", num(s.difference)),
            ("Standard deviation", num(s.sd)),
            ("Allocation (group 2 / group 1)", num(s.ratio)),
        ],
        "correlation": [("Correlation", num(s.r))],
        "chisq": [("Effect size w", num(s.w)), ("Degrees of freedom", num(s.df))],
        "logrank": [
            ("Hazard ratio", num(s.hr)),
            ("Allocation (group 2 / group 1)", num(s.ratio)),
            (f"Median survival in group 1 ({u})", num(s.median)),
            (f"Accrual ({u})", num(s.accrual)),
            (f"Further follow-up ({u})", num(s.follow_up)),
        ],
        "logistic": [
            (
                "Event rate"
                + (" without the exposure" if s.method == "binary" else " at the covariate's mean"),
                pct(s.p1),
            ),
            ("Odds ratio", num(s.odds_ratio)),
            *([("Share exposed", pct(s.exposed))] if s.method == "binary" else []),
            ("R² with the other covariates", num(s.r2)),
        ],
        "diagnostic": [
            ("Sensitivity", pct(s.sensitivity)),
            ("Specificity", pct(s.specificity)),
            ("Prevalence", pct(s.prevalence)),
            ("Half-width of the CI", f"±{pct(s.width)}"),
            ("Confidence level", pct(1 - float(s.alpha or 0))),
        ],
        "ni_proportions": [
            ("Proportion, new treatment", pct(s.p1)),
            ("Proportion, standard treatment", pct(s.p2)),
            ("Margin", pct(s.margin)),
        ],
        "ni_means": [
            ("Expected difference (new - standard)", num(s.difference)),
            ("Standard deviation", num(s.sd)),
            ("Margin", num(s.margin)),
        ],
    }.get(s.family, [])


def details_doc(view: SampleSizeView) -> TableDoc:
    """The assumptions and results as the page, the Word file and the CSV show them."""
    return frame_doc(
        f"sample_size_{view.spec.family}", "Assumptions and results", details_frame(view)
    )


def tables(view: SampleSizeView) -> tuple[TableDoc, ...]:
    """The tab's one table (Word and CSV downloads)."""
    return (details_doc(view),)


def details_table(view: SampleSizeView, table_id: str | None = "sample-size-table") -> Tag:
    return plain_doc_table(details_doc(view), table_id=table_id)


def curve_figure(view: SampleSizeView) -> go.Figure:
    """Power against size (diagnostic accuracy: the CI half-width), the answer marked."""
    r, s = view.result, view.spec
    curve = r.curve
    fig = go.Figure()
    precision = r.family == "diagnostic"
    colours = {"power": POINT, "sensitivity": POINT, "specificity": "#c0392b"}
    for series, part in curve.groupby("series", sort=False):
        y = part["value"] * 100  # percent either way
        fig.add_trace(
            go.Scatter(
                x=part["n"],
                y=y,
                mode="lines",
                name=str(series).capitalize(),
                line={"color": colours.get(str(series), POINT), "width": 2},
            )
        )
    x_mark = r.n1 if not precision else r.total
    y_line = (s.width if precision else (r.power if r.solve == "power" else s.power)) or 0
    fig.add_hline(y=100 * float(y_line), line_dash="dot", line_color="#555")
    fig.add_vline(x=x_mark, line_dash="dash", line_color="#555")
    title = "CI half-width against patients" if precision else "Power against sample size"
    fig.update_layout(
        title={"text": title, "x": 0.0},
        height=420,
        plot_bgcolor="white",
        margin={"l": 10, "r": 10, "t": 50, "b": 50},
        showlegend=precision,
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0.0},
    )
    x_title = "Patients in all" if precision else UNIT_WORDS.get(r.unit, "Patients")
    fig.update_xaxes(title_text=x_title, gridcolor="#eeeeee", rangemode="tozero")
    fig.update_yaxes(
        title_text="Half-width (percentage points)" if precision else "Power (%)",
        gridcolor="#eeeeee",
        range=None if precision else [0, 100],
    )
    return fig


def done_text(view: SampleSizeView, seconds: float) -> str:
    r = view.result
    if view.solves_power:
        return f"Done in {seconds:.1f} s: power {pct(r.power)} with {_size_text(r)}."
    if r.unit == "pairs":
        return f"Done in {seconds:.1f} s: {_count(r.total)} pairs."
    if not r.n2:
        return f"Done in {seconds:.1f} s: {_count(r.total)} patients."
    return f"Done in {seconds:.1f} s: {_count(r.total)} in all ({_group_text(r)})."


def tables_csv(view: SampleSizeView) -> str:
    """The assumptions and results, then the power curve, as CSV."""
    details = details_frame(view).rename(columns={"Item": "item", "Value": "value"})
    details.insert(0, "section", "result")
    details = pd.concat(
        [
            details,
            pd.DataFrame([{"section": "sentence", "item": "protocol", "value": view.sentence}]),
            pd.DataFrame(
                [{"section": "caution", "item": "", "value": w} for w in view.result.warnings],
                columns=["section", "item", "value"],
            ),
        ]
    )
    curve = view.result.curve
    points = pd.DataFrame(
        {
            "section": "curve " + curve["series"].astype(str),
            "item": curve["n"].map(lambda n: f"{n:g}"),
            "value": curve["value"].map(lambda v: f"{v:.4f}"),
        }
    )
    return csv_text(pd.concat([details, points], ignore_index=True))


def html_report(view: SampleSizeView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML report: the sentence, the table and the curve."""
    when = when or dt.datetime.now()
    figure = ReportFigures().html(curve_figure(view), "sample-size-curve")
    doc = tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title("MedStat – Sample size"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1("Sample size"),
            tags.p(
                f"{FAMILIES.get(view.spec.family, '')} · Created {when:%Y-%m-%d %H:%M} with "
                "MedStat",
                class_="meta",
            ),
            tags.h2("For the protocol"),
            tags.p(view.sentence),
            tags.p(f"Method: {method_text(view.spec)}."),
            tags.ul(*[tags.li(w) for w in view.result.warnings]) if view.result.warnings else None,
            details_table(view, table_id=None),
            tags.h2("Curve"),
            HTML(figure),
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
