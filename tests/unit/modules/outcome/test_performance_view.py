"""The calibration card, its figures, CSV and report section, built from a real analysis."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

import logic
from analyses import outcome as outcome_analysis
from modules.outcome import performance_docs as pdocs
from modules.outcome import performance_figures as pf
from modules.outcome import performance_view as pv
from modules.outcome import report
from modules.outcome import view as outcome_view
from modules.outcome.tab import TAB as OUTCOME
from modules.shared.table_csv import COMMA, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows
from utils.data_io import dataset_from_frame

EXAMPLE = Path(__file__).resolve().parents[4] / "data" / "example_clinical.csv"


def make(**options):
    df = pd.read_csv(EXAMPLE).head(300)
    ds = dataset_from_frame(df.rename(columns={"age": "<b>age</b>"}), name="cohort.csv")
    spec = logic.outcome_spec(ds, "complication", ["<b>age</b>", "sex", "crp"], **options)
    return outcome_view.make_view(outcome_analysis.analyze(ds.df, spec), ds, spec)


@pytest.fixture(scope="module")
def calibrated():
    return make(calibration=True)


@pytest.fixture(scope="module")
def validated():
    return make(calibration=True, bootstrap=20, seed=3)


def _blocks(view) -> str:
    """The calibration plot's and decision curve's cards, as the framework draws them."""
    cards = (pv.CALIBRATION_CARD, pv.DECISION_CARD)
    return "".join(str(c.build(view, c.figure.build(view))) for c in cards)


def test_no_card_without_calibration():
    view = make()
    assert pv.performance_card(view) is None
    assert pv.CALIBRATION_CARD.figure.build(view) is None
    assert pv.DECISION_CARD.figure.build(view) is None
    assert _blocks(view) == "NoneNone"  # nothing is drawn, so no download panel either
    assert pdocs.performance_docs(view) == ()
    assert "Not computed" in report.performance_csv(make())


def test_the_card_shows_the_measures_and_both_figures(calibrated):
    html = str(pv.performance_card(calibrated))
    m = calibrated.result.performance.fit
    assert f"{m.brier:.3f}" in html and "Calibration slope" in html
    assert "apparent" in html and "table-validation" not in html
    figures = _blocks(calibrated)
    assert 'id="calibration-plot"' in figures and 'id="decision-curve"' in figures


def test_bootstrap_adds_the_validation_table_with_its_seed(validated):
    html = str(pv.performance_card(validated))
    assert 'id="table-validation"' in html and "seed 3" in html
    assert "Optimism-corrected C" in html
    frame = pdocs.validation_frame(validated)
    assert list(frame["Measure"])[0] == "C statistic (AUC)"


def test_the_calibration_plot_has_ideal_line_smoother_groups_and_histogram(calibrated):
    fig = pf.calibration_plot(calibrated)
    names = [t.name for t in fig.data]
    assert names == [
        "Ideal (observed = predicted)",
        "Smoothed (lowess)",
        "Tenths of predicted risk (95% CI)",
        "Patients with the event",
        "Patients without the event",
    ]
    groups = calibrated.result.performance.groups
    assert list(fig.data[2].y) == list(groups["observed"])
    assert sum(fig.data[3].y) - sum(fig.data[4].y) == calibrated.result.fit.n_used


def test_the_decision_curve_shows_the_chosen_range_only(calibrated):
    fig = pf.decision_curve(replace(calibrated, dca_range=(5.0, 30.0)))
    assert [t.name for t in fig.data] == ["Model", "Treat all", "Treat none"]
    xs = list(fig.data[0].x)
    assert xs[0] == pytest.approx(0.05) and xs[-1] == pytest.approx(0.30) and len(xs) == 26


@pytest.mark.parametrize("bad", [(50.0, 10.0), (0.0, 50.0), (None, 40.0), (10.0, 100.0)])
def test_a_range_that_cannot_be_used_falls_back_with_a_note(calibrated, bad):
    low, high, note = pf.threshold_range(replace(calibrated, dca_range=bad))
    assert (low, high) == (0.01, 0.5) and note
    assert 'id="dca_note"' in _blocks(replace(calibrated, dca_range=bad))


def test_user_strings_are_escaped_in_figures_and_the_report(calibrated):
    view = replace(calibrated, labels={"complication": "<script>x</script>"})
    assert "<script>x" not in pf.calibration_plot(view).layout.title.text
    assert "<script>x" not in pf.decision_curve(view).layout.title.text
    assert "&lt;script&gt;" in pf.decision_curve(view).layout.title.text


def test_the_csv_and_report_carry_the_performance(validated):
    text = report.performance_csv(validated)
    for part in ("measures", "bootstrap_validation", "risk_groups", "decision_curve"):
        assert part in text
    html = report.html_report(validated)
    assert "Calibration and clinical usefulness" in html and "decision-curve" in html


def test_a_figure_that_rounds_to_zero_shows_no_minus_sign(validated):
    frame = pdocs.validation_frame(validated)
    assert not frame.map(lambda cell: cell.startswith("-0.000")).any().any()
    assert "The bootstrap table below corrects them" in str(pv.performance_card(validated))
    assert pdocs.rounded(-4e-17) == "0.000" and pdocs.rounded(-0.0004, 3) == "0.000"
    assert pdocs.rounded(-0.0006, 3) == "-0.001"


def test_figure_files_are_named_for_the_outcome(calibrated):
    assert pv.CALIBRATION_CARD.figure.stem(calibrated) == ("calibration", "complication")
    assert pv.DECISION_CARD.figure.stem(calibrated) == ("decision_curve", "complication")


def test_word_and_csv_hold_the_calibration_tables_as_shown(validated):
    """The measures and the bootstrap validation follow the tab's own tables in its Word file
    and CSV zip, every cell as the page shows it."""
    docs = OUTCOME.tables(validated)
    stems = [d.stem for d in docs]
    assert stems[-2:] == ["outcome_calibration", "outcome_bootstrap_validation"]
    measures, validation = docs[-2:]
    assert_word_shows([measures, validation])
    frame = pdocs.validation_frame(validated)
    assert list(validation.header) == list(frame.columns)
    assert [list(r.cells) for r in validation.rows] == frame.values.tolist()
    corrected = validated.result.performance.validation.set_index("measure")["corrected"]
    (c_row,) = [r for r in validation.rows if r.cells[0] == "C statistic (AUC)"]
    assert c_row.cells[-1] == f"{corrected['c_statistic']:.3f}"
    m = validated.result.performance.fit
    cells = {r.cells[0]: r.cells[1:] for r in measures.rows}
    assert cells["Brier score"] == (f"{m.brier:.3f}", "")
    assert cells["Calibration slope"] == (
        f"{m.slope:.2f}",
        f"{m.slope_ci_low:.2f} to {m.slope_ci_high:.2f}",
    )
    # The boxes on the page show the same rounding.
    boxes = str(pv.measure_boxes(validated))
    assert cells["Brier score"][0] in boxes and cells["Calibration slope"][1] in boxes
    with zipfile.ZipFile(io.BytesIO(tables_csv(docs, COMMA))) as archive:
        back = pd.read_csv(io.BytesIO(archive.read("outcome_bootstrap_validation.csv")),
                           encoding="utf-8-sig", dtype=str, keep_default_na=False)  # fmt: skip
    assert back.values.tolist() == frame.values.tolist()
    assert list(back.columns) == list(frame.columns)


def test_without_calibration_the_tab_has_only_its_own_tables():
    assert [d.stem for d in OUTCOME.tables(make())] == [
        "outcome_crude_adjusted",
        "outcome_adjusted",
    ]
