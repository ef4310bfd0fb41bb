"""The project file through the page: run two tabs, save the project, open it in a fresh tab
with the same data (the tabs come back as they were, run again), and with other data (what
differs is listed and nothing is applied). The methods card describes only what was run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from playwright.sync_api import Browser, Page, expect

import logic
from modules.shared.project_json import read_specs
from tests.e2e.conftest import serve_app
from tests.e2e.helpers import EXAMPLE, open_tab, run_tab, upload
from tests.script_checks import assert_same_table, run_script
from utils import data_io

pytestmark = pytest.mark.e2e

TAB = "Paper & project"


def fresh_page(browser: Browser, url: str) -> Page:
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    return page


def run_table1_and_outcome(page: Page) -> None:
    open_tab(page, "Table 1")
    group = page.locator("#table1-group")
    expect(group).to_be_visible(timeout=30_000)
    group.select_option("asa_class")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    run_tab(page, "table1")
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("input[name='outcome-method'][value='firth']").check()
    run_tab(page, "outcome")


def download(page: Page, selector: str, folder: Path) -> Path:
    open_tab(page, TAB)
    with page.expect_download(timeout=60_000) as info:
        page.locator(selector).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def save_project(page: Page, folder: Path) -> Path:
    return download(page, "#paper-save_project", folder)


def open_project(page: Page, path: Path) -> None:
    open_tab(page, TAB)
    page.set_input_files("#paper-open_project", str(path))


def test_save_then_open_with_the_same_data_restores_the_tabs(
    browser: Browser, page: Page, app_url: str, tmp_path: Path
):
    open_tab(page, TAB)
    expect(page.locator("#methods-empty")).to_be_visible(timeout=15_000)  # nothing run yet
    run_table1_and_outcome(page)

    open_tab(page, TAB)
    methods = page.locator("#methods-text")
    expect(methods).to_contain_text("Baseline characteristics", timeout=15_000)
    expect(methods).to_contain_text("groups of asa_class")
    expect(methods).to_contain_text("fitted by Firth's penalized likelihood, as chosen")
    # No imputation was done: "not imputed" only, no chained equations, no Rubin's rules.
    for absent in ("Kaplan", "Survival analysis", "ROC", "Correlation", "chained", "Rubin"):
        expect(methods).not_to_contain_text(absent)

    paper = download(page, "#paper-paper_docx", tmp_path)
    document = Document(str(paper))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "Statistical analysis" and texts[1].startswith("Baseline characteristics.")
    captions = [t for t in texts if t.startswith("Table ")]
    assert captions[0].startswith("Table 1. Baseline characteristics by asa_class")
    assert len(document.tables) >= 2 and any(t.startswith("Table 2. ") for t in texts)
    text = download(page, "#paper-methods_txt", tmp_path).read_text()
    assert "Firth" in text and "References" in text and "Kaplan" not in text
    script = download(page, "#paper-session_script", tmp_path)
    assert script.name.endswith("_script.py")
    code = script.read_text()
    assert "def main():" in code and "table1_1_tests" in code and "outcome_2_adjusted" in code
    assert "# Not in this script" not in code  # both analyses can be scripted
    assert "imputed data" not in code and "multiple imputation" not in code

    path = save_project(page, tmp_path)
    assert path.name.endswith("_project.json")
    doc = json.loads(path.read_text())
    assert doc["format"] == "medstat-project" and doc["includes_data"] is False
    assert doc["imputation"] is None
    assert doc["data"]["name"] == EXAMPLE.name
    assert doc["tabs"]["table1"]["settings"]["v"]
    assert doc["tabs"]["outcome"]["spec"]["v"]["method"] == "firth"
    first_id = pd.read_csv(EXAMPLE)["patient_id"].iloc[0]
    assert first_id not in path.read_text()  # no patient value without the box ticked
    page.locator("#paper-include_data").check()
    with_data = save_project(page, tmp_path)
    assert with_data.name.endswith("_project_with_data.json")
    doc = json.loads(with_data.read_text())
    assert doc["includes_data"] is True and first_id in doc["data_csv"]
    # A figure's edited words travel with the project (as the figure panel keeps them).
    doc = json.loads(path.read_text())
    assert doc["figures"] == {}  # no words edited in this session
    doc["figures"] = {"outcome.figure.forest": {"xaxis": "Odds ratio (from the project)"}}
    path.write_text(json.dumps(doc))

    other = fresh_page(browser, app_url)  # a new tab: the example data, every default
    try:
        open_tab(other, "Outcome analysis")
        expect(other.locator("input[name='outcome-method'][value='auto']")).to_be_checked(
            timeout=30_000
        )
        with other.expect_navigation(timeout=30_000):  # the project is applied by a reload
            open_project(other, path)
        other.wait_for_selector(".shiny-bound-output", timeout=30_000)

        open_tab(other, TAB)
        message = other.locator("#project-message[data-state=ok]")
        expect(message).to_contain_text("Project opened", timeout=30_000)
        expect(message).to_contain_text("2 run again")
        expect(message).to_contain_text("the words of 1 figure(s)")

        open_tab(other, "Table 1")
        expect(other.locator("#table1-group")).to_have_value("asa_class", timeout=30_000)
        expect(other.locator("#table1-status [data-state=done]")).to_have_count(1, timeout=60_000)
        expect(other.locator("#table1-stale [data-state=stale]")).to_have_count(0)
        open_tab(other, "Outcome analysis")
        expect(other.locator("input[name='outcome-method'][value='firth']")).to_be_checked()
        expect(other.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=60_000)
        expect(other.locator("#outcome-stale [data-state=stale]")).to_have_count(0)
        words = other.locator("input[id^='outcome-forest_t']")
        expect(words.and_(other.locator("[value='Odds ratio (from the project)']"))).to_have_count(
            1, timeout=30_000
        )

        open_tab(other, TAB)
        expect(other.locator("#methods-text")).to_contain_text("groups of asa_class")
    finally:
        other.context.close()


def test_the_imputation_settings_travel_with_the_project(
    browser: Browser, page: Page, app_url: str, tmp_path: Path
):
    """Impute (m = 3) and pool the Outcome model; the project keeps the settings, and opened
    on another server (nothing in its cache) with the same data, the card, the option and the
    pooled table come back: imputed again with the same seed, the same numbers."""
    open_tab(page, "Data cleaning")
    m = page.locator("#cleaning-imputation-m")
    expect(m).to_be_visible(timeout=30_000)
    m.fill("3")
    page.locator("#cleaning-imputation-seed").fill("4242")
    page.locator("#cleaning-imputation-run").click()
    expect(page.locator("#imputation-status")).to_have_attribute("data-state", "done",
                                                                 timeout=120_000)  # fmt: skip
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-covariates + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    page.locator("#outcome-imputed").check()
    run_tab(page, "outcome")
    pooled = page.locator("#outcome-pooled-table")
    expect(pooled).to_contain_text("m = 3 imputations", timeout=60_000)
    first = pooled.locator("tbody tr").first.inner_text()

    open_tab(page, TAB)
    expect(page.locator("#methods-text")).to_contain_text("imputed by chained equations (m = 3")
    path = save_project(page, tmp_path)
    doc = json.loads(path.read_text())
    assert doc["version"] == 2
    assert doc["imputation"]["v"]["m"] == 3 and doc["imputation"]["v"]["seed"] == 4242
    assert doc["tabs"]["outcome"]["spec"]["v"]["imputation"]["v"]["m"] == 3
    # The session's script imputes as the page did and pools the same model: its numbers are
    # logic's for the project's spec.
    code = download(page, "#paper-session_script", tmp_path).read_text()
    assert "impute_data(" in code and "seed=4242" in code
    spec = read_specs(path.read_text(), max_bytes=2**20)["outcome"]
    expected = logic.run("outcome", data_io.read_table(EXAMPLE), spec).pooled
    (tmp_path / "script").mkdir()
    tables = run_script(tmp_path / "script", code, EXAMPLE)
    assert_same_table(tables["outcome_1_pooled"], expected.estimates, "pooled")

    with serve_app(tmp_path / "second.log") as second:
        check_reopened(fresh_page(browser, second), path, first)
    log = (tmp_path / "second.log").read_text()
    assert "imputation computed" in log  # not from a cache: made again, the same numbers


def check_reopened(other: Page, path: Path, first: str) -> None:
    try:
        with other.expect_navigation(timeout=30_000):
            open_project(other, path)
        other.wait_for_selector(".shiny-bound-output", timeout=30_000)
        open_tab(other, TAB)
        message = other.locator("#project-message[data-state=ok]")
        expect(message).to_contain_text("the multiple imputation (m = 3", timeout=30_000)
        expect(message).to_contain_text("seed 4242")
        open_tab(other, "Outcome analysis")
        expect(other.locator("#outcome-imputed")).to_be_checked(timeout=30_000)
        expect(other.locator("#outcome-status [data-state=done]")).to_have_count(1, timeout=60_000)
        expect(other.locator("#outcome-stale [data-state=stale]")).to_have_count(0)
        again = other.locator("#outcome-pooled-table")
        expect(again).to_contain_text("m = 3 imputations", timeout=60_000)
        expect(again.locator("tbody tr").first).to_have_text(first)
        open_tab(other, "Data cleaning")
        expect(other.locator("#cleaning-imputation-m")).to_have_value("3", timeout=30_000)
        expect(other.locator("#cleaning-imputation-seed")).to_have_value("4242")
        expect(other.locator("#imputation-status")).to_have_attribute(
            "data-state", "done", timeout=60_000
        )
        expect(other.locator("#imputation-methods")).to_contain_text("m = 3 imputations")
        open_tab(other, TAB)
        expect(other.locator("#methods-text")).to_contain_text("imputed by chained equations")
    finally:
        other.context.close()


def test_other_data_lists_what_differs_and_applies_nothing(
    browser: Browser, page: Page, app_url: str, tmp_path: Path
):
    run_table1_and_outcome(page)
    path = save_project(page, tmp_path)

    changed = tmp_path / "other_cohort.csv"
    df = pd.read_csv(EXAMPLE).drop(columns=["crp"]).head(300)
    df.assign(ward=["A", "B", "C"] * 100).to_csv(changed, index=False)
    other = fresh_page(browser, app_url)
    try:
        upload(other, changed)
        open_project(other, path)
        message = other.locator("#project-message[data-state=differs]")
        expect(message).to_contain_text("nothing was applied", timeout=30_000)
        expect(message).to_contain_text(f"saved with '{EXAMPLE.name}'")
        expect(message).to_contain_text("Columns missing from the data now (1): crp")
        expect(message).to_contain_text("did not have (1): ward")
        expect(message).to_contain_text("has 300")
        open_tab(other, "Outcome analysis")
        expect(other.locator("input[name='outcome-method'][value='auto']")).to_be_checked()
        expect(other.locator("#outcome-status [data-state=idle]")).to_have_count(1)
    finally:
        other.context.close()


def test_a_damaged_file_gets_a_sentence(page: Page, tmp_path: Path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"format": "medstat-project", "version": 1, "data": {')
    open_project(page, bad)
    message = page.locator("#project-message[data-state=error]")
    expect(message).to_contain_text("not JSON text", timeout=30_000)
    foreign = tmp_path / "package.json"
    foreign.write_text('{"name": "left-pad", "version": "1.3.0"}')
    open_project(page, foreign)
    expect(message).to_contain_text("not a MedStat project", timeout=30_000)
