"""Two browser contexts are two users: neither sees the other's file, columns or results, and the
shared result cache is keyed by content (the same bytes under another name are a hit; other data
is a miss with other results)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import EXAMPLE, cache_counts, expect_counts, open_tab, run_outcome, upload
from tests.e2e.hostile import run_outcome_after_upload

pytestmark = pytest.mark.e2e
SECRET = "q7secret"  # in A's file name, column names and levels; must never reach B


@contextmanager
def session(browser: Browser, url: str) -> Iterator[Page]:
    """A new browser context on the app: its own cookies, websocket and Shiny session."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.dialogs = []  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    try:
        yield page
    finally:
        context.close()


def secret_frame() -> pd.DataFrame:
    """300 patients of the example with every name and text level marked as A's."""
    df = pd.read_csv(EXAMPLE).head(300)
    df = df.rename(columns=lambda c: f"{SECRET}_{c}")
    for column in df.columns:
        if df[column].dtype == object and column != f"{SECRET}_patient_id":
            df[column] = df[column].map(lambda v: v if pd.isna(v) else f"{SECRET}_{v}")
    return df


def result_text(page: Page) -> str:
    return page.locator("#table-multivariable").inner_text()


def test_two_sessions_are_isolated_and_share_only_by_content(browser, app_url, tmp_path):
    frame = secret_frame()
    original = tmp_path / f"{SECRET}_cohort.csv"
    frame.to_csv(original, index=False)
    same_bytes = tmp_path / "copy_under_another_name.csv"
    same_bytes.write_bytes(original.read_bytes())
    other = frame.copy()
    age = f"{SECRET}_age"
    other[age] = np.random.default_rng(1).permutation(other[age].to_numpy())
    other_data = tmp_path / "other_data.csv"
    other.to_csv(other_data, index=False)

    with session(browser, app_url) as a, session(browser, app_url) as b:
        upload(a, original)
        run_outcome_after_upload(a, age)
        expect(a.locator("#outcome-status")).to_contain_text(f"{SECRET}_complication = ")
        a_result = result_text(a)
        assert f"{SECRET}_age" in a_result

        run_outcome(b)
        expect(b.locator("#outcome-status")).to_contain_text(" complication = Yes")
        b_result = result_text(b)
        assert "age" in b_result and SECRET not in b_result
        for tab in ("Data", "Table 1", "Server stats"):
            open_tab(b, tab)
        expect(b.locator("#dataset-name")).to_have_text(EXAMPLE.name)
        # Nowhere in B's document: not in a table, a select, a notification or a script.
        assert SECRET not in b.content()
        assert b.dialogs == [] and a.dialogs == []  # type: ignore[attr-defined]

        # B now uploads A's bytes under another name: the same content, so A's result is reused.
        hits, misses = cache_counts(b)
        upload(b, same_bytes)
        run_outcome_after_upload(b, age)
        expect_counts(b, hits + 1, misses)
        expect(b.locator("#stats-recent-table tbody tr").first).to_contain_text("instant repeat")
        open_tab(b, "Outcome analysis")
        expect(b.locator("#table-multivariable")).to_have_text(a_result)

        upload(b, other_data)
        run_outcome(b)
        expect_counts(b, hits + 1, misses + 1)  # other content: computed afresh
        open_tab(b, "Outcome analysis")
        expect(b.locator("#table-multivariable")).not_to_have_text(a_result)
