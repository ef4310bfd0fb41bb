"""Issue 17 case 11: a list or a dict sent over the websocket where an input sends a string (and
values Shiny's typed handlers cannot take) no longer close the sender's session with a traceback
in the log: each is ignored with one log line, and the session goes on."""

from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import run_outcome
from tests.hostile.trust_helpers import app, assert_up_and_serving, chromium, log_lines, open_page

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


def test_wrong_input_types_are_ignored_with_one_line_each(tmp_path):
    started = time.monotonic()
    with chromium() as browser, app(tmp_path) as server:
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
