"""The team shape in a browser, through nginx, with two workers and Redis (`make team`'s
code): the browser cookie is set with the first page, a result computed on one worker is a hit
on the other, a session keeps its worker, an upload nginx refuses shows the app's sentence, and a
killed worker's page reconnects to the other and finds its data and last result."""

from __future__ import annotations

import secrets
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Browser, expect

from deploy.nginx_conf import too_large_sentence
from deploy.team import Team
from tests.deploy.conftest import (
    UPLOAD_MB,
    cookie_for,
    page_on,
    route,
    tabs_saved_with,
    upstreams,
    wait_saved,
    worker_of,
)
from tests.deploy.test_supervisor import wait_until
from tests.e2e.helpers import (
    EXAMPLE,
    cache_counts,
    expect_counts,
    open_admin_details,
    open_tab,
    run_outcome,
    upload,
)

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
SHARED_ROW = "Results found in the shared cache"


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    """The example's first 400 patients in an order of this test's own: a file no worker has
    seen (its fingerprint is new), so the first analysis of it is computed."""
    path = tmp_path / "team_cohort.csv"
    frame = pd.read_csv(EXAMPLE).head(400)
    frame.sample(frac=1, random_state=int(time.time_ns() % 2**31)).to_csv(path, index=False)
    return path


def browser_cookie(context) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "medstat_browser")


def shared_hits(page) -> int:
    open_admin_details(page)
    cell = page.locator("#stats-admin-cache tr", has_text=SHARED_ROW).locator("td").nth(1)
    expect(cell).to_have_text(__import__("re").compile(r"^\d+$"), timeout=15_000)
    return int(cell.inner_text())


def test_the_first_page_through_nginx_sets_the_browser_cookie(team: Team):
    with urllib.request.urlopen(team.url, timeout=30) as response:  # noqa: S310 (loopback)
        cookies = response.headers.get_all("Set-Cookie") or []
    assert any(c.startswith("medstat_browser=") and "HttpOnly" in c for c in cookies)


def test_a_result_computed_on_one_worker_is_a_cache_hit_on_the_other(
    browser: Browser, team: Team, cohort: Path
):
    first, second = team.workers
    context_a, a = page_on(browser, team, cookie_for(team, first))
    context_b, b = page_on(browser, team, cookie_for(team, second))
    try:
        upload(a, cohort)
        upload(b, cohort)
        run_outcome(a)
        computed = a.locator("#table-multivariable").inner_text()
        hits, misses = cache_counts(b)
        from_redis = shared_hits(b)
        run_outcome(b)
        expect(b.locator("#table-multivariable")).to_have_text(computed)
        expect_counts(b, hits + 1, misses)  # a hit on the second worker, nothing computed
        assert shared_hits(b) == from_redis + 1  # ... found in the shared tier
    finally:
        context_a.close()
        context_b.close()


def test_a_browser_session_keeps_one_worker(browser: Browser, team: Team, cohort: Path):
    log = team.folder / "access.log"
    context, page = page_on(browser, team)  # a new browser: the first page sets its cookie
    try:
        upload(page, cohort)
        run_outcome(page)
        worker = worker_of(team, browser_cookie(context))
    finally:
        context.close()  # nginx logs a websocket when it closes

    def session_lines() -> list[str]:
        lines = [line for line in log.read_text().splitlines() if context.agent in line]
        return [line for line in lines if "/websocket/" in line or "/upload/" in line]

    deadline = time.monotonic() + 15
    while not any("/websocket/" in line for line in session_lines()):
        assert time.monotonic() < deadline, "nginx logged no websocket"
        time.sleep(0.1)
    lines = session_lines()
    assert any("/upload/" in line for line in lines)
    assert {address for line in lines for address in upstreams(line)} == {worker.address}


def test_an_upload_nginx_refuses_shows_the_app_s_sentence(
    browser: Browser, team: Team, tmp_path: Path
):
    """Over the limit (1 MB), nginx answers from the declared length, with the app's sentence;
    the page shows it under the file input, as the app's own, and the data in use stays."""
    far = tmp_path / "far_too_big.csv"
    far.write_text("age,outcome\n" + "61,1\n" * 700_000)  # 3.3 MB
    near = tmp_path / "a_bit_too_big.csv"
    near.write_text("age,outcome\n" + "61,1\n" * 220_000)  # 1.05 MB
    context, page = page_on(browser, team)
    try:
        bar = page.locator("#data-upload_progress")
        for path in (far, near):
            page.set_input_files("#data-upload", str(path))
            expect(bar).to_contain_text(too_large_sentence(UPLOAD_MB), timeout=30_000)
            expect(page.locator("#dataset-name")).to_have_text(EXAMPLE.name)
            # The next refusal must write its own sentence: clear the bar's text, not its parts.
            bar.locator(".progress-bar").evaluate("b => b.textContent = ''")
        assert "nginx" not in page.content()
    finally:
        context.close()
    refused = [line for line in log_lines(team) if "/upload/" in line and '" 413 ' in line]
    assert len(refused) == 2 and all('upstream="-"' in line for line in refused)  # by nginx


def log_lines(team: Team) -> list[str]:
    return (team.folder / "access.log").read_text().splitlines()


