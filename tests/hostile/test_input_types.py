"""Issue 17 case 11: a list or a dict sent over the websocket where an input sends a string (and
values Shiny's typed handlers cannot take) no longer close the sender's session with a traceback
in the log: each is ignored with one log line, and the session goes on. The same for the cards
that prepare variables (issue 12 part 3): new variables, row filters and value labels."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import AppProcess
from tests.e2e.helpers import open_tab, run_outcome
from tests.hostile.trust_helpers import app, assert_up_and_serving, log_lines, open_page

pytestmark = pytest.mark.e2e

# input id (as sent) -> a value of the wrong type; every one is read by the server at once.
WRONG = {
    "outcome-outcome": ["complication", "age"],  # a select of one sends a string
    "outcome-covariates": {"age": True},  # a selectize of several sends a list of strings
    "outcome-screen_p": {"p": 0.2},  # a numeric box sends a number
    "data-upload": "/etc/passwd",  # a file input holds the uploads' descriptions
    "outcome-cancel:shiny.action": {"clicks": 1},  # Shiny's handler raised TypeError here
    "a:b:c": "x",  # Shiny raised ValueError on a second colon
}


def test_wrong_input_types_are_ignored_with_one_line_each(tmp_path, browser: Browser):
    started = time.monotonic()
    with app(tmp_path) as server:
        page = open_page(browser, server.url)
        session = page.evaluate("() => Shiny.shinyapp.config.sessionId")
        message = json.dumps({"method": "update", "data": WRONG})
        page.evaluate("m => Shiny.shinyapp.$socket.send(m)", message)
        # Read many times (every control resolves on each change): still one line per value.
        page.evaluate("m => Shiny.shinyapp.$socket.send(m)", message.replace("age", "sex"))

        run_outcome(page)  # the same session goes on, with the page's own values
        assert page.evaluate("() => Shiny.shinyapp.config.sessionId") == session
        expect(page.locator("#outcome-status")).to_contain_text("complication")
        for input_id in ("outcome-outcome", "outcome-covariates", "outcome-screen_p"):
            lines = log_lines(server, f"input {input_id} ignored")
            assert len(lines) == 2, (input_id, lines)  # one per message sent, not per read
        assert len(log_lines(server, "input data-upload ignored")) == 2
        assert len(log_lines(server, "input outcome-cancel:shiny.action ignored: TypeError")) == 2
        assert len(log_lines(server, "input a:b:c ignored: ValueError")) == 2
        assert "/etc/passwd" not in server.log()  # the line names the type, never the value
        assert_up_and_serving(server, browser)
        page.context.close()
    assert time.monotonic() - started < 180


# One input of each card that prepares variables; each is read as soon as it changes.
WRONG_IN_PREP = {
    "cleaning-derive-cutoffs": ["secret-40", "65"],  # a text box sends a string
    "cleaning-derive-how": {"secret-how": 1},  # a select of one sends a string
    "cleaning-filters-column": ["secret-age"],
    "data-values-column": {"secret-sex": True},
}


def send(page: Page, data: dict) -> None:
    page.evaluate(
        "m => Shiny.shinyapp.$socket.send(m)", json.dumps({"method": "update", "data": data})
    )


def expect_one_line(server: AppProcess, input_id: str, timeout: float = 15) -> None:
    """Wait until the server has logged the value as ignored; then it must be one line."""
    deadline = time.monotonic() + timeout
    while not log_lines(server, f"input {input_id} ignored") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(log_lines(server, f"input {input_id} ignored")) == 1, server.log()[-3000:]


def test_wrong_input_types_in_the_prep_cards_are_ignored_and_the_cards_go_on(
    tmp_path, browser: Browser
):
    started = time.monotonic()
    with app(tmp_path) as server:
        page = open_page(browser, server.url)
        session = page.evaluate("() => Shiny.shinyapp.config.sessionId")
        open_tab(page, "Data cleaning")  # the cards' outputs render (and read) while shown
        expect(page.locator("#cleaning-derive-cutoffs")).to_be_visible(timeout=15_000)

        send(page, WRONG_IN_PREP)
        for input_id in WRONG_IN_PREP:
            expect_one_line(server, input_id)
        # The kind of new variable as a list: the card draws no options, and no KeyError.
        send(page, {"cleaning-derive-what": ["cut", "formula"]})
        expect_one_line(server, "cleaning-derive-what")
        expect(page.locator("#cleaning-derive-column")).to_have_count(0, timeout=10_000)

        # The same session goes on: each card answers the page's own values again.
        page.locator("#cleaning-derive-what input[value=transform]").check()
        expect(page.locator("#cleaning-derive-how")).to_be_visible(timeout=10_000)
        page.locator("#cleaning-derive-what input[value=cut]").check()
        page.locator("#cleaning-derive-cutoffs").fill("40, 65")
        expect(page.locator("#derive-counts tbody tr")).to_have_count(3, timeout=10_000)
        page.locator("#cleaning-filters-column").select_option("crp")
        page.locator("#cleaning-filters-op").select_option("known")
        expect(page.locator("#filter-preview")).to_contain_text("remain", timeout=10_000)
        open_tab(page, "Data")
        page.locator("#data-values-column").select_option("smoking")
        expect(page.locator("#value-labels-table code")).to_have_text(
            ["Current", "Former", "Never"], timeout=15_000
        )
        assert page.evaluate("() => Shiny.shinyapp.config.sessionId") == session
        for input_id in [*WRONG_IN_PREP, "cleaning-derive-what"]:
            assert len(log_lines(server, f"input {input_id} ignored")) == 1, input_id
        assert "secret-" not in server.log()  # the lines name the type, never the value
        assert_up_and_serving(server, browser)
        page.context.close()
    assert time.monotonic() - started < 180
