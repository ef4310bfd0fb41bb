"""Survival page builders: escaping of user strings, R-style cells, CSV neutralising, report."""

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import logic
from analyses.specs import SurvivalSpec
from analyses.survival import analyze
from modules.shared import status
from modules.shared.table_csv import SEMICOLON, localise, tables_csv
from modules.survival import figures as survival_figures
from modules.survival import report as survival_report
from modules.survival import tables as survival_tables
from modules.survival import view as sv
from tests.unit.modules.shared.docx_reading import assert_word_shows

DATA = Path(__file__).resolve().parents[3] / "data"
EVIL_GROUP = "<img src=x onerror=alert(1)>"
EVIL_LEVEL = '=HYPERLINK("http://x")'
EVIL_LABEL = "<b>Age</b>"


@pytest.fixture(scope="module")
def view() -> sv.SurvivalView:
    """R's aml data with a group level and a covariate that would run as markup or a formula."""
    df = pd.read_csv(DATA / "aml.csv")
    df["arm"] = df["x"].map({"Maintained": EVIL_GROUP, "Nonmaintained": EVIL_LEVEL})
    df["age"] = [50 + (i * 7) % 23 for i in range(len(df))]
    spec = SurvivalSpec(
        event="status", time="time", event_level="1", group="arm", covariates=("age",)
    )
    return sv.SurvivalView(
        result=analyze(df, spec),
        event_column="status",
        group="arm",
        time_label="Weeks <i>since</i> diagnosis",
        labels={"age": EVIL_LABEL, "arm": "Arm"},
        dataset_name="aml.csv",
    )


def test_median_cells_read_like_r_with_not_reached():
    assert sv.fmt_time(27.0) == "27" and sv.fmt_time(52.5) == "52.5"
    assert survival_tables.median_cell(31, 18, float("nan")) == "31 (18–NR)"
    assert survival_tables.median_cell(float("nan"), 100, float("nan")) == "NR (100–NR)"


def test_tables_escape_user_strings(view):
    for table in (
        survival_tables.medians_table(view),
        survival_tables.risk_table(view),
        survival_tables.hazard_table(view),
        survival_tables.ph_table(view),
    ):
        html = str(table)
        assert "<img" not in html and "<b>Age" not in html and "<i>since" not in html
    medians = str(survival_tables.medians_table(view))
    assert "&lt;img src=x onerror=alert(1)&gt;" in medians
    assert "31 (18–NR)" in medians  # R: Maintained median 31, 0.95LCL 18, UCL NA
    assert "Log-rank test: χ² = 3.40, df = 1, p = 0.065" in medians
    assert "&lt;b&gt;Age&lt;/b&gt;" in str(survival_tables.hazard_table(view))


def test_figures_escape_names_and_draw_every_group(view):
    km = survival_figures.km_figure(view)
    names = [t.name for t in km.data if t.name]
    assert any(n.startswith("&lt;img src=x") for n in names)
    assert not any("<img" in (a.text or "") for a in km.layout.annotations)
    assert sum(1 for t in km.data if t.line and t.line.shape == "hv" and t.name) == 2
    forest = survival_figures.forest_figure(view)
    assert any("&lt;b&gt;Age&lt;/b&gt;" in str(t) for t in forest.layout.yaxis.ticktext)


def test_csv_neutralises_formulas_and_keeps_numbers(view):
    text = survival_report.tables_csv(view)
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    frame = survival_tables.tidy_frame(view)
    medians = frame[frame["table"] == "median_survival"]
    assert sorted(medians["median"].tolist()) == [23.0, 31.0]
    assert set(frame["table"]) >= {"kaplan_meier", "logrank", "cox_univariable", "ph_test"}


def test_report_is_self_contained_and_escaped(view):
    html = survival_report.html_report(view)
    assert html.startswith("<!DOCTYPE html>")
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "plotly" in html.lower() and "survival-forest" in html


def test_boxes_show_no_raw_nan(view):
    html = str(sv.summary_boxes(view)).lower()
    assert "nan" not in html and "0.065" in html


def test_errors_become_sentences():
    message = "Choose the follow-up time."
    assert status.error_message(logic.AnalysisError(message)) == message
    hidden = status.error_message(RuntimeError("/srv/app secret path"))
    assert "secret" not in hidden and "unexpected error" in hidden


def test_word_and_csv_are_the_tables_on_the_page(view):
    docs = survival_tables.documents(view)
    assert [d.stem for d in docs] == [
        "survival_at_risk",
        "survival_medians",
        "survival_hazard_ratios",
        "survival_ph_check",
    ]
    assert_word_shows(docs)
    screen = [
        survival_tables.risk_frame(view),
        survival_tables.medians_frame(view),
        pd.DataFrame([r for r, _ in survival_tables.hazard_rows(view)]),
        survival_tables.ph_frame(view),
    ]
    for doc, frame in zip(docs, screen):
        assert list(doc.header) == list(frame.columns)
        assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    medians = view.result.medians
    first = survival_tables.median_cell(*medians.iloc[0][["median", "ci_low", "ci_high"]])
    assert docs[1].rows[0].cells[3] == first
    with zipfile.ZipFile(io.BytesIO(tables_csv(docs, SEMICOLON))) as archive:
        assert len(archive.namelist()) == 4
        back = pd.read_csv(io.BytesIO(archive.read("survival_medians.csv")), sep=";",
                           encoding="utf-8-sig", dtype=str, keep_default_na=False)  # fmt: skip
    assert back.iloc[:, 3].tolist() == [localise(r.cells[3], ",") for r in docs[1].rows]
