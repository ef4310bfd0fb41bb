"""Browser tests: the real app in a subprocess, driven by Playwright in Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Without these, chromium keeps trying to reach Google's hosts on this closed network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited with code {proc.returncode} before serving")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the app did not answer at {url} within {seconds} s")


@dataclass(frozen=True)
class AppProcess:
    """A running app: where it answers, its process id and its log."""

    url: str
    pid: int
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def serve_app(log_path: Path, **settings: str) -> Iterator[str]:
    """The app started exactly as `make run` does, on a free loopback port, with MEDSTAT_*
    settings given as keyword arguments (memory_limit_mb="120"); yields its URL."""
    with running_app(log_path, **settings) as app:
        yield app.url


@contextmanager
def running_app(log_path: Path, **settings: str) -> Iterator[AppProcess]:
    """serve_app, yielding the process too (for tests that watch the server itself)."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "MALLOC_ARENA_MAX": "2"}  # as `make run`
    env.pop("MEDSTAT_MEMORY_LIMIT_MB", None)  # the app runs with its real default budget
    env.update({f"MEDSTAT_{k.upper()}": v for k, v in settings.items()})
    command = ["shiny", "run", "app.py", "--host", "127.0.0.1", "--port", str(port)]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url, proc)
        yield AppProcess(url, proc.pid, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory) -> Iterator[str]:
    """The app as `make run` starts it, shared by the browser tests."""
    log_path = tmp_path_factory.mktemp("app") / "server.log"
    try:
        with serve_app(log_path) as url:
            yield url
    finally:
        print(log_path.read_text()[-4000:])


@pytest.fixture
def page(browser: Browser, app_url: str) -> Iterator[Page]:
    """A fresh browser context (its own Shiny session) on the app, dialogs recorded."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(app_url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    yield page
    context.close()
