"""A tab whose worker is killed (SIGKILL: nothing is saved at the end) reconnects to another
worker and finds its data, its cleaning step and its last result, through the page's own
reconnect: two app processes on one redis-server, one origin in front (tests/e2e/switch_proxy.py,
as nginx is in the deployment). A data set over the store's bound is not kept: the page says to
upload it again, and the same file brings the step and the result back."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import running_app
from tests.e2e.helpers import EXAMPLE, open_tab, run_outcome, upload
from tests.e2e.switch_proxy import SwitchProxy
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.redis]

SECRET = "e2e-secret-of-at-least-32-characters"


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """The example's first 300 patients with sex written as codes (1 = Male, 2 = Female)."""
    df = pd.read_csv(EXAMPLE).head(300)
    df["sex"] = df["sex"].map({"Male": 1, "Female": 2})
    path = tmp_path / "coded.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def two_workers(tmp_path: Path, url: str, **settings: str):
    common = {"redis_url": url, "redis_secret": SECRET, "session_save_delay_s": "0.2"}
    a = running_app(tmp_path / "a.log", **common, **settings)
    b = running_app(tmp_path / "b.log", **common, **settings)
    return a, b


def session_id(page: Page) -> str:
    return page.evaluate("Shiny.shinyapp.config && Shiny.shinyapp.config.sessionId")


def add_value_labels(page: Page) -> None:
    """A cleaning step: sex's codes 1 and 2 labelled Male and Female."""
    card = page.locator("#data-values-editor")
    page.locator("#data-values-column").select_option("sex")
    expect(card.locator("#value-labels-table tbody tr")).to_have_count(2, timeout=15_000)
    card.locator("input").nth(0).fill("Male")
    card.locator("input").nth(1).fill("Female")
    page.locator("#data-values-apply").click()
    expect(page.locator("#value-labels-done")).to_contain_text("1 = Male, 2 = Female")


def wait_until_stored(url: str, parts: set[str], timeout_s: float = 30) -> None:
    """Until one tab's state in Redis holds these parts (written when they changed)."""
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        for key in client.scan_iter("medstat:tab:state:*"):
            if parts <= {f.decode() for f in client.hkeys(key)}:
                return
        time.sleep(0.05)
    raise AssertionError(f"the tab's {sorted(parts)} never reached Redis")


def kill_and_switch(page: Page, proxy: SwitchProxy, victim, survivor) -> None:
    """Kill the page's worker without warning; its reconnect reaches the other one. What the
    page shows is blanked first: all that shows afterwards was drawn by the other worker."""
    page.evaluate(
        """() => ['#table-multivariable', '#dataset-name', '#cleaning-history']
            .forEach(s => document.querySelectorAll(s).forEach(e => { e.innerHTML = ''; }))"""
    )
    old = session_id(page)
    proxy.target = int(survivor.url.rsplit(":", 1)[1])
    os.kill(victim.pid, signal.SIGKILL)
    page.wait_for_function(
        "old => Shiny.shinyapp.isConnected() && Shiny.shinyapp.config.sessionId !== old",
        arg=old,
        timeout=60_000,
    )


def page_on(browser: Browser, url: str) -> Page:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    return page


def test_a_killed_worker_s_tab_reconnects_to_another_with_its_work(
    browser: Browser, tmp_path: Path, redis_server: RedisServer, coded: Path
):
    a_app, b_app = two_workers(tmp_path, redis_server.url)
    with a_app as a, b_app as b:
        proxy = SwitchProxy(int(a.url.rsplit(":", 1)[1]))
        try:
            page = page_on(browser, proxy.url)
            upload(page, coded)
            add_value_labels(page)
            run_outcome(page)
            before = page.locator("#table-multivariable").inner_text()
            assert "age" in before
            wait_until_stored(redis_server.url, {"data", "cleaning_steps", "outcome"})

            kill_and_switch(page, proxy, a, b)

            open_tab(page, "Outcome analysis")
            # Outputs are drawn again when their tab is shown: on a loaded host that takes a while.
            done = page.locator("#outcome-status [data-state=done]")
            expect(done).to_have_count(1, timeout=30_000)
            expect(page.locator("#table-multivariable")).to_have_text(before, timeout=30_000)
            expect(page.locator("#outcome-stale [data-state=stale]")).to_have_count(0)
            open_tab(page, "Data")
            expect(page.locator("#dataset-name")).to_contain_text(coded.name, timeout=30_000)
            open_tab(page, "Data cleaning")
            steps = page.locator("#cleaning-history-list li")
            expect(steps).to_have_count(1, timeout=30_000)
            expect(steps.first).to_contain_text("sex: value labels 1 = Male, 2 = Female")
            assert "tab reconnected: restored" in b.log()
            page.context.close()
        finally:
            proxy.close()


def test_data_over_the_bound_is_asked_for_again_and_the_same_file_brings_the_work_back(
    browser: Browser, tmp_path: Path, redis_server: RedisServer, coded: Path
):
    a_app, b_app = two_workers(tmp_path, redis_server.url, session_store_max_mb="0.001")
    with a_app as a, b_app as b:
        proxy = SwitchProxy(int(a.url.rsplit(":", 1)[1]))
        try:
            page = page_on(browser, proxy.url)
            upload(page, coded)
            add_value_labels(page)
            run_outcome(page)
            before = page.locator("#table-multivariable").inner_text()
            wait_until_stored(redis_server.url, {"data", "cleaning_steps", "outcome"})

            kill_and_switch(page, proxy, a, b)

            open_tab(page, "Data")
            lost = page.locator("#data-lost")
            expect(lost).to_contain_text("could not be brought back", timeout=15_000)
            expect(lost).to_contain_text(f"('{coded.name}')")
            expect(lost).to_contain_text("larger than the 0.001 MB kept")
            expect(lost).to_contain_text("Upload the same file again")

            upload(page, coded)
            expect(lost).to_have_count(0, timeout=15_000)
            open_tab(page, "Data cleaning")
            expect(page.locator("#cleaning-history-list li")).to_have_count(1, timeout=30_000)
            open_tab(page, "Outcome analysis")
            expect(page.locator("#table-multivariable")).to_have_text(before, timeout=30_000)
            page.context.close()
        finally:
            proxy.close()
