"""Browser tests of preparing variables: value labels on the Data tab, a variable cut into
groups and used in Table 1, a formula refused and then made, a row filter with its flow
diagram, undo, and a reload that keeps every step."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EXAMPLE, ensure_chosen, open_tab, upload

pytestmark = pytest.mark.e2e


@pytest.fixture
def coded(tmp_path: Path) -> Path:
    """The example's first 300 patients with sex written as codes (1 = Male, 2 = Female)."""
    df = pd.read_csv(EXAMPLE).head(300)
    df["sex"] = df["sex"].map({"Male": 1, "Female": 2})
    path = tmp_path / "coded.csv"
    df.to_csv(path, index=False)
    return path


def history(page: Page):
    return page.locator("#cleaning-history-list li")


def run_table1(page: Page, group: str) -> None:
    open_tab(page, "Table 1")
    select = page.locator("#table1-group")
    expect(select.locator(f"option[value='{group}']")).to_have_count(1, timeout=20_000)
    select.select_option(group)
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("#table1-run").click()
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)


def test_value_labels_reach_table1_and_undo_brings_the_codes_back(page: Page, coded: Path):
    upload(page, coded)
    card = page.locator("#data-values-editor")
    page.locator("#data-values-column").select_option("sex")
    expect(card.locator("#value-labels-table tbody tr")).to_have_count(2, timeout=15_000)
    card.locator("input").nth(0).fill("Male")
    card.locator("input").nth(1).fill("Female")
    page.locator("#data-values-apply").click()
    expect(page.locator("#value-labels-done")).to_contain_text("1 = Male, 2 = Female")
    # The editor now lists the labels as the column's values, and the preview shows them.
    expect(card.locator("#value-labels-table code")).to_have_text(["Female", "Male"])
    expect(page.locator("#data-preview")).to_contain_text("Female")

    run_table1(page, "sex")
    heads = page.locator("#table1-table thead tr").last
    sizes = pd.read_csv(coded)["sex"].value_counts()
    expect(heads).to_contain_text(f"Female (N = {sizes[2]})")
    expect(heads).to_contain_text(f"Male (N = {sizes[1]})")

    open_tab(page, "Data cleaning")
    expect(history(page)).to_have_count(1)
    expect(history(page).first).to_contain_text("sex: value labels 1 = Male, 2 = Female")
    page.locator("#cleaning-undo").click()
    expect(history(page)).to_have_count(0, timeout=10_000)
    expect(page.locator("#cleaning-status-line")).to_contain_text("Undone")
    open_tab(page, "Data")
    expect(card.locator("#value-labels-table code")).to_have_text(["1", "2"], timeout=10_000)
    open_tab(page, "Table 1")
    expect(page.locator("#table1-stale [data-state=stale]")).to_be_visible(timeout=15_000)


def test_cut_into_groups_is_a_column_table1_groups_by(page: Page):
    df = pd.read_csv(EXAMPLE)
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-derive-what input[value=cut]").check()
    page.locator("#cleaning-derive-column").select_option("age")
    expect(page.locator("#derive-range")).to_contain_text(
        f"goes from {df.age.min()} to {df.age.max()}"
    )
    # A cut-off outside the data is refused in words; nothing is added.
    page.locator("#cleaning-derive-cutoffs").fill("40, 120")
    expect(page.locator("#derive-problem")).to_contain_text("120 is outside the values")
    page.locator("#cleaning-derive-add").click()
    expect(history(page)).to_have_count(0)

    page.locator("#cleaning-derive-cutoffs").fill("40, 65")
    counts = page.locator("#derive-counts tbody tr")
    expect(counts).to_have_count(3, timeout=10_000)
    low, high = df.age.min(), df.age.max()
    young, middle = int((df.age < 40).sum()), int(((df.age >= 40) & (df.age < 65)).sum())
    old = int((df.age >= 65).sum())
    for row, (group, n) in enumerate(
        [(f"[{low}, 40)", young), ("[40, 65)", middle), (f"[65, {high}]", old)]
    ):
        cells = counts.nth(row).locator("td")
        expect(cells.nth(0)).to_have_text(group)
        expect(cells.nth(1)).to_have_text(str(n))
    expect(page.locator("#cleaning-derive-name")).to_have_value("age_group")
    page.locator("#cleaning-derive-add").click()
    expect(history(page)).to_have_count(1, timeout=10_000)
    expect(page.locator("#derive-done")).to_contain_text("age_group")

    run_table1(page, "age_group")
    heads = page.locator("#table1-table thead tr").last
    expect(heads).to_contain_text(f"[{low}, 40) (N = {young})")
    expect(heads).to_contain_text(f"[40, 65) (N = {middle})")
    expect(heads).to_contain_text(f"[65, {high}] (N = {old})")


