"""Test-wide settings, applied before any project module reads its configuration."""

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

# The whole suite runs in one Python process that imports every analysis and the test tools,
# so it holds far more than the app's 300 MB budget; without this the memory guard would
# (rightly) refuse the analyses under test. Tests of the guard itself inject their own limits,
# and the browser tests start the app with the default budget (tests/e2e/conftest.py).
os.environ.setdefault("MEDSTAT_MEMORY_LIMIT_MB", "8192")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, one for the whole run: Playwright's sync API allows one driver per
    process, so the browser tests and the hostile suite share it (each test its own contexts)."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
