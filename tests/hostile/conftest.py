"""The hostile suite shares the run's one chromium (tests/conftest.py); each test's browser
contexts (its simulated users) are closed after it, so none outlives the app it attacked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _close_contexts(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()