def test_formula_refuses_python_and_makes_a_column(page: Page):
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-derive-what input[value=formula]").check()
    box = page.locator("#cleaning-derive-formula")
    box.fill("__import__('os').system('id')")
    expect(page.locator("#derive-problem")).to_contain_text("is not a function")
    box.fill("albumin / crpp")
    expect(page.locator("#derive-problem")).to_contain_text(
        "There is no column named 'crpp'. Did you mean 'crp'?"
    )
    page.locator("#cleaning-derive-add").click()  # refused: nothing is added
    expect(page.locator(".shiny-notification-warning")).to_contain_text("crpp")
    expect(history(page)).to_have_count(0)
    box.fill("albumin / crp")
    page.locator("#cleaning-derive-name").fill("bmi")
    expect(page.locator("#derive-problem")).to_contain_text("already exists")
    page.locator("#cleaning-derive-name").fill("alb_crp")
    expect(page.locator("#derive-summary")).to_contain_text("median", timeout=10_000)
    page.locator("#cleaning-derive-add").click()
    expect(history(page)).to_have_count(1, timeout=10_000)
    expect(history(page).first).to_contain_text("alb_crp = albumin / crp")

    open_tab(page, "Table 1")
    ensure_chosen(page, "table1-variables", "alb_crp")
    page.locator("#table1-run").click()
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#table1-table tbody")).to_contain_text("alb_crp")

    open_tab(page, "Data cleaning")  # undone: the column goes, the result is out of date
    page.locator("#cleaning-undo").click()
    expect(history(page)).to_have_count(0, timeout=10_000)
    expect(page.locator("#derive-done")).to_have_count(0)
    open_tab(page, "Table 1")
    expect(page.locator("#table1-stale [data-state=stale]")).to_be_visible(timeout=15_000)


