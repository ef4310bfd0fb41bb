"""Browser: the Propensity scores tab on the example data (MatchIt's lalonde): matching runs,
the balance table, love plot and overlap plot show, the remaining imbalance is warned about,
and 'Use the matched sample in every tab' makes Table 1 count the matched patients."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from analyses import propensity
from analyses.specs import PropensitySpec
from tests.e2e.helpers import choose, click_run_and_wait, open_tab, select_when_offered, upload

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "example_propensity.csv"
COVARIATES = ("age", "educ", "race", "married", "nodegree", "re74", "re75")
# Each result card is drawn after the status says "done": on a loaded host that can take
# longer than Playwright's default wait.
DRAWN_MS = 30_000


def expected():
    spec = PropensitySpec("treat", COVARIATES, ("race",), treated="1")
    return propensity.analyze(pd.read_csv(DATA), spec).summary


def test_matching_balance_warning_and_matched_sample_in_table1(page: Page):
    s = expected()
    upload(page, DATA)
    open_tab(page, "Propensity scores")
    select_when_offered(page, "propensity-treatment", "treat", "treat")
    for name in COVARIATES:
        choose(page, "propensity-covariates", name)
    click_run_and_wait(page, "propensity")

    status = page.locator("#propensity-status")
    expect(status).to_contain_text(
        f"{s.n_matched_treated} treated matched to {s.n_matched_control} controls"
    )
    balance = page.locator("#propensity-balance-table")
    expect(balance).to_be_visible(timeout=DRAWN_MS)
    expect(balance).to_contain_text("SMD")
    expect(balance.locator("tr", has_text="race: white")).to_have_count(1)
    expect(balance).to_contain_text("the SD of the treated group in the full sample")
    love = page.locator("#propensity-love-plot")
    expect(love.locator(".main-svg").first).to_be_visible(timeout=DRAWN_MS)
    expect(love).to_contain_text("After matching")
    expect(page.locator("#propensity-overlap .main-svg").first).to_be_visible(timeout=DRAWN_MS)
    assert s.n_imbalanced > 0  # lalonde keeps some imbalance at a 0.2 caliper
    expect(page.locator("#propensity-warnings-list")).to_contain_text(
        "Imbalance remains", timeout=DRAWN_MS
    )

    page.locator("#propensity-use_sample").click()
    n = s.n_matched_treated + s.n_matched_control
    # the upload's own notification may still be showing: this one by its words
    added = page.locator(".shiny-notification-message", has_text="added to the cleaning steps")
    expect(added).to_contain_text(f"every tab now uses {n} patients", timeout=DRAWN_MS)
    expect(page.locator("#propensity-stale")).to_contain_text("The data changed")

    open_tab(page, "Table 1")
    group = page.locator("#table1-group")
    expect(group.locator("option[value='treat']")).to_have_count(1, timeout=DRAWN_MS)
    group.select_option("treat")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=DRAWN_MS
    )
    click_run_and_wait(page, "table1")
    expect(page.locator("#table1-status")).to_contain_text(f"{n} patients, by treat")
    heads = page.locator("#table1-table thead tr").last
    expect(heads).to_contain_text(f"1 (N = {s.n_matched_treated})")


def test_weighting_gives_the_effect_with_its_method_named(page: Page):
    spec = PropensitySpec("treat", ("age", "married"), treated="1", method="weighting",
                          estimand="ATE", outcome="employed78", outcome_type="binary",
                          event="1")  # fmt: skip
    effect = propensity.analyze(pd.read_csv(DATA), spec).effects.iloc[0]
    upload(page, DATA)
    open_tab(page, "Propensity scores")
    select_when_offered(page, "propensity-treatment", "treat", "treat")
    for name in ("age", "married"):
        choose(page, "propensity-covariates", name)
    page.get_by_label("Weighting (inverse probability of treatment, IPTW)").check()
    select_when_offered(page, "propensity-outcome", "employed78", "employed78")
    click_run_and_wait(page, "propensity")
    table = page.locator("#propensity-effect-table")
    expect(table).to_be_visible(timeout=DRAWN_MS)
    expect(table.locator("tr", has_text="Odds ratio")).to_contain_text(f"{effect.estimate:.2f}")
    expect(table).to_contain_text("survey::svyglm")
    expect(page.locator("#propensity-sample-table")).to_contain_text("Effective sample size")
    expect(page.locator("#propensity-balance-table")).to_contain_text("pooled SD")

    # 'All numbers' holds the effect unrounded; the report has the tables and both plots.
    with page.expect_download(timeout=30_000) as info:
        page.locator("#propensity-download_long_csv").click()
    numbers = pd.read_csv(info.value.path(), encoding="utf-8-sig", low_memory=False)
    row = numbers[(numbers["table"] == "effect") & (numbers["measure"] == "Odds ratio")].iloc[0]
    assert float(row["estimate"]) == pytest.approx(effect.estimate, rel=1e-9)
    with page.expect_download(timeout=60_000) as info:
        page.locator("#propensity-download_html").click()
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert "propensity-love-plot" in report and "Covariate balance" in report
