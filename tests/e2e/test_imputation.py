"""Multiple imputation end to end: set it up on the Data cleaning tab, see what is missing,
the pattern and the convergence plot; run the Outcome tab also on the imputed data and see the
pooled odds ratios with their FMI, equal to logic's for the same settings."""

from __future__ import annotations

import dataclasses
import os
import re

import pytest
from playwright.sync_api import expect

import logic
from modules.outcome.controls import suggested_covariates
from tests.e2e.helpers import EXAMPLE, click_run_and_wait, open_tab, run_outcome
from utils import data_io

pytestmark = pytest.mark.e2e
M = 5
SHOTS = os.environ.get("MEDSTAT_TEST_SHOTS")  # a folder for screenshots when set


def test_impute_then_pool_the_outcome_model(page):
    expect(page.locator("#dataset-shape")).to_contain_text("500 rows")
    # Before imputation the Outcome tab offers no such option.
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("#outcome-imputed")).to_have_count(0)

    open_tab(page, "Data cleaning")
    card = page.locator("#cleaning-imputation-m")
    expect(card).to_be_visible(timeout=30_000)
    card.fill(str(M))
    page.locator("#cleaning-imputation-run").click()
    status = page.locator("#imputation-status")
    expect(status).to_have_attribute("data-state", "done", timeout=120_000)

    missing = page.locator("#imputation-missing")
    expect(missing).to_contain_text("albumin")
    expect(missing).to_contain_text("43 (8.6%)")
    expect(missing).to_contain_text("predictive mean matching")
    expect(missing).to_contain_text("multinomial logistic regression")  # smoking
    expect(page.locator("#imputation-pattern")).to_contain_text("Variables missing")
    plot = page.locator("#imputation-convergence")
    expect(plot.locator(".main-svg").first).to_be_attached(timeout=15_000)
    expect(plot).to_contain_text("Convergence")
    expect(page.locator("#imputation-methods")).to_contain_text(f"m = {M} imputations")
    expect(page.locator("#cleaning-imputation-convergence_panel")).to_be_attached()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/cleaning.png", full_page=True)

    open_tab(page, "Outcome analysis")
    box = page.locator("#outcome-imputed")
    expect(box).to_be_visible(timeout=30_000)
    box.check()
    run_outcome(page)
    if SHOTS:
        page.locator("#outcome-pooled-table").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/outcome.png", full_page=True)

    table = page.locator("#outcome-pooled-table")
    expect(table).to_contain_text(f"m = {M} imputations", timeout=60_000)
    expect(table).to_contain_text("FMI")
    expect(table).to_contain_text("Complete cases OR")

    # The same numbers as logic gives for the same settings.
    dataset = data_io.read_table(EXAMPLE)
    covariates = suggested_covariates(dataset, "complication").selected
    variables = tuple(
        c for c in dataset.columns if dataset.meta(c).kind not in ("id", "text", "date")
    )
    settings = logic.imputation_spec(dataset, [v for v in variables if v != "patient_id"], m=M)
    spec = logic.outcome_spec(dataset, "complication", covariates)
    spec = dataclasses.replace(spec, imputation=settings)
    pooled = logic.run("outcome", dataset, spec).pooled.estimates
    for row in pooled[~pooled.is_reference].itertuples():
        expect(table).to_contain_text(f"{row.estimate:.2f}")
        expect(table).to_contain_text(f"{row.fmi:.2f}")

    # Table 1 on the same imputations: pooled means and percentages beside the observed.
    open_tab(page, "Table 1")
    table1_box = page.locator("#table1-imputed")
    expect(table1_box).to_be_visible(timeout=30_000)
    table1_box.check()
    click_run_and_wait(page, "table1")
    pooled_t1 = page.locator("#table1-pooled-table")
    expect(pooled_t1).to_contain_text(f"pooled over m = {M} imputations", timeout=60_000)
    expect(pooled_t1).to_contain_text("albumin, mean")
    expect(pooled_t1).to_contain_text("(n = 457)")  # albumin observed in 457 of 500

    # A reload finds the imputation (settings of the session, result from the cache) and the
    # pooled Outcome result again.
    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-pooled-table")).to_contain_text(
        f"m = {M} imputations", timeout=30_000
    )
    box = page.locator("#outcome-imputed")
    expect(box).to_be_checked(timeout=15_000)
    open_tab(page, "Data cleaning")
    expect(page.locator("#imputation-missing")).to_contain_text("43 (8.6%)", timeout=30_000)

    # Unticked, the result is the complete cases' alone again.
    open_tab(page, "Outcome analysis")
    box.uncheck()
    click_run_and_wait(page, "outcome")
    expect(page.locator("#outcome-pooled-table")).to_have_count(0, timeout=30_000)
    assert page.dialogs == []


def test_cancel_stops_the_imputation_and_changes_nothing(page):
    expect(page.locator("#dataset-shape")).to_contain_text("500 rows")
    open_tab(page, "Data cleaning")
    m = page.locator("#cleaning-imputation-m")
    expect(m).to_be_visible(timeout=30_000)
    m.fill("100")
    page.locator("#cleaning-imputation-iterations").fill("50")
    page.locator("#cleaning-imputation-run").click()
    status = page.locator("#imputation-status")
    expect(status).to_contain_text(re.compile(r"Imputation \d+ of 100"), timeout=60_000)
    page.locator("#cleaning-imputation-cancel").click()
    expect(status).to_contain_text("cancelled: nothing changed", timeout=30_000)
    expect(page.locator("#imputation-missing")).to_have_count(0)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    expect(page.locator("#outcome-imputed")).to_have_count(0)
