"""Every analysis tab: a result never outlives its settings silently, and controls keep choices.

These are the framework's promises (modules/shared/analysis_tab.py), checked in the real app
for each tab: change a setting after a run and the result is marked out of date with its
downloads off; put the setting back and it is current again; a data change marks it too;
choices survive re-drawn controls and a reload shows the settings of the restored result.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    EXAMPLE,
    choose,
    expect_fresh,
    expect_stale,
    open_tab,
    run_tab,
    upload,
)

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
LUNG = ROOT / "tests" / "data" / "lung.csv"


def keep_first(items, n: int) -> list[str]:
    """Remove selectize items from the end until n remain; their names, in order."""
    while items.count() > n:
        items.last.locator(".remove").click()
        expect(items).to_have_count(items.count(), timeout=5_000)
    return names(items)


def names(items) -> list[str]:
    return [text.replace("×", "").strip() for text in items.all_inner_texts()]


def radio(page: Page, name: str, value: str) -> None:
    page.locator(f"input[name='{name}'][value='{value}']").check()


def select(page: Page, select_id: str, value: str) -> None:
    control = page.locator(f"#{select_id}")
    control.wait_for(state="attached", timeout=20_000)
    control.select_option(value)


# tab id, tab name, set-up before the first run, a change of setting, and its undoing.
Step = Callable[[Page], None]
CASES: dict[str, tuple[str, Step, Step, Step]] = {
    "outcome": (
        "Outcome analysis",
        lambda p: expect(
            p.locator("#outcome-covariates + .selectize-control .item").first
        ).to_be_visible(timeout=30_000),
        lambda p: radio(p, "outcome-summary", "median"),
        lambda p: radio(p, "outcome-summary", "mean"),
    ),
    "table1": (
        "Table 1",
        lambda p: select(p, "table1-group", "sex"),
        lambda p: select(p, "table1-group", "smoking"),
        lambda p: select(p, "table1-group", "sex"),
    ),
    "diagnostic": (
        "Diagnostic accuracy",
        lambda p: choose(p, "diagnostic-markers", "crp"),
        lambda p: radio(p, "diagnostic-ci_method", "wilson"),
        lambda p: radio(p, "diagnostic-ci_method", "exact"),
    ),
    "correlation": (
        "Correlation",
        lambda p: expect(p.locator("#correlation-pair_y")).to_be_attached(timeout=20_000),
        lambda p: select(p, "correlation-pair_y", "crp"),
        lambda p: select(p, "correlation-pair_y", "bmi"),
    ),
    "regression": (
        "Regression",
        lambda p: (
            select(p, "regression-outcome", "albumin"),
            choose(p, "regression-covariates", "age"),
        ),
        lambda p: radio(p, "regression-screen_mode", "all"),
        lambda p: radio(p, "regression-screen_mode", "p"),
    ),
    "agreement": (
        "Agreement",
        lambda p: [choose(p, "agreement-raters", c) for c in ("albumin", "creatinine", "crp")],
        lambda p: select(p, "agreement-ba_second", "crp"),
        lambda p: select(p, "agreement-ba_second", "creatinine"),
    ),
    "propensity": (
        "Propensity scores",
        lambda p: (
            select(p, "propensity-treatment", "diabetes"),
            choose(p, "propensity-covariates", "age"),
            choose(p, "propensity-covariates", "bmi"),
        ),
        lambda p: radio(p, "propensity-replace", "with"),
        lambda p: radio(p, "propensity-replace", "without"),
    ),
}


@pytest.mark.parametrize("tab", list(CASES))
def test_changed_settings_mark_the_result_out_of_date(page: Page, tab: str):
    name, setup, change, undo = CASES[tab]
    open_tab(page, name)
    setup(page)
    run_tab(page, tab)
    change(page)
    expect_stale(page, tab)
    # The result is still there to compare, dimmed under the mark.
    expect(page.locator(f"#{tab}-results .card").first).to_be_visible()
    undo(page)
    expect_fresh(page, tab)


@pytest.mark.parametrize("tab", list(CASES))
def test_a_reload_shows_the_settings_of_the_restored_result(page: Page, tab: str):
    name, setup, change, _ = CASES[tab]
    open_tab(page, name)
    setup(page)
    change(page)  # a setting away from its default
    run_tab(page, tab)
    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, name)
    expect(page.locator(f"#{tab}-status [data-state=done]")).to_have_count(1, timeout=20_000)
    # Current, not out of date: every control stands where it stood when the result was made
    # (one control back at its default would change the spec and mark the result).
    expect_fresh(page, tab)


def test_survival_marks_and_restores_the_group_after_a_reload(page: Page):
    upload(page, LUNG)
    open_tab(page, "Survival")
    expect(page.locator("#survival-event")).to_have_value("status", timeout=20_000)
    select(page, "survival-group", "sex")
    run_tab(page, "survival")
    select(page, "survival-group", "")
    expect_stale(page, "survival")
    select(page, "survival-group", "sex")
    expect_fresh(page, "survival")

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Survival")
    # The controls show the settings of the restored result, which is current.
    expect(page.locator("#survival-group")).to_have_value("sex", timeout=20_000)
    expect(page.locator("#survival-status [data-state=done]")).to_have_count(1)
    expect_fresh(page, "survival")


def test_reload_restores_the_outcome_settings_with_the_result(page: Page):
    open_tab(page, "Outcome analysis")
    covariates = page.locator("#outcome-covariates + .selectize-control .item")
    expect(covariates.first).to_be_visible(timeout=30_000)
    chosen = keep_first(covariates, 2)
    radio(page, "outcome-screen_mode", "all")
    run_tab(page, "outcome")

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Outcome analysis")
    expect(covariates).to_have_count(2, timeout=20_000)
    assert names(covariates) == chosen
    expect(page.locator("input[name='outcome-screen_mode'][value='all']")).to_be_checked()
    expect_fresh(page, "outcome")


def test_a_data_change_marks_results_and_keeps_valid_choices(page: Page, tmp_path: Path):
    open_tab(page, "Table 1")
    select(page, "table1-group", "sex")
    variables = page.locator("#table1-variables + .selectize-control .item")
    expect(variables.first).to_be_visible(timeout=20_000)
    chosen = keep_first(variables, 3)
    run_tab(page, "table1")

    # The same study with fewer patients: a new file, the same columns.
    path = tmp_path / "cohort_v2.csv"
    pd.read_csv(EXAMPLE).head(300).to_csv(path, index=False)
    upload(page, path)
    open_tab(page, "Table 1")
    expect_stale(page, "table1", "The data changed")
    expect(page.locator("#table1-group")).to_have_value("sex")
    assert names(variables) == chosen


def test_switching_the_table1_group_never_drops_a_variable(page: Page):
    open_tab(page, "Table 1")
    variables = page.locator("#table1-variables + .selectize-control .item")
    expect(variables.first).to_be_visible(timeout=20_000)
    before = names(variables)
    assert "sex" in before
    for group in ("sex", "smoking", ""):
        select(page, "table1-group", group)
        page.wait_for_timeout(500)  # let the server answer the change
        assert names(variables) == before
