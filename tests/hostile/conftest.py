"""What every hostile test shares: a dedicated app with small limits, a victim who keeps using
it during the attack, and a sampler of the app's RSS.

    def test_attack(hostile_app, victim):
        with hostile_app(max_upload_mb="2") as app, RssSampler(app.pid) as rss:
            with victim(app.url) as user:
                ...  # the attack, bounded in time
            user.assert_unharmed()  # small analyses < 2 s, /healthz < 1 s, all of it answered
            assert_up(app)
        rss.assert_under(BUDGET_MB)

The victim (victim.py, a process of its own) speaks Shiny's websocket protocol (bench/load_ws.py)
with the inputs a real page
sends at start, captured once per test run from Debian's chromium (the run's one browser,
tests/conftest.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from playwright.sync_api import Browser

from bench.harness import PeakRss
from tests.e2e.conftest import AppProcess, running_app
from tests.event_loop import run_apart
from tests.hostile.browser import SHARED
from tests.hostile.victim import (  # re-exported: tests import them from here
    ANALYSIS_S,
    HEALTH_S,
    VICTIM_ADDRESS,
    AddressedSession,
    Timing,
    Victim,
)

__all__ = [
    "ANALYSIS_S",
    "ATTACKER_ADDRESS",
    "BUDGET_MB",
    "HEALTH_S",
    "MB",
    "VICTIM_ADDRESS",
    "AddressedSession",
    "RssSampler",
    "Timing",
    "Victim",
    "assert_up",
    "page_init",
    "upload_as_users",
    "wait_until",
]

MB = 2**20
BUDGET_MB = 512  # the memory budget every hostile app runs with unless a test says otherwise
ATTACKER_ADDRESS = "10.6.6.6"


def assert_up(app: AppProcess) -> None:
    """The app process is alive and /healthz answers 200."""
    assert psutil.pid_exists(app.pid), "the app process is gone"
    with urllib.request.urlopen(app.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200


@pytest.fixture
def hostile_app(tmp_path) -> Iterator[Callable[..., contextlib.AbstractContextManager[AppProcess]]]:
    """A factory of dedicated apps: `with hostile_app(max_upload_mb="2") as app:` starts the app
    as `make run` does with a BUDGET_MB budget and the given MEDSTAT_* settings. The apps' logs
    (without request lines) are printed at teardown: pytest shows them when the test failed."""
    counter = itertools.count()
    logs: list[Path] = []

    @contextlib.contextmanager
    def start(**settings: str) -> Iterator[AppProcess]:
        log_path = tmp_path / f"server{next(counter)}.log"
        logs.append(log_path)
        # One trusted proxy hop: each test client names its own address in X-Forwarded-For
        # (AddressedSession), as users behind a Space's proxy arrive, all on loopback here.
        settings = {"memory_limit_mb": str(BUDGET_MB), "proxy_hops": "1", **settings}
        with running_app(log_path, **settings) as app:
            yield app

    yield start
    for log_path in logs:
        lines = [line for line in log_path.read_text().splitlines() if '"GET /' not in line]
        print(f"--- {log_path.name} ---", *lines[-150:], sep="\n")


class RssSampler(PeakRss):
    """Samples the RSS of the app process and its children (the embedding worker) every
    `every_s` seconds in a thread (bench/harness.py's PeakRss); `peak_mb` and `samples` after."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        super().__init__(pid, every_s=every_s, children=True)

    def assert_under(self, budget_mb: float = BUDGET_MB) -> None:
        print(
            f"app RSS peak {self.peak_mb:.0f} MB of {budget_mb:.0f} ({len(self.samples)} samples)"
        )
        assert self.peak_mb < budget_mb, (
            f"app RSS peaked at {self.peak_mb:.0f} MB, over the {budget_mb:.0f} MB budget "
            f"({len(self.samples)} samples)"
        )


_INIT: dict[str, Any] = {}


@pytest.fixture(autouse=True)
def _shared_browser(browser: Browser) -> Iterator[None]:
    """Every hostile test may drive the run's one chromium (Playwright's sync API allows one
    driver per process); the browser contexts a test opened are closed after it, so none
    outlives the app it attacked."""
    SHARED[:] = [browser]
    yield
    for context in browser.contexts:
        context.close()


def page_init(url: str) -> dict[str, Any]:
    """The inputs a fresh page sends in its websocket init (captured once per test run)."""
    if not _INIT:
        page = SHARED[0].new_page()
        frames: list[str] = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(f)))
        page.goto(url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        page.wait_for_function("() => window.Shiny?.shinyapp?.isConnected()")
        page.context.close()
        first = next(f for f in frames if isinstance(f, str) and f.startswith('{"method":"init"'))
        _INIT.update(json.loads(first)["data"])
    return dict(_INIT)


@pytest.fixture
def victim() -> Callable[[str], Victim]:
    """`with victim(app.url) as user:` a user who starts before the attack (one analysis run)
    and keeps working until the block ends; then `user.assert_unharmed()`."""

    def make(url: str) -> Victim:
        return Victim(url, page_init(url))

    return make


def wait_until(condition: Callable[[], Any], seconds: float, what: str, every_s: float = 0.1):
    """Poll `condition` until it is truthy (returned) or `seconds` pass (AssertionError)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(every_s)


def upload_as_users(
    url: str, paths: list[Path], timeout_s: float = 60, address: str = ATTACKER_ADDRESS
) -> list[str]:
    """Each file uploaded at once by a browser tab of its own (a websocket session each), all
    from `address`; the message each was shown ('' when the file was read)."""

    init = page_init(url)

    async def one(number: int, path: Path) -> str:
        session = AddressedSession(url, init, number, timeout_s=timeout_s, address=address)
        await session.open()
        try:
            refused = (await session.upload(path))[1]
            return session.shown("data-upload_status") if refused else ""
        finally:
            await session.close()

    async def every() -> list[str]:
        return await asyncio.gather(*(one(n, p) for n, p in enumerate(paths)))

    return run_apart(every(), timeout=300)
