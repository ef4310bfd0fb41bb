"""Cancel stops the computation itself, not only the wait; a browser tab runs a bounded number
of analyses at once (the others wait their turn and then run)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import psutil
import pytest
from playwright.sync_api import Browser, Page, expect

from bench.cancel import bench_frame
from tests.e2e.conftest import running_app
from tests.e2e.helpers import ensure_chosen, open_tab, upload

pytestmark = pytest.mark.e2e
# A Firth fit with profile CIs of the 37 suggested covariates: ~45 s on an idle 2-core host,
# minutes on a busy one; the test cancels it a few seconds in.
ROWS = 40_000
LABS = 15
COUNT_COVARIATES = ("age", "bmi", "sbp", "creatinine", "albumin", "hemoglobin", "crp",
                    "heart_rate", "wbc", "lactate", "stage", "asa", "smoking")  # fmt: skip


@pytest.fixture(scope="module")
def big_cohort(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("cancel") / "big_cohort.csv"
    frame = bench_frame(ROWS)
    rng = np.random.default_rng(7)
    for i in range(LABS):
        frame[f"lab{i + 1}"] = np.round(rng.normal(50, 10, ROWS), 1)
    frame.to_csv(path, index=False)
    return path


def wait_for_log(app, text: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while text not in app.log():
        assert time.monotonic() < deadline, f"{text!r} not in the server log:\n{app.log()[-3000:]}"
        time.sleep(0.2)


def cpu_seconds(pid: int, window: float) -> float:
    """CPU time the server process spends in the next `window` seconds."""
    proc = psutil.Process(pid)
    before = sum(proc.cpu_times()[:2])
    time.sleep(window)
    return sum(proc.cpu_times()[:2]) - before


def start_outcome_firth(page: Page) -> None:
    open_tab(page, "Outcome analysis")
    page.locator("#outcome-outcome").select_option("died")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("input[name='outcome-method'][value='firth']").check()
    page.locator("input[name='outcome-screen_mode'][value='all']").check()
    page.locator("#outcome-run").click()
    expect(page.locator("#outcome-status [data-state=running]")).to_be_visible(timeout=15_000)
    # Long work says where it is ("Crude model 3 of 37", "Multivariable model").
    expect(page.locator("#outcome-status")).to_contain_text(
        "Running the analysis: ", timeout=15_000
    )


def test_cancel_stops_the_fit_and_frees_the_tabs_turn(
    browser: Browser, tmp_path: Path, big_cohort: Path
):
    with running_app(tmp_path / "server.log", session_analyses="1") as app:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(app.url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        upload(page, big_cohort)
        start_outcome_firth(page)

        # With one analysis at a time for this tab, Table 1 waits for the outcome fit...
        open_tab(page, "Table 1")
        expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
            timeout=30_000
        )
        page.locator("#table1-run").click()
        expect(page.locator("#table1-status [data-state=waiting]")).to_be_visible(timeout=15_000)

        # ...until Cancel stops the fit itself: the worker thread leaves the Firth fit.
        open_tab(page, "Outcome analysis")
        page.locator("#outcome-cancel").click()
        expect(page.locator("#outcome-status [data-state=cancelled]")).to_be_visible()
        wait_for_log(app, "outcome cancelled after")

        open_tab(page, "Table 1")
        expect(page.locator("#table1-status [data-state=done]")).to_be_visible(timeout=120_000)
        # Nothing is left computing: the server is idle but for its timers.
        assert cpu_seconds(app.pid, 3.0) < 1.0
        assert "Traceback" not in app.log()


def test_cancel_stops_a_count_regression(browser: Browser, tmp_path: Path, big_cohort: Path):
    # A negative binomial model of 13 covariates on 40,000 patients: ~20 s on an idle host.
    with running_app(tmp_path / "server.log") as app:
        page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        page.goto(app.url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        upload(page, big_cohort)
        open_tab(page, "Regression")
        page.locator("#regression-outcome").select_option("visits")
        page.locator("input[name='regression-model'][value='negbin']").check()
        for name in COUNT_COVARIATES:
            ensure_chosen(page, "regression-covariates", name)
        page.locator("#regression-run").click()
        expect(page.locator("#regression-status")).to_contain_text("Crude model", timeout=30_000)
        page.locator("#regression-cancel").click()
        expect(page.locator("#regression-status [data-state=cancelled]")).to_be_visible()
        wait_for_log(app, "regression cancelled after")
        assert cpu_seconds(app.pid, 3.0) < 1.0
        assert "Traceback" not in app.log()