def test_filters_draw_the_flow_and_a_reload_keeps_every_step(page: Page, tmp_path: Path):
    df = pd.read_csv(EXAMPLE)
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-filters-column").select_option("age")
    page.locator("#cleaning-filters-op").select_option(">=")
    page.locator("#cleaning-filters-value").fill("500")
    expect(page.locator("#filter-problem")).to_contain_text("leaves no rows")
    page.locator("#cleaning-filters-value").fill("40")
    kept = int((df.age >= 40).sum())
    expect(page.locator("#filter-preview")).to_contain_text(f"{kept} remain")
    page.locator("#cleaning-filters-reason").fill("younger than 40")
    page.locator("#cleaning-filters-apply").click()
    expect(history(page)).to_have_count(1, timeout=10_000)

    page.locator("#cleaning-filters-column").select_option("crp")
    expect(page.locator("#filter-preview")).to_have_count(0)  # the value box is new and empty
    page.locator("#cleaning-filters-op").select_option("known")
    both = int(((df.age >= 40) & df.crp.notna()).sum())
    expect(page.locator("#filter-preview")).to_contain_text(f"{both} remain")
    page.locator("#cleaning-filters-apply").click()
    expect(history(page)).to_have_count(2, timeout=10_000)

    figure = page.locator("#flow-figure-container")
    expect(figure.locator(".main-svg").first).to_be_visible(timeout=15_000)
    expect(figure).to_contain_text(f"n = {len(df)}")
    expect(figure).to_contain_text("younger than 40")
    expect(figure).to_contain_text(f"n = {both}")
    rows = page.locator("#flow-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2)).to_contain_text("crp missing")

    with page.expect_download() as info:
        page.locator("#cleaning-filters-download_flow_html").click()
    report = Path(info.value.path()).read_text()
    assert "Flow of rows" in report and "younger than 40" in report
    words = re.sub(r"<[^>]+>", " ", report)  # the figure is inline SVG: its lines are tspans
    assert re.search(rf"Rows analysed\s+n = {both}\b", words)  # the figure's last box

    open_tab(page, "Data")  # a value label too, so the reload has every kind of step
    page.locator("#data-values-column").select_option("smoking")
    editor = page.locator("#value-labels-table")
    expect(editor.locator("code")).to_have_text(["Current", "Former", "Never"], timeout=15_000)
    editor.locator("input").nth(2).fill("Never smoked")
    page.locator("#data-values-apply").click()
    expect(page.locator("#value-labels-done")).to_contain_text("Never = Never smoked")

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Data")
    page.locator("#data-values-column").select_option("smoking")
    expect(editor.locator("code")).to_have_text(
        ["Current", "Former", "Never smoked"], timeout=15_000
    )
    open_tab(page, "Data cleaning")
    expect(history(page)).to_have_count(3, timeout=15_000)
    expect(page.locator("#flow-figure-container .main-svg").first).to_be_visible(timeout=15_000)
    open_tab(page, "Table 1")
    expect(page.locator("#table1-group")).to_be_visible(timeout=20_000)
    page.locator("#table1-run").click()
    expect(page.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#table1-table thead")).to_contain_text(f"N = {both}")
    page.screenshot(path=str(Path("/tmp") / "prep_flow.png"), full_page=True)


def test_a_transform_and_combined_levels_keep_the_users_picks(page: Page):
    """Moving from a cut to a transform keeps the column picked; each pick names the column."""
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-derive-what input[value=transform]").check()
    page.locator("#cleaning-derive-column").select_option("crp")
    page.locator("#cleaning-derive-how").select_option("log")
    expect(page.locator("#cleaning-derive-name")).to_have_value("log_crp")
    crp = pd.read_csv(EXAMPLE).crp
    missing = int((crp <= 0).sum() + crp.isna().sum())  # log is not defined at 0 or below
    expect(page.locator("#derive-summary")).to_contain_text(f"missing {missing}")
    page.locator("#cleaning-derive-add").click()
    expect(history(page).first).to_contain_text("log_crp = log(crp)", timeout=10_000)

    page.locator("#cleaning-derive-what input[value=combine]").check()
    page.locator("#cleaning-derive-column").select_option("asa_class")
    levels = page.locator("#derive-levels")
    expect(levels.locator("code")).to_have_text(["I", "II", "III", "IV"], timeout=10_000)
    levels.locator("input").nth(2).fill("III-IV")
    levels.locator("input").nth(3).fill("III-IV")
    expect(page.locator("#derive-counts tbody tr td:first-child")).to_have_text(
        ["I", "II", "III-IV"], timeout=10_000
    )
    page.locator("#cleaning-derive-add").click()
    expect(history(page)).to_have_count(2, timeout=10_000)
    expect(history(page).nth(1)).to_contain_text("III + IV -> III-IV")


def test_a_new_file_sets_the_steps_aside_and_says_so(page: Page, coded: Path):
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-filters-column").select_option("age")
    page.locator("#cleaning-filters-value").fill("40")
    expect(page.locator("#filter-preview")).to_be_visible(timeout=10_000)
    page.locator("#cleaning-filters-apply").click()
    expect(history(page)).to_have_count(1, timeout=10_000)
    upload(page, coded)  # its columns are not the ones the filter was made for
    open_tab(page, "Data cleaning")
    expect(history(page)).to_have_count(0, timeout=10_000)
    expect(page.locator("#cleaning-status-line")).to_contain_text(
        "New data: the earlier cleaning steps were set aside."
    )
    expect(page.locator("#flow-empty")).to_be_visible()
