"""Browser test: clean a messy sex column, then the outcome analysis shows the merged levels."""

from __future__ import annotations

import random

from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_admin_details

SEX_VARIANTS = {"Male": ["Male", "male", "M", "man"], "Female": ["Female", "female ", "F", "woman"]}


def messy_csv(path) -> None:
    """120 patients; sex written four ways per sex; a complication more common in men."""
    rng = random.Random(3)
    lines = ["patient_id,age,sex,complication"]
    for i in range(120):
        sex = "Male" if i % 2 else "Female"
        spelling = rng.choice(SEX_VARIANTS[sex])
        risk = 0.45 if sex == "Male" else 0.2
        outcome = "Yes" if rng.random() < risk else "No"
        lines.append(f"P{i:03d},{rng.randint(30, 85)},{spelling},{outcome}")
    path.write_text("\n".join(lines) + "\n")


def test_cleaning_merges_levels_for_the_outcome_analysis(page: Page, tmp_path) -> None:
    data = tmp_path / "messy.csv"
    messy_csv(data)
    page.set_input_files("#data-upload", str(data))
    expect(page.locator("#data-summary")).to_contain_text("messy.csv", timeout=20_000)

    page.click("a[data-value='cleaning']")
    page.select_option("#cleaning-column", "sex")
    page.click("#cleaning-find")
    groups = page.locator("#cleaning-group-list .cleaning-group")
    expect(groups).to_have_count(2, timeout=20_000)
    expect(page.locator("#cleaning-stats-line")).to_contain_text("pairs")
    # The canonical label of each group is its most frequent spelling; name them plainly.
    for i in range(2):
        name = groups.nth(i).locator("input[type=text]")
        value = name.input_value()
        name.fill("Male" if value.strip().lower() in ("male", "m", "man") else "Female")
    page.click("#cleaning-apply")
    expect(page.locator("#cleaning-history-list li")).to_have_count(1, timeout=10_000)

    # The stats panel counts the cascade's work (shared by the server: at least this column),
    # in the details for administrators.
    open_admin_details(page)
    card = page.locator("#stats-cleaning-table")
    harmonised = card.locator("tr", has_text="columns harmonised").locator("td").nth(1)
    expect(harmonised).not_to_have_text("0", timeout=15_000)
    expect(card.locator("tr", has_text="embedding model")).to_contain_text("running")

    page.click("a[data-value='outcome']")
    page.select_option("#outcome-outcome", "complication")
    page.click("#outcome-run")
    table = page.locator("#table-combined")
    expect(table).to_be_visible(timeout=30_000)
    text = table.inner_text()
    assert "Female" in text and "Male" in text
    for variant in ("woman", "man\t", "\tM\t", "\tF\t"):
        assert variant not in text
