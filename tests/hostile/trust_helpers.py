"""What the hostile trust tests (issue 17 cases 7-11) share: a dedicated app on loopback, pages
in Debian's chromium, and the check every attack ends with: the server is up, its log holds no
traceback, and another user is still served (opens the app and runs an analysis)."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psutil
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import AppProcess, running_app
from tests.e2e.helpers import run_outcome

TOKEN_KEY = "medstat-tab"  # where www/session_token.js keeps the tab's token


@contextlib.contextmanager
def app(tmp_path: Path, name: str = "server", **settings: str) -> Iterator[AppProcess]:
    """The app as `make run` starts it with these MEDSTAT_* settings; its log's end is printed
    when the test fails inside."""
    log_path = tmp_path / f"{name}.log"
    try:
        with running_app(log_path, **settings) as process:
            yield process
    except BaseException:
        if log_path.exists():
            print(log_path.read_text()[-6000:])
        raise


def open_page(browser: Browser, url: str, token: str | None = None) -> Page:
    """A page in a new browser context (another browser: its own cookies); `token` is put in
    its sessionStorage before the page's scripts run, as if it had been copied there."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    return open_in(context.new_page(), url, token)


def open_in(page: Page, url: str, token: str | None = None) -> Page:
    """Load the app in this page (its context's cookies), optionally with a planted token."""
    if token is not None:
        page.add_init_script(f"sessionStorage.setItem({TOKEN_KEY!r}, {token!r})")
    page.goto(url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    page.wait_for_function("() => window.Shiny && Shiny.shinyapp && Shiny.shinyapp.isConnected()")
    return page


def token_of(page: Page) -> str:
    """The token the server last gave this page (waits for it to be stored)."""
    page.wait_for_function(f"() => !!sessionStorage.getItem({TOKEN_KEY!r})", timeout=15_000)
    return page.evaluate(f"() => sessionStorage.getItem({TOKEN_KEY!r})")


def assert_up_and_serving(app: AppProcess, browser: Browser) -> None:
    """The process lives, /healthz answers, its log has no traceback, and a new user's outcome
    analysis of the example data runs to the end."""
    assert psutil.pid_exists(app.pid), "the app process is gone"
    with urllib.request.urlopen(app.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
    other = open_page(browser, app.url)
    try:
        expect(other.locator("#dataset-name")).to_contain_text("example", timeout=15_000)
        run_outcome(other)
    finally:
        other.context.close()
    assert "Traceback" not in app.log(), app.log()[-3000:]


def log_lines(app: AppProcess, text: str) -> list[str]:
    return [line for line in app.log().splitlines() if text in line]
