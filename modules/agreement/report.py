"""The Agreement tab's downloads: every table as one long CSV, and a self-contained report."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from htmltools import HTML, tags

from modules.agreement import documents as ad
from modules.agreement import view as av
from modules.agreement.figures import bland_altman_plot
from modules.shared.csv_safety import csv_text
from modules.shared.figures import ReportFigures
from modules.shared.formatting import DASH
from modules.shared.report import REPORT_CSS

CSV_COLUMNS = (
    "table", "statistic", "detail", "n", "estimate", "ci_low", "ci_high", "exact_low",
    "exact_high", "se", "statistic_value", "df1", "df2", "p_value",
)  # fmt: skip


def tidy_frame(view: av.AgreementView) -> pd.DataFrame:
    """Every number of the result, unformatted, one row per estimate (non-finite -> empty)."""
    s, res = view.summary, view.result
    rows = []
    for r in res.kappas.itertuples(index=False):
        rows.append({"table": "kappa", "statistic": r.statistic, "detail": r.weights, "n": r.n,
                     "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "se": r.se, "statistic_value": r.z, "p_value": r.p_value})  # fmt: skip
    if np.isfinite(s.percent_agreement):
        rows.append({"table": "kappa", "statistic": "percentage agreement", "detail": "all raters",
                     "n": s.n_subjects, "estimate": s.percent_agreement})  # fmt: skip
    for r in res.icc.itertuples(index=False):
        rows.append({"table": "icc", "statistic": r.form,
                     "detail": f"{r.model}, {r.type}, {r.unit}", "n": s.n_subjects,
                     "estimate": r.estimate, "ci_low": r.ci_low, "ci_high": r.ci_high,
                     "statistic_value": r.f, "df1": r.df1, "df2": r.df2,
                     "p_value": r.p_value})  # fmt: skip
    pair = f"{view.rater(s.ba_second)} - {view.rater(s.ba_first)}"
    for r in res.limits.itertuples(index=False):
        rows.append({"table": "bland_altman", "statistic": r.quantity, "detail": pair,
                     "n": s.n_subjects, "estimate": r.estimate, "ci_low": r.ci_low,
                     "ci_high": r.ci_high, "exact_low": r.exact_low,
                     "exact_high": r.exact_high})  # fmt: skip
    if len(res.limits):
        rows.append({"table": "bland_altman", "statistic": "proportional bias slope",
                     "detail": pair, "n": s.n_subjects, "estimate": s.ba_slope,
                     "ci_low": s.ba_slope_ci_low, "ci_high": s.ba_slope_ci_high,
                     "p_value": s.ba_slope_p})  # fmt: skip
        rows.append({"table": "bland_altman", "statistic": "sd of differences", "detail": pair,
                     "n": s.n_subjects, "estimate": s.ba_sd})  # fmt: skip
    out = pd.DataFrame(rows, columns=list(CSV_COLUMNS))
    for column in CSV_COLUMNS[3:]:
        values = pd.to_numeric(out[column], errors="coerce").astype(float)
        out[column] = values.where(np.isfinite(values))
    return out


def tables_csv(view: av.AgreementView) -> str:
    """The tidy table as CSV text with formula-like cells neutralised."""
    return csv_text(tidy_frame(view))


def file_stem(view: av.AgreementView) -> str:
    return "medstat_agreement"


def html_report(view: av.AgreementView, when: dt.datetime | None = None) -> str:
    """A self-contained HTML report: the key numbers, every table and the Bland–Altman plot."""
    when = when or dt.datetime.now()
    s = view.summary
    plot = None
    if s.scale == "continuous":
        plot = HTML(ReportFigures().html(bland_altman_plot(view), "agreement-bland-altman"))
    warnings = view.result.warnings
    doc = tags.html(
        tags.head(
            tags.meta(charset="utf-8"),
            tags.title("MedStat – Agreement"),
            tags.style(HTML(REPORT_CSS)),
        ),
        tags.body(
            tags.h1("Agreement"),
            tags.p(
                f"Dataset: {view.dataset_name or DASH} · Created {when:%Y-%m-%d %H:%M} "
                "with MedStat",
                class_="meta",
            ),  # fmt: skip
            tags.h2("Summary"),
            av.key_numbers(view),
            tags.h2("Notes"),
            tags.ul(*[tags.li(w) for w in warnings]) if warnings else tags.p("None."),
            *(
                [ad.kappa_table(view), ad.crosstab_table(view)]
                if s.scale != "continuous"
                else [ad.icc_table(view), ad.limits_table(view), tags.h2("Bland–Altman plot"), plot]
            ),  # fmt: skip
        ),
        lang="en",
    )
    return "<!DOCTYPE html>\n" + str(doc)
