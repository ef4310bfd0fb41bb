"""Browser: the Agreement tab on a small file: ICC and Bland–Altman equal R's, the plot draws,
the downloads hold the numbers; then kappa for two readers' grades."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose, click_run_and_wait, open_tab, upload

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "agreement.csv"
REF = pd.read_csv(ROOT / "tests" / "r" / "agreement.csv")


def ref(statistic: str) -> float:
    row = REF[(REF["case"] == "pefr") & (REF["statistic"] == statistic)]
    return float(row["value"].iloc[0])


# Each result card is its own output, drawn after the status says "done": on a loaded host
# (three apps and their browsers on two cores) that took over 5 s, Playwright's default wait.
RESULTS_DRAWN_MS = 30_000


def download(page: Page, button: str) -> str:
    with page.expect_download(timeout=30_000) as info:
        page.locator(f"#{button}").click()
    return Path(info.value.path()).read_text(encoding="utf-8")


def test_icc_bland_altman_kappa_and_downloads(page: Page):
    upload(page, DATA)
    open_tab(page, "Agreement")
    choose(page, "agreement-raters", "wright")
    choose(page, "agreement-raters", "mini")
    click_run_and_wait(page, "agreement")

    status = page.locator("#agreement-status")
    expect(status).to_contain_text("2 raters, 17 subjects (1 left out for a missing rating)")
    icc = page.locator("#agreement-icc-table")
    expect(icc).to_be_visible(timeout=RESULTS_DRAWN_MS)
    row = icc.locator("tr", has_text="ICC2").first
    expect(row).to_contain_text(f"{ref('ICC2_ICC'):.3f}")
    expect(row).to_contain_text(f"{ref('ICC2_lower'):.3f} to {ref('ICC2_upper'):.3f}")
    expect(row).to_contain_text("Two-way random, absolute agreement, single rater")
    limits = page.locator("#agreement-limits-table")
    expect(limits).to_be_visible(timeout=RESULTS_DRAWN_MS)
    expect(limits.locator("tr", has_text="Bias (mean difference)")).to_contain_text(
        f"{ref('bias'):.2f}"
    )
    expect(limits.locator("tr", has_text="Upper limit")).to_contain_text(
        f"{ref('upper_exact_low'):.2f} to {ref('upper_exact_high'):.2f}"
    )
    plot = page.locator("#agreement-bland-altman")
    expect(plot.locator(".main-svg").first).to_be_visible(timeout=RESULTS_DRAWN_MS)
    expect(plot).to_contain_text("Limits of agreement")
    expect(page.locator("#agreement-warnings-list")).to_contain_text(
        "1 of 18 subjects", timeout=RESULTS_DRAWN_MS
    )

    # 'All numbers' (long, unrounded; the tables as shown are the framework's Word and CSV).
    csv = pd.read_csv(io.StringIO(download(page, "agreement-download_long_csv").lstrip("\ufeff")))
    icc2 = csv[(csv["table"] == "icc") & (csv["statistic"] == "ICC2")].iloc[0]
    assert icc2["estimate"] == pytest.approx(ref("ICC2_ICC"), rel=1e-6)
    bias = csv[(csv["table"] == "bland_altman") & (csv["statistic"] == "bias")].iloc[0]
    assert bias["ci_low"] == pytest.approx(ref("bias_ci_low"), rel=1e-6)
    report = download(page, "agreement-download_html")
    assert "Intraclass correlation" in report and "agreement-bland-altman" in report

    # The two readers' grades as ordered categories: Cohen's kappa, weighted too.
    items = page.locator("#agreement-raters + .selectize-control .item")
    for left in (1, 0):
        items.first.locator(".remove").click()
        expect(items).to_have_count(left)
    choose(page, "agreement-raters", "reader_1")
    choose(page, "agreement-raters", "reader_2")
    page.get_by_label("Ordered categories coded as numbers (kappa, weighted kappa)").check()
    click_run_and_wait(page, "agreement")
    grades = pd.read_csv(DATA)
    kappa = page.locator("#agreement-kappa-table")
    expect(kappa.locator("tbody tr")).to_have_count(3, timeout=RESULTS_DRAWN_MS)
    expect(kappa).to_contain_text("quadratic weights")
    same = (grades["reader_1"] == grades["reader_2"]).mean() * 100
    expect(kappa).to_contain_text(f"{same:.1f}% of 18 subjects")
    expect(page.locator("#agreement-crosstab-table")).to_contain_text("reader_1 (rows) by reader_2")


def sf_ref(statistic: str) -> float:
    row = REF[(REF["case"] == "sf") & (REF["statistic"] == statistic)]
    return float(row["value"].iloc[0])


def test_long_layout_gives_shrout_and_fleiss_iccs_and_a_chosen_pair(page: Page):
    upload(page, ROOT / "tests" / "data" / "agreement_long.csv")
    open_tab(page, "Agreement")
    page.get_by_label("One row per rating (subject, rater, rating columns)").check()
    page.locator("#agreement-subject").select_option("target")
    page.locator("#agreement-rater").select_option("judge")
    page.locator("#agreement-rating").select_option("score")
    # Four judges: the Bland–Altman pair is chosen among them.
    page.locator("#agreement-ba_first").select_option("J2")
    page.locator("#agreement-ba_second").select_option("J3")
    click_run_and_wait(page, "agreement")

    expect(page.locator("#agreement-status")).to_contain_text("4 raters, 6 subjects.")
    icc = page.locator("#agreement-icc-table")
    expect(icc).to_be_visible(timeout=RESULTS_DRAWN_MS)
    for form in ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"):
        row = icc.locator("tr", has=page.get_by_text(form, exact=True))
        expect(row).to_contain_text(f"{sf_ref(f'{form}_ICC'):.3f}")
    sf = pd.read_csv(ROOT / "tests" / "r" / "agreement_sf_data.csv")
    bias = (sf["J3"] - sf["J2"]).mean()
    limits = page.locator("#agreement-limits-table")
    expect(limits).to_be_visible(timeout=RESULTS_DRAWN_MS)
    expect(limits.locator("tr", has_text="Bias (mean difference)")).to_contain_text(f"{bias:.2f}")
    expect(limits).to_contain_text("Difference = J3 − J2")
