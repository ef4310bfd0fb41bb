"""Browser: a pick made in a control that the server is about to draw again is kept.

Choosing a covariate makes the server redraw the subgroup-exposure select (its choices
change). On a lagging server a user can pick an exposure in the old select before that redraw
arrives; the redraw carried the value the server knew (none), and the pick vanished. The
server's messages are held here, as a slow connection would hold them, to make the race
happen every time."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from tests.e2e.helpers import choose, open_tab, upload
from tests.e2e.test_survival import lung_file

pytestmark = pytest.mark.e2e
EXPOSURE = "#outcome-subgroup_exposure"
REDRAW = "outcome-subgroup_exposure_control"
REMOVE = "() => document.querySelector('#outcome-covariates').selectize.removeItem('{}')"


class HeldServer:
    """The page's websocket through a gate: while closed, the server's messages wait."""

    def __init__(self, page: Page):
        self.page = page
        self.closed = False
        self.held: list[str | bytes] = []
        self.route: WebSocketRoute | None = None
        page.route_web_socket(re.compile(r"/websocket/"), self._connect)

    def _connect(self, route: WebSocketRoute) -> None:
        server = route.connect_to_server()
        route.on_message(server.send)
        server.on_message(self._from_server)
        self.route = route

    def _from_server(self, message: str | bytes) -> None:
        if self.closed:
            self.held.append(message)
        elif self.route is not None:
            self.route.send(message)

    def wait_held(self, text: str, timeout_ms: float = 30_000) -> None:
        """Until a held message carries `text` (the server has answered while the gate is shut)."""
        waited = 0.0
        while not any(text in str(m) for m in self.held):
            assert waited < timeout_ms, f"no message with {text!r} from the server"
            self.page.wait_for_timeout(50)  # lets Playwright deliver the server's messages
            waited += 50

    def open(self) -> None:
        self.closed = False
        held, self.held = self.held, []
        for message in held:
            assert self.route is not None
            self.route.send(message)


@pytest.fixture
def gated(browser: Browser, app_url: str) -> Iterator[tuple[Page, HeldServer]]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    gate = HeldServer(page)
    page.goto(app_url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    yield page, gate
    context.close()


def test_a_pick_made_before_its_control_is_redrawn_survives(gated):
    page, gate = gated
    open_tab(page, "Outcome analysis")
    exposure = page.locator(EXPOSURE)
    expect(exposure.locator("option[value='crp']")).to_have_count(1, timeout=30_000)
    page.evaluate(REMOVE.format("crp"))
    expect(exposure.locator("option[value='crp']")).to_have_count(0, timeout=15_000)

    gate.closed = True
    choose(page, "outcome-covariates", "crp")  # the server redraws the exposure select...
    gate.wait_held(REDRAW)
    exposure.select_option("age")  # ...and the user picks in the old one meanwhile
    expect(exposure).to_have_value("age")
    gate.open()

    expect(exposure.locator("option[value='crp']")).to_have_count(1)  # the redraw landed
    expect(exposure).to_have_value("age")
    # The server has the pick too: the subgroup select it reveals is drawn.
    expect(page.locator("#outcome-subgroups + .selectize-control")).to_be_visible(timeout=15_000)


def test_a_pick_no_longer_offered_is_not_put_back(gated):
    """The redraw that takes the picked value out of the choices has the last word."""
    page, gate = gated
    open_tab(page, "Outcome analysis")
    exposure = page.locator(EXPOSURE)
    expect(exposure.locator("option[value='age']")).to_have_count(1, timeout=30_000)
    exposure.select_option("age")
    expect(page.locator("#outcome-subgroups + .selectize-control")).to_be_visible(timeout=15_000)
    gate.closed = True
    page.evaluate(REMOVE.format("age"))  # age leaves the covariates, so the exposure choices
    gate.wait_held(REDRAW)
    gate.open()
    expect(exposure.locator("option[value='age']")).to_have_count(0)
    expect(exposure).to_have_value("")
    expect(page.locator("#outcome-subgroups + .selectize-control")).to_have_count(0)


# A click the browser takes just after the redraw has been drawn: queued while the redraw's
# message was being handled (a browser takes a click before the page's own timers).
CLICK_AFTER_REDRAW = """([output, button]) => {
  window.jQuery(document.getElementById(output)).one('shiny:value', () => {
    window.setTimeout(() => document.getElementById(button).click(), 0);
  });
}"""


def test_run_pressed_as_the_redraw_lands_uses_the_pick(gated, tmp_path):
    """Choosing the group redraws the Cox covariates (the group leaves their choices); a
    covariate picked in the old select, and Run pressed as the redraw lands, is in the run."""
    page, gate = gated
    path = lung_file(tmp_path)
    upload(page, path)
    open_tab(page, "Survival")
    expect(page.locator("#survival-event_level")).to_have_value("2", timeout=30_000)
    items = page.locator("#survival-covariates + .selectize-control .item")

    gate.closed = True
    page.select_option("#survival-group", "sex")  # the server redraws the covariates...
    gate.wait_held("survival-covariates_control")
    box = page.locator("#survival-covariates + .selectize-control input")
    box.fill("age")  # ...and the user picks one in the old select meanwhile
    box.press("Enter")
    expect(items).to_have_text([re.compile(r"^age")])
    page.evaluate(CLICK_AFTER_REDRAW, ["survival-covariates_control", "survival-run"])
    gate.open()

    expect(page.locator("#survival-status [data-state=done]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#survival-table")).to_contain_text("df = 2")  # sex and age
    expect(items).to_have_text([re.compile(r"^age")])
    expect(page.locator("#survival-stale [data-state=stale]")).to_have_count(0)