def test_killing_the_session_s_worker_reconnects_to_the_other_with_data_and_result(
    browser: Browser, team: Team, cohort: Path
):
    context, page = page_on(browser, team)
    try:
        saved = tabs_saved_with(team, "outcome")
        upload(page, cohort)
        run_outcome(page)
        wait_saved(team, "outcome", saved)  # the result is in Redis before the worker dies
        table = page.locator("#table-multivariable")
        before = table.inner_text()
        worker = worker_of(team, browser_cookie(context))
        output_of = "e => e.closest('.shiny-bound-output').id"
        table_output = table.evaluate(output_of)
        data_output = page.locator("#dataset-name").evaluate(output_of)
        old = page.evaluate("Shiny.shinyapp.config.sessionId")
        # Which outputs each session sent: the page keeps showing the old values until the
        # new session sends its own, so only a value the new session sent counts.
        page.evaluate(
            """() => { window.sentBy = [];
            $(document).on('shiny:value', e =>
                window.sentBy.push([Shiny.shinyapp.config.sessionId, e.name])); }"""
        )

        worker.proc.send_signal(signal.SIGKILL)  # the worker dies mid-session
        sent_by_new = """([old, name]) => window.sentBy.some(
            ([session, output]) => session !== old && output === name)"""
        # A hidden tab's outputs are sent when it is shown: the table's tab is the one shown.
        page.wait_for_function(sent_by_new, arg=[old, table_output], timeout=60_000)
        expect(page.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=20_000)
        expect(table).to_have_text(before)
        open_tab(page, "Data")
        page.wait_for_function(sent_by_new, arg=[old, data_output], timeout=30_000)
        expect(page.locator("#dataset-name")).to_contain_text(cohort.name, timeout=1_000)
        other = next(w for w in team.workers if w is not worker)
        assert "tab reconnected: restored" in other.log_path.read_text()
        assert page.dialogs == []  # type: ignore[attr-defined]
    finally:
        context.close()


def test_a_tab_moved_to_another_worker_uploads_and_downloads_after_its_worker_returns(
    browser: Browser, team: Team, cohort: Path, tmp_path: Path
):
    """After its worker died the tab lives on the other one, but the browser's cookie sends its
    requests back to the first once that one is restarted: nginx tries the next worker when
    the returned one does not know the session (404), and the tab's upload and download work."""
    context, page = page_on(browser, team)
    try:
        saved = tabs_saved_with(team, "outcome")
        upload(page, cohort)
        run_outcome(page)
        wait_saved(team, "outcome", saved)  # the result is in Redis before the worker dies
        cookie = browser_cookie(context)
        victim = worker_of(team, cookie)
        other = next(w for w in team.workers if w is not victim)
        restored = other.log_path.read_text().count("tab reconnected: restored")
        old_pid, old = victim.proc.pid, page.evaluate("Shiny.shinyapp.config.sessionId")

        victim.proc.send_signal(signal.SIGKILL)
        page.wait_for_function(
            "old => Shiny.shinyapp.isConnected() && Shiny.shinyapp.config.sessionId !== old",
            arg=old,
            timeout=60_000,
        )
        wait_until(
            lambda: other.log_path.read_text().count("tab reconnected: restored") > restored,
            30,
            "the tab restored on the other worker",
        )
        # The supervisor restarts the dead worker and puts it back; the cookie leads to it again.
        wait_until(lambda: victim.proc.pid != old_pid and not victim.down, 90, "worker back")
        wait_until(lambda: route(team, cookie) == victim.address, 15, "routed back")
        assert page.evaluate("Shiny.shinyapp.isConnected()")  # the tab stayed on the other

        session = page.evaluate("Shiny.shinyapp.config.sessionId")
        link = page.locator(f"#outcome-download_csv[href*='{session}']")
        expect(link).to_have_count(1, timeout=30_000)
        with page.expect_download(timeout=30_000) as info:
            link.click()
        assert info.value.failure() is None
        assert Path(info.value.path()).stat().st_size > 100
        again = tmp_path / "second_cohort.csv"
        again.write_bytes(cohort.read_bytes())
        upload(page, again)
    finally:
        context.close()
    lines = [line for line in log_lines(team) if session in line]
    for kind in ("/download/", "/upload/"):
        line = next(line for line in lines if kind in line)
        assert '" 200 ' in line and upstreams(line) == [victim.address, other.address], line


def test_a_genuine_404_is_tried_on_each_worker_once_and_passed_on(team: Team):
    """A session no worker knows: each is asked once, and Shiny's 404 reaches the browser (a
    page that does not exist is not retried at all)."""
    for path in ("/session/nosuch/download/table?w=", "/nosuch-page"):
        marker = secrets.token_hex(6)
        separator = "&" if "?" in path else "?"
        request = urllib.request.Request(f"{team.url}{path}{separator}probe={marker}")
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=30)  # noqa: S310 (loopback)
        assert answer.value.code == 404
        deadline = time.monotonic() + 10  # nginx writes the line just after the answer
        while not any(marker in line for line in log_lines(team)):
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.05)
        tried = upstreams(next(line for line in log_lines(team) if marker in line))
        assert len(tried) == len(set(tried))  # no worker twice
        if path.startswith("/session/"):
            assert set(tried) == {w.address for w in team.workers}
        else:
            assert len(tried) == 1
