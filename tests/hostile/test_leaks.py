"""Issue 17 case 9: a result shared through the cache carries no user's file name. User A's
codebook match is cached under A's file name; user B uploads the same bytes under another name,
is served A's match from the cache, and sees B's name, never A's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import ROOT, open_tab
from tests.hostile.trust_helpers import app, assert_up_and_serving, log_lines, open_page

pytestmark = pytest.mark.e2e
CODEBOOK = ROOT / "data" / "example_codebook.csv"
A_NAME = "alice_q9private_dictionary.csv"
B_NAME = "bob_dictionary.csv"


def match_codebook(page: Page, path: Path) -> None:
    """Upload a codebook on the Data cleaning tab (the example data is loaded) and wait for the
    proposed matches."""
    expect(page.locator("#dataset-name")).to_contain_text("example", timeout=30_000)
    open_tab(page, "Data cleaning")
    page.set_input_files("#cleaning-codebook-upload", str(path))
    expect(page.locator("#codebook-match-table")).to_be_visible(timeout=60_000)


def test_a_shared_codebook_match_names_the_requesting_user_s_file(tmp_path: Path, browser: Browser):
    a_file, b_file = tmp_path / A_NAME, tmp_path / B_NAME
    shutil.copy(CODEBOOK, a_file)
    shutil.copy(CODEBOOK, b_file)
    with app(tmp_path, embeddings="false") as server:
        alice = open_page(browser, server.url)
        match_codebook(alice, a_file)
        expect(alice.locator("#codebook-summary")).to_contain_text(A_NAME)

        bob = open_page(browser, server.url)
        match_codebook(bob, b_file)
        expect(bob.locator("#codebook-summary")).to_contain_text(f"'{B_NAME}'")
        # Served from the cache (one computation for both), yet nothing of A's in B's page.
        assert len(log_lines(server, "codebook computed")) == 1
        assert len(log_lines(server, "codebook memory")) == 1
        bob.click("#cleaning-codebook-apply")
        history = bob.locator("#cleaning-history-list li")
        expect(history).to_have_count(1, timeout=15_000)
        expect(history.first).to_contain_text(f"Codebook '{B_NAME}'")
        assert "q9private" not in bob.content()

        alice.context.close()
        bob.context.close()
        assert_up_and_serving(server, browser)
