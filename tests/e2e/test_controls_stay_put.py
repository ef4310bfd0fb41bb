"""Browser: a control the user has scrolled to stays where it is while a run's results draw.

The results beside the sidebar grow as their tables and figures arrive; the browser's scroll
anchoring kept a result card still by scrolling the whole page, up to 2,000 px, so the sidebar
control under the user's pointer moved away and a click made then landed on another control
(a hostile test's click on a Summary radio was lost this way)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.helpers import run_outcome

RADIO = "input[name='outcome-summary'][value='median']"
# Every output has drawn (no "recalculating" left) and every plotly figure has its SVG.
RESULTS = "#outcome-results"
ALL_DRAWN = f"""() => !document.querySelector('{RESULTS} .recalculating')
  && [...document.querySelectorAll('{RESULTS} .js-plotly-plot, {RESULTS} .plotly-graph-div')]
       .every(p => p.querySelector('.main-svg'))
  && document.querySelectorAll('{RESULTS} .main-svg').length > 0"""


def _where(page: Page) -> tuple[float, float]:
    return page.evaluate(
        f"() => [window.scrollY, document.querySelector({RADIO!r}).getBoundingClientRect().y]"
    )


def test_a_sidebar_control_does_not_move_while_results_draw(page: Page):
    # The user presses Run and, as soon as the run is done, scrolls down the sidebar to the
    # Summary radio while the results (tables, figures, their download panels) are drawn.
    run_outcome(page)
    page.locator(RADIO).scroll_into_view_if_needed()
    before = _where(page)
    assert before[0] > 0, "the radio should be below the first screen for this test to mean much"
    page.wait_for_function(ALL_DRAWN, timeout=30_000)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert _where(page) == before
    page.locator(RADIO).check()
    expect(page.locator(RADIO)).to_be_checked()
