"""Calibration, decision curve and bootstrap validation of the outcome model in a real browser:
the plots appear with the right numbers, the threshold range redraws without a run, a
bootstrap run shows its progress and stops on Cancel (the last result stays), then runs to
the end with its seed shown."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

import logic
from modules.outcome.controls import suggested_covariates
from tests.e2e.helpers import EXAMPLE, click_run_and_wait, expect_fresh, open_tab, upload
from tests.e2e.hostile import download
from utils import data_io

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The example cohort resampled to 6,000 patients: each bootstrap sample takes long enough
    (~10 ms) that 2,000 of them are still running when Cancel is pressed, even on a fast host."""
    path = tmp_path_factory.mktemp("calibration") / "cohort_6000.csv"
    pd.read_csv(EXAMPLE).sample(6000, replace=True, random_state=2).to_csv(path, index=False)
    return path


def test_calibration_decision_curve_and_a_cancelled_then_finished_bootstrap(page, cohort):
    upload(page, cohort)
    expect(page.locator("#dataset-shape")).to_contain_text("6,000 rows")
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("#outcome-calibration").check()
    click_run_and_wait(page, "outcome", timeout=90_000)

    dataset = data_io.read_table(cohort)
    covariates = suggested_covariates(dataset, "complication").selected
    reference = logic.analyze_outcome(dataset, "complication", covariates, calibration=True)
    fit = reference.performance.fit
    expect(page.locator("#outcome-cal_brier")).to_contain_text(f"{fit.brier:.3f}")
    expect(page.locator("#outcome-cal_slope")).to_contain_text(f"{fit.slope:.2f}")
    for plot in ("#calibration-plot", "#decision-curve"):
        expect(page.locator(f"{plot} .main-svg").first).to_be_attached(timeout=15_000)
    calibration = page.locator("#calibration-plot")
    expect(calibration).to_contain_text("Smoothed (lowess)")
    expect(calibration).to_contain_text("Tenths of predicted risk")
    expect(page.locator("#decision-curve")).to_contain_text("Treat all")

    # The threshold range is a display option: the curve redraws, the result stays current.
    page.locator("#outcome-dca_high").fill("30")
    page.locator("#outcome-dca_high").press("Tab")
    expect(page.locator("#decision-curve .xtick", has_text="30%")).to_have_count(1)
    expect(page.locator("#decision-curve .xtick", has_text="40%")).to_have_count(0)
    expect_fresh(page, "outcome")

    # A long bootstrap: its progress in words, then Cancel; the last result stays on screen.
    page.locator("#outcome-bootstrap").check()
    page.locator("#outcome-samples").fill("2000")
    page.locator("#outcome-samples").press("Tab")
    expect(page.locator("#outcome-stale [data-state=stale]")).to_be_visible(timeout=15_000)
    page.locator("#outcome-run").click()
    status = page.locator("#outcome-status")
    expect(status).to_contain_text(re.compile(r"Bootstrap \d+ of 2000"), timeout=60_000)
    page.locator("#outcome-cancel").click()
    expect(page.locator("#outcome-status [data-state=cancelled]")).to_be_visible(timeout=30_000)
    expect(page.locator("#calibration-plot .main-svg").first).to_be_attached()
    expect(page.locator("#table-validation")).to_have_count(0)

    # Fewer samples, run to the end: the validation table with its samples and seed.
    page.locator("#outcome-samples").fill("50")
    page.locator("#outcome-samples").press("Tab")
    click_run_and_wait(page, "outcome", timeout=120_000)
    table = page.locator("#table-validation")
    expect(table).to_contain_text("50 bootstrap samples")
    expect(table).to_contain_text("repeats the screening")
    expect(table).to_contain_text("seed 2026")
    expect(table).to_contain_text("Optimism")
    expect(page.locator("#outcome-cal_corrected")).to_be_visible()
    expect_fresh(page, "outcome")

    # The downloads carry it: the calibration CSV and the report's section with both figures.
    text = download(page, "outcome-download_performance").read_text()
    for part in ("measures", "bootstrap_validation", "risk_groups", "decision_curve"):
        assert part in text
    report = download(page, "outcome-download_html").read_text()
    assert "Calibration and clinical usefulness" in report and 'id="decision-curve"' in report

    # A reload restores the result and the settings that made it (bootstrap, samples, seed,
    # the threshold range): current, not out of date.
    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=30_000)
    expect_fresh(page, "outcome")
    expect(page.locator("#table-validation")).to_contain_text("50 bootstrap samples")
    expect(page.locator("#outcome-samples")).to_have_value("50")
    expect(page.locator("#decision-curve .xtick", has_text="40%")).to_have_count(0)
