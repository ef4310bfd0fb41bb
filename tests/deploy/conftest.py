"""The team shape as `make team` runs it (deploy/team.py): nginx, two workers, Redis, on free
loopback ports in a temp dir, shared by the tests of a module."""

from __future__ import annotations

import re
import secrets
import threading
import time
import urllib.request
from collections.abc import Iterator

import pytest
import redis
from playwright.sync_api import Browser, BrowserContext, Page

from deploy.processes import Worker
from deploy.team import Team

UPLOAD_MB = 1  # the workers' MEDSTAT_MAX_UPLOAD_MB, and nginx's client_max_body_size


@pytest.fixture(scope="module")
def team(tmp_path_factory) -> Iterator[Team]:
    folder = tmp_path_factory.mktemp("team")
    with Team(folder, workers=2, max_upload_mb=UPLOAD_MB) as running:
        stop = threading.Event()
        supervisor = threading.Thread(target=running.supervise, args=(stop, 0.5), daemon=True)
        supervisor.start()
        try:
            yield running
        finally:
            stop.set()
            supervisor.join(timeout=30)
    for worker in running.workers:  # on failure, what the workers said
        print(f"--- worker {worker.number}: {worker.history}")
        print(worker.log_path.read_text(errors="replace")[-3000:])


def tabs_saved_with(team: Team, part: str) -> int:
    """How many browser tabs' states in the team's Redis hold `part` (a tab's last result is
    the part named after its tab: "outcome")."""
    client = redis.Redis.from_url(team.redis_url)
    try:
        return sum(
            bool(client.hexists(key, part)) for key in client.scan_iter("medstat:tab:state:*")
        )
    finally:
        client.close()


def wait_saved(team: Team, part: str, before: int) -> None:
    """Until one more tab's state holds `part`: a worker writes a change to Redis
    session_save_delay_s (0.5 s) after it, so a worker killed sooner takes the change with it,
    and its tab comes back without it."""
    from tests.deploy.test_supervisor import wait_until

    wait_until(lambda: tabs_saved_with(team, part) > before, 30, f"'{part}' saved in Redis")


def upstreams(line: str) -> list[str]:
    """The workers nginx tried for one access log line, in order ("a:1, b:2" when the first
    refused the connection)."""
    return re.search(r'upstream="([^"]*)"', line).group(1).split(", ")


def route(team: Team, cookie: str, path: str = "/healthz", timeout_s: float = 30) -> str | None:
    """Which worker answered a request through nginx as a browser with this cookie (from
    nginx's access log, found by a marker); None if no answer came in time."""
    marker = secrets.token_hex(8)
    request = urllib.request.Request(
        f"{team.url}{path}?probe={marker}", headers={"Cookie": f"medstat_browser={cookie}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:  # noqa: S310
            assert response.status == 200
    except TimeoutError:
        return None
    deadline = time.monotonic() + 10  # nginx writes the line just after the answer
    while time.monotonic() < deadline:
        for line in (team.folder / "access.log").read_text().splitlines():
            if marker in line:
                return upstreams(line)[-1]
        time.sleep(0.05)
    raise AssertionError(f"no access log line for {path}?probe={marker}")


def worker_of(team: Team, cookie: str) -> Worker:
    """The worker a browser with this medstat_browser cookie is sent to."""
    address = route(team, cookie)
    return next(w for w in team.workers if w.address == address)


def cookie_for(team: Team, worker: Worker) -> str:
    """A browser cookie value that nginx's hash sends to `worker`."""
    for _ in range(200):
        value = secrets.token_urlsafe(16)
        if worker_of(team, value) is worker:
            return value
    raise AssertionError(f"no cookie found for worker {worker.number}")


def page_on(browser: Browser, team: Team, cookie: str | None = None) -> tuple[BrowserContext, Page]:
    """A new browser tab on the team's URL; with `cookie`, as a browser that already has it."""
    # Its own user agent, which nginx logs: a test finds this browser's requests by it (another
    # browser's websocket, closed just before, may be logged after this one has started).
    agent = f"Mozilla/5.0 (X11; Linux x86_64) Chrome/{browser.version} "
    agent += f"MedStat-test/{secrets.token_hex(6)}"
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, user_agent=agent)
    context.agent = agent  # type: ignore[attr-defined]
    if cookie is not None:
        context.add_cookies(
            [{"name": "medstat_browser", "value": cookie, "url": team.url, "httpOnly": True}]
        )
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(team.url)
    page.wait_for_selector(".shiny-bound-output", timeout=60_000)
    return context, page
