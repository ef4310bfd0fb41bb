"""An upload the app itself refuses (a disk bound, within nginx's size limit) shows the app's
sentence through nginx, not "MedStat is starting or restarting": the app reads the body before
it answers, so nginx, still passing the body on, is not cut off by a reset."""

from __future__ import annotations

import http.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from deploy.nginx_conf import UNAVAILABLE
from deploy.team import Team
from tests.deploy.conftest import page_on
from tests.e2e.helpers import EXAMPLE

pytestmark = [pytest.mark.e2e, pytest.mark.redis]
TAB_MB = 2  # MEDSTAT_UPLOAD_SESSION_MB: what a tab's uploads may hold on the worker's disk
# nginx's limit, above the tab's bound; a body larger than the sockets' buffers on loopback (a
# few MB), so that it is still being sent when the app answers.
TIGHT_UPLOAD_MB = 40


@pytest.fixture(scope="module")
def tight_team(tmp_path_factory) -> Iterator[Team]:
    """One worker behind nginx whose disk bound for a tab is below nginx's size limit."""
    folder = tmp_path_factory.mktemp("tight")
    settings = {"MEDSTAT_UPLOAD_SESSION_MB": f"{TAB_MB:g}"}
    with Team(folder, workers=1, max_upload_mb=TIGHT_UPLOAD_MB, settings=settings) as running:
        yield running
    print((folder / "access.log").read_text()[-2000:])
    print(running.workers[0].log_path.read_text(errors="replace")[-3000:])


def test_a_refusal_by_the_app_shows_its_sentence_and_the_data_stays(
    browser: Browser, tight_team: Team, tmp_path: Path
):
    over_the_tab = tmp_path / "over_the_tab_s_bound.csv"
    over_the_tab.write_text("age,outcome\n" + "61,1\n" * 6_000_000)  # 29 MB: within nginx's 40
    context, page = page_on(browser, tight_team)
    try:
        page.set_input_files("#data-upload", str(over_the_tab))
        bar = page.locator("#data-upload_progress")
        expect(bar).to_contain_text(f"a tab may hold {TAB_MB:g} MB", timeout=30_000)
        expect(bar).to_contain_text("MEDSTAT_UPLOAD_SESSION_MB")
        expect(page.locator("#dataset-name")).to_have_text(EXAMPLE.name)
        assert UNAVAILABLE not in page.content()
    finally:
        context.close()
    lines = (tight_team.folder / "access.log").read_text().splitlines()
    uploads = [line for line in lines if "/upload/" in line]
    assert len(uploads) == 1 and '" 413 ' in uploads[0]  # answered by the worker, passed on
    assert 'upstream="-"' not in uploads[0]


def post(team: Team, path: str, body: bytes) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", team.port, timeout=120)
    try:
        connection.request("POST", path, body=body)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def test_every_early_answer_to_a_body_reaches_the_client_not_a_reset(
    browser: Browser, tight_team: Team
):
    """The same, many times and as fast as loopback sends: a reset is a race that nginx loses
    most times when the body is still arriving (a browser's upload is sometimes slower)."""
    body = b"61,1\n" * (29 * 2**20 // 5)
    context, page = page_on(browser, tight_team)
    try:
        session = page.evaluate("Shiny.shinyapp.config.sessionId")
        for _ in range(5):  # refused by the tab's disk bound
            status, text = post(tight_team, f"/session/{session}/upload/job?w=", body)
            assert status == 413 and "MEDSTAT_UPLOAD_SESSION_MB" in text
    finally:
        context.close()
    for _ in range(5):  # a session the worker does not know: Shiny's 404
        assert post(tight_team, "/session/nosuch/upload/job?w=", body)[0] == 404
