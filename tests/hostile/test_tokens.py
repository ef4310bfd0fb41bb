"""Issue 17 case 10: a reconnect token copied out of a page restores nothing, from another
browser, while its tab lives or after it closed; in its own browser it restores once and is
replaced, so a replay of a used token restores nothing either."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import EXAMPLE, open_tab, run_outcome, upload
from tests.hostile.trust_helpers import (
    app,
    assert_up_and_serving,
    log_lines,
    open_in,
    open_page,
    token_of,
)

pytestmark = pytest.mark.e2e
SECRET = "q10private"


def shows_own_work(page: Page, name: str) -> None:
    open_tab(page, "Data")
    expect(page.locator("#dataset-name")).to_contain_text(name, timeout=15_000)
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=15_000)


def starts_afresh(page: Page) -> None:
    expect(page.locator("#dataset-name")).to_have_text(EXAMPLE.name, timeout=15_000)
    assert SECRET not in page.content()


def test_a_copied_token_restores_nothing_and_a_reconnect_rotates(tmp_path: Path, browser: Browser):
    cohort = tmp_path / f"{SECRET}_cohort.csv"
    pd.read_csv(EXAMPLE).head(300).to_csv(cohort, index=False)
    with app(tmp_path) as server:
        owner = open_page(browser, server.url)
        upload(owner, cohort)
        run_outcome(owner)
        stolen = token_of(owner)

        # Another browser, while the tab lives: nothing.
        thief = open_page(browser, server.url, token=stolen)
        starts_afresh(thief)
        thief.context.close()

        # A dropped connection: the owner's page gets its work back and a new token.
        before = owner.evaluate("() => Shiny.shinyapp.config.sessionId")
        owner.evaluate("() => Shiny.shinyapp.$socket.close()")
        owner.wait_for_function(
            "old => Shiny.shinyapp.isConnected() && Shiny.shinyapp.config.sessionId !== old",
            arg=before,
            timeout=30_000,
        )
        shows_own_work(owner, cohort.name)
        owner.wait_for_function(
            "old => sessionStorage.getItem('medstat-tab') !== old", arg=stolen, timeout=15_000
        )
        rotated = token_of(owner)
        assert rotated != stolen

        # The used token, replayed in the owner's own browser: spent, nothing.
        replay = open_in(owner.context.new_page(), server.url, token=stolen)
        starts_afresh(replay)
        replay.close()

        # The tab closes; within its keep time its token, from another browser: nothing.
        owner.close()
        late = open_page(browser, server.url, token=rotated)
        starts_afresh(late)
        late.context.close()
        assert len(log_lines(server, "tab token restored nothing")) >= 3
        # The refusals spent nothing: the owner's browser reopens the tab once, as a reload.
        back = open_in(owner.context.new_page(), server.url, token=rotated)
        shows_own_work(back, cohort.name)
        again = open_in(owner.context.new_page(), server.url, token=rotated)
        starts_afresh(again)
        owner.context.close()

        assert_up_and_serving(server, browser)
