"""Issue 17 case 1: a wide CSV froze the server. An 8,000-column file made /healthz take 33 s
and a new user's connection 23 s (the Data tab's column editor was built on the event loop,
~3.7 ms a column). A 16,000-column CSV is uploaded in a browser while another client polls
/healthz and a victim runs a small analysis: the server answers throughout, the victim's
analysis is quick, and the uploader gets a paged editor that says what it shows and keeps an
edit made on page 2."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bench.wide_data import write_wide_csv
from tests.e2e.helpers import choose, open_tab, run_outcome
from tests.hostile.trust_helpers import app, assert_up_and_serving, open_page
from tests.hostile.wide_helpers import HealthPoller, editor_row, timed_run, upload_wide

pytestmark = pytest.mark.e2e
COLUMNS = 16_000
# Issue 17's goal, at the max: no step of the event loop grows with the file (the data set frozen
# out of the garbage collector's passes, choices computed once per data set; OPTIMIZATION.md
# "What set /healthz's worst answer").
# The goal holds on a host that gives the app its cores; on this shared 2-core machine other
# engineers' runs take a share, and every step of the loop then takes longer in wall time by
# the host's load per core (measured: the same 80 ms of CPU took 250 ms of wall at load 6). The
# bounds are scaled by that factor, never below the goal, and the factor is printed.
HEALTHZ_MAX_MS = 200
VICTIM_MAX_S = 2.0
CORES = len(os.sched_getaffinity(0))


def host_factor(*loads: float) -> float:
    """How much the host's other work stretches wall time: its highest 1-minute load average
    per core seen in the test, at least 1 (an idle host: the goal as it is)."""
    return max(1.0, max(loads) / CORES)


def test_a_16000_column_csv_leaves_the_server_answering_and_the_editor_paged(
    browser: Browser, tmp_path: Path
):
    wide = write_wide_csv(tmp_path / "wide_16000.csv", COLUMNS)
    with app(tmp_path, embeddings="false") as server:
        victim = open_page(browser, server.url)
        run_outcome(victim)  # warm: the victim has its result and its controls drawn
        open_tab(victim, "Outcome analysis")
        victim.locator("input[name='outcome-summary'][value='median']").check()
        uploader = open_page(browser, server.url)
        load_before = os.getloadavg()[0]

        with HealthPoller(server.url) as health:
            upload_wide(uploader, wide)
            # A new computation (another summary) while the server holds the wide file.
            victim_s = timed_run(victim, "outcome")
            editor_checks(uploader)
            wide_select_checks(uploader)
        polled = health.summary()
        factor = host_factor(load_before, os.getloadavg()[0])
        polled["host_factor"] = round(factor, 2)
        print(f"/healthz during the wide upload: {polled}; victim's analysis {victim_s:.2f} s")

        assert polled["failures"] == 0, polled
        assert polled["requests"] > 20, polled  # it was polled throughout
        assert polled["max_ms"] < HEALTHZ_MAX_MS * factor, polled
        assert victim_s < VICTIM_MAX_S * factor, (victim_s, factor)
        uploader.context.close()
        victim.context.close()
        assert_up_and_serving(server, browser)


def editor_checks(page) -> None:
    """A page of 50 columns, a line saying so, paging, an edit kept across pages, a search."""
    showing = page.locator("#column-showing")
    expect(showing).to_contain_text("Showing 1–50 of 16,000 columns")
    expect(page.locator("#column-table tbody tr")).to_have_count(50)
    page.click("#data-column_next")
    expect(showing).to_contain_text("Showing 51–100 of 16,000 columns")
    label = editor_row(page, "v00060").locator(".label-cell input")
    label.fill("Serum sodium")
    label.press("Tab")  # the text box sends its value
    kind62 = editor_row(page, "v00062").locator(".kind-cell select")
    expect(kind62).to_have_value("continuous")
    kind62.select_option("categorical")
    expect(showing).to_contain_text("2 edited columns kept")  # the server has both
    page.click("#data-column_next")
    expect(showing).to_contain_text("Showing 101–150 of 16,000 columns")
    page.click("#data-column_prev")
    expect(showing).to_contain_text("Showing 51–100 of 16,000 columns")
    expect(editor_row(page, "v00060").locator(".label-cell input")).to_have_value("Serum sodium")
    expect(editor_row(page, "v00062").locator(".kind-cell select")).to_have_value("categorical")
    # A search finds one column among 16,000; the preview follows the page.
    page.fill("#data-column_search", "v15999")
    expect(showing).to_contain_text("Showing 1–1 of 1 column matching 'v15999' (16,000 in all)")
    expect(page.locator("#column-table tbody tr")).to_have_count(1)
    expect(page.locator("#data-preview thead th", has_text="v15999")).to_have_count(1)
    assert page.locator("#data-preview thead th").count() <= 51


def wide_select_checks(page) -> None:
    """An analysis tab's selects hold a bounded list and find any column by typing."""
    open_tab(page, "Outcome analysis")
    note = page.locator(".wide-select-note").first
    expect(note).to_contain_text(re.compile(r"[\d,]+ columns: the first 100 are listed"))
    options = page.locator("#outcome-covariates option")
    assert options.count() <= 101 + 200  # the first 100, and the chosen (at most 200 scanned)
    choose(page, "outcome-covariates", "v15997")  # found by the search route, not in the page
