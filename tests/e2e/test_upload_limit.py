"""A file over the upload limit is refused before the server stores it, with a sentence under
the file input that says the size and the limit; the data in use stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import serve_app
from tests.e2e.helpers import EXAMPLE

pytestmark = pytest.mark.e2e


@pytest.fixture
def small_limit_url(tmp_path: Path) -> Iterator[str]:
    with serve_app(tmp_path / "server.log", max_upload_mb="1") as url:
        yield url


def test_a_file_over_the_limit_is_refused_with_its_size_and_the_limit(
    browser: Browser, small_limit_url: str, tmp_path: Path
):
    big = tmp_path / "too_big.csv"
    with big.open("w") as f:
        f.write("age,outcome\n" + "61,1\n" * 600_000)
    size_mb = big.stat().st_size / 2**20  # 2.9 MB
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(small_limit_url)
        page.wait_for_selector(".shiny-bound-output", timeout=30_000)
        page.set_input_files("#data-upload", str(big))
        bar = page.locator("#data-upload_progress")
        expect(bar).to_contain_text(
            f"This file is {size_mb:.1f} MB; the limit is 1 MB.", timeout=15_000
        )
        expect(bar).to_contain_text("upload it again")
        expect(page.locator("#dataset-name")).to_have_text(EXAMPLE.name)
    finally:
        context.close()
