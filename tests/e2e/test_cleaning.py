"""Browser tests: clean a messy sex column, then the outcome analysis shows the merged levels;
and a column that needs the embedding model starts it under the app's default settings."""

from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import serve_app
from tests.e2e.helpers import open_admin_details, open_tab
from utils.memory_limit import machine_limit_mb, resolve_limit

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
    # Spellings and abbreviations settle every pair: the model is not asked.
    line = page.locator("#cleaning-stats-line")
    expect(line).to_contain_text("no uncertain pairs, the embedding model was not needed")
    expect(line).to_have_attribute("data-mode", "rapidfuzz")
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

    page.click("a[data-value='outcome']")
    page.select_option("#outcome-outcome", "complication")
    page.click("#outcome-run")
    table = page.locator("#table-combined")
    expect(table).to_be_visible(timeout=30_000)
    text = table.inner_text()
    assert "Female" in text and "Male" in text
    for variant in ("woman", "man\t", "\tM\t", "\tF\t"):
        assert variant not in text


DIAGNOSES = {
    "Myocardial infarction": 30,
    "myocardial infarction ": 5,
    "Myocard infarct": 4,  # neither a spelling variant nor an abbreviation: the model is asked
    "Stroke": 20,
    "stroke": 4,
}


@pytest.mark.skipif(
    resolve_limit(0)[0] < machine_limit_mb(2048),
    reason="the model runs by default on hosts of 2 GB or more; this one's budget is smaller",
)
def test_an_uncertain_pair_starts_the_model_under_the_default_settings(page: Page, tmp_path):
    """The shared app runs as `make run` does: no MEDSTAT_MEMORY_LIMIT_MB (conftest drops it), so
    the budget is the machine's default, and it has room for the model."""
    the_model_settles_a_pair(page, tmp_path)


def test_a_2gb_machines_default_budget_runs_the_model_below_the_warn_line(browser, tmp_path):
    """The goal's smallest host: its default budget (half of 2 GB), set here through the variable
    because physical memory cannot be faked. Server and model together stay under 80%, where the
    cleanups would stop the model again."""
    limit = f"{machine_limit_mb(2048):g}"
    with serve_app(tmp_path / "server.log", memory_limit_mb=limit) as url:
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            page = context.new_page()
            page.goto(url)
            page.wait_for_selector(".shiny-bound-output", timeout=30_000)
            the_model_settles_a_pair(page, tmp_path)
            headline = page.locator("#stats-memory")
            expect(headline).to_have_text(re.compile(r"^Memory \d+% of the limit$"))
            used = int(re.search(r"\d+", headline.inner_text()).group())
            assert 40 <= used < 80, headline.inner_text()  # ~190 + ~310 MB of 1024
        finally:
            context.close()


def the_model_settles_a_pair(page: Page, tmp_path) -> None:
    """Upload diagnoses with a pair only the model can settle, find groups, and read the cleaning
    tab and the stats panel: the model runs, says its MB, and is counted in the memory in use."""
    data = tmp_path / "diagnoses.csv"
    rows = [
        f"P{i:03d},{label}" for i, label in enumerate(DIAGNOSES) for _ in range(DIAGNOSES[label])
    ]
    data.write_text("patient_id,diagnosis\n" + "\n".join(rows) + "\n")
    page.set_input_files("#data-upload", str(data))
    expect(page.locator("#data-summary")).to_contain_text("diagnoses.csv", timeout=20_000)

    page.click("a[data-value='cleaning']")
    page.select_option("#cleaning-column", "diagnosis")
    page.click("#cleaning-find")
    line = page.locator("#cleaning-stats-line")
    # The model starts in its own process (a few seconds) and takes part in the comparison.
    expect(line).to_have_attribute("data-mode", "embeddings", timeout=90_000)
    expect(line).to_contain_text("embedding model used for 1 uncertain pair(s)")
    expect(page.locator("#cleaning-worker")).to_have_text(
        re.compile(r"^Embedding model running, [1-9]\d{2} MB of memory\. $")
    )
    groups = page.locator("#cleaning-group-list .cleaning-group")
    expect(groups).to_have_count(2)
    infarction = groups.filter(has_text="Myocard infarct")
    expect(infarction.locator("input[type=text]")).to_have_value("Myocardial infarction")

    # The stats panel says so in plain words, and counts the model's memory in the server's.
    open_tab(page, "Server stats")
    model_running = re.compile(
        r"The language model that compares labels in Data cleaning is running: [1-9]\d{2} MB of "
        r"the memory in use"
    )
    expect(page.get_by_text(model_running)).to_be_visible(timeout=15_000)
    open_admin_details(page)
    state = page.locator("#stats-cleaning-table tr", has_text="Embedding model").locator("td")
    expect(state.nth(1)).to_have_text(re.compile(r"^running, [1-9]\d{2} MB \(peak \d+ MB\)$"))
    worker = page.locator("#stats-admin-memory tr", has_text="embedding model's process")
    expect(worker.locator("td").nth(1)).to_have_text(re.compile(r"^[1-9]\d{2} MB$"))
