"""What the wide-file hostile test and its benchmark share: a /healthz poller that keeps every
latency, and the steps of uploading a wide CSV and reading the paged column editor."""

from __future__ import annotations

import statistics
import threading
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_tab


class HealthPoller:
    """Asks /healthz every `every_s` seconds from its own thread and keeps each answer's time
    (ms); a failed or refused request counts as its timeout."""

    def __init__(self, url: str, every_s: float = 0.1, timeout_s: float = 10.0) -> None:
        self.url = url + "/healthz"
        self.every_s = every_s
        self.timeout_s = timeout_s
        self.latencies_ms: list[float] = []
        self.sent_at: list[float] = []  # time.time() of each request, to line up with a server log
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="healthz-poller", daemon=True)

    def __enter__(self) -> HealthPoller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.timeout_s + 1)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            self.sent_at.append(time.time())
            try:
                with urllib.request.urlopen(self.url, timeout=self.timeout_s) as response:  # noqa: S310
                    response.read()
                    ok = response.status == 200
            except OSError:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            self.latencies_ms.append(elapsed if ok else self.timeout_s * 1000)
            self.failures += 0 if ok else 1
            self._stop.wait(max(0.0, self.every_s - elapsed / 1000))

    def summary(self) -> dict[str, float]:
        values = sorted(self.latencies_ms) or [0.0]
        return {
            "requests": len(self.latencies_ms),
            "failures": self.failures,
            "max_ms": round(values[-1], 1),
            "p99_ms": round(values[min(len(values) - 1, int(0.99 * len(values)))], 1),
            "median_ms": round(statistics.median(values), 1),
        }


def upload_wide(page: Page, path: Path, timeout_ms: float = 240_000) -> None:
    """Upload a wide file on the Data tab and wait until its editor shows the first page."""
    open_tab(page, "Data")
    page.set_input_files("#data-upload", str(path))
    expect(page.locator("#dataset-name")).to_contain_text(path.name, timeout=timeout_ms)
    expect(page.locator("#column-showing")).to_be_visible(timeout=timeout_ms)


def editor_row(page: Page, column: str):
    """The editor's row of a column (by its name, shown in a <code>)."""
    return page.locator("#column-table tbody tr", has=page.locator("code", has_text=column))


def timed_run(page: Page, tab: str, timeout_ms: float = 60_000) -> float:
    """Seconds from pressing Run on an analysis tab to its fresh 'done' (helpers.click_run_and_wait
    marks the old status first, so a 'done' left from before never counts)."""
    from tests.e2e.helpers import click_run_and_wait

    started = time.perf_counter()
    click_run_and_wait(page, tab, timeout_ms)
    return time.perf_counter() - started
