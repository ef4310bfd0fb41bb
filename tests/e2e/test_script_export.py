"""The "Script (Python)" download in a real browser: downloaded from a tab, run on the raw
file in a subprocess (no MedStat on its path), every number equal to the app's result."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import logic
from analyses.specs import CorrelationSpec, DiagnosticSpec, PropensitySpec, Table1Spec
from modules.outcome.controls import suggested_covariates
from tests.e2e.helpers import (
    EXAMPLE,
    choose,
    click_run_and_wait,
    ensure_chosen,
    open_tab,
    run_outcome,
    select_when_offered,
    upload,
)
from tests.script_checks import assert_same_table, run_script
from utils import data_io

pytestmark = pytest.mark.e2e


def download_script(page: Page, tab: str) -> str:
    button = page.locator(f"#{tab}-download_script")
    expect(button).to_be_visible(timeout=30_000)
    with page.expect_download() as info:
        button.click()
    assert info.value.suggested_filename.endswith("_script.py")
    return Path(info.value.path()).read_text(encoding="utf-8")


def call_arguments(text: str, function: str) -> dict:
    """The literal keyword arguments of the script's call of `function`."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == function:
            return {k.arg: ast.literal_eval(k.value) for k in node.keywords}
    raise AssertionError(f"no call of {function}")


def test_outcome_script_from_the_tab_reproduces_its_tables(page: Page, tmp_path):
    run_outcome(page)
    text = download_script(page, "outcome")
    assert "import logic" not in text and "pip install" in text
    # It redoes every table of this run (the scales table too), so it names none as left out.
    assert "Not redone here" not in text and "outcome_1_scales" in text

    dataset = data_io.read_table(EXAMPLE)
    covariates = suggested_covariates(dataset, "complication").selected
    result = logic.analyze_outcome(dataset, "complication", covariates)
    tables = run_script(tmp_path, text, EXAMPLE)
    assert_same_table(tables["outcome_1_crude"], result.univariable, "crude")
    assert_same_table(tables["outcome_1_adjusted"], result.multivariable, "adjusted")
    assert_same_table(tables["outcome_1_vif"], result.vif, "vif")
    assert_same_table(tables["outcome_1_scales"], result.scales, "scales")


def test_table1_script_from_the_tab_reproduces_its_tables(page: Page, tmp_path):
    open_tab(page, "Table 1")
    group = page.locator("#table1-group")
    expect(group).to_be_visible(timeout=30_000)
    group.select_option("complication")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    click_run_and_wait(page, "table1")
    text = download_script(page, "table1")

    arguments = call_arguments(text, "table1")
    assert arguments["group"] == "complication"
    spec = Table1Spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in arguments.items()})
    result = logic.run("table1", data_io.read_table(EXAMPLE), spec)
    tables = run_script(tmp_path, text, EXAMPLE)
    assert_same_table(tables["table1_1_summaries"], result.cells, "summaries")
    assert_same_table(tables["table1_1_tests"], result.variables, "tests")


def test_correlation_script_from_the_tab_reproduces_its_pairs(page: Page, tmp_path):
    open_tab(page, "Correlation")
    click_run_and_wait(page, "correlation")
    text = download_script(page, "correlation")

    arguments = call_arguments(text, "correlations")
    spec = CorrelationSpec(tuple(arguments["columns"]), arguments["method"], arguments["adjust"])
    result = logic.run("correlation", data_io.read_table(EXAMPLE), spec)
    tables = run_script(tmp_path, text, EXAMPLE)
    assert_same_table(tables["correlation_1_pairs"], result.pairs, "pairs")


def test_the_script_redoes_the_cleaning_steps_even_after_a_reload(page: Page, tmp_path):
    """A row filter and value labels made on the page, a reload (the steps restored from the
    tab's saved state), then Table 1: the script redoes both steps on the raw file."""
    open_tab(page, "Data cleaning")
    page.locator("#cleaning-filters-column").select_option("age")
    page.locator("#cleaning-filters-op").select_option(">=")
    page.locator("#cleaning-filters-value").fill("40")
    expect(page.locator("#filter-preview")).to_contain_text("remain", timeout=10_000)
    page.locator("#cleaning-filters-apply").click()
    expect(page.locator("#cleaning-history-list li")).to_have_count(1, timeout=10_000)
    open_tab(page, "Data")
    page.locator("#data-values-column").select_option("smoking")
    editor = page.locator("#value-labels-table")
    expect(editor.locator("code")).to_have_text(["Current", "Former", "Never"], timeout=15_000)
    editor.locator("input").nth(2).fill("Never smoked")
    page.locator("#data-values-apply").click()
    expect(page.locator("#value-labels-done")).to_contain_text("Never = Never smoked")

    page.reload()
    page.wait_for_selector(".shiny-bound-output", timeout=30_000)
    open_tab(page, "Data cleaning")
    expect(page.locator("#cleaning-history-list li")).to_have_count(2, timeout=15_000)
    open_tab(page, "Table 1")
    page.locator("#table1-group").select_option("complication")
    expect(page.locator("#table1-variables + .selectize-control .item").first).to_be_visible(
        timeout=30_000
    )
    ensure_chosen(page, "table1-variables", "smoking")
    click_run_and_wait(page, "table1")
    text = download_script(page, "table1")
    assert text.count("'step': ") == 2

    raw = data_io.read_table(EXAMPLE)
    labels = {"Never": "Never smoked"}
    steps = [
        logic.propose_step("filter", raw, column="age", op=">=", values=("40",)).step,
        logic.propose_step("value_labels", raw, column="smoking", labels=labels).step,
    ]
    dataset = logic.prepare(raw, steps).dataset
    arguments = call_arguments(text, "table1")
    spec = Table1Spec(**{k: tuple(v) if isinstance(v, list) else v for k, v in arguments.items()})
    result = logic.run("table1", dataset, spec)
    assert "Never smoked" in set(result.cells["level"])
    tables = run_script(tmp_path, text, EXAMPLE)
    assert_same_table(tables["table1_1_summaries"], result.cells, "summaries")
    assert_same_table(tables["table1_1_tests"], result.variables, "tests")


def test_diagnostic_script_from_the_tab_reproduces_its_tables(page: Page, tmp_path):
    open_tab(page, "Diagnostic accuracy")
    ensure_chosen(page, "diagnostic-markers", "crp")
    ensure_chosen(page, "diagnostic-markers", "albumin")
    click_run_and_wait(page, "diagnostic")
    text = download_script(page, "diagnostic")

    arguments = call_arguments(text, "DiagnosticData")
    arguments["binary_tests"] = tuple(tuple(t) for t in arguments["binary_tests"])
    arguments["cutoffs"] = tuple(arguments["cutoffs"].items())
    arguments["markers"] = tuple(arguments["markers"])
    result = logic.run("diagnostic", data_io.read_table(EXAMPLE), DiagnosticSpec(**arguments))
    tables = run_script(tmp_path, text, EXAMPLE)
    for table in ("auc", "cutoffs", "accuracy", "comparisons"):
        assert_same_table(tables[f"diagnostic_1_{table}"], getattr(result, table), table)


PROPENSITY_DATA = Path(__file__).resolve().parents[2] / "data" / "example_propensity.csv"  # lalonde


def test_propensity_script_from_the_tab_reproduces_its_tables(page: Page, tmp_path):
    """The Propensity scores tab offers the script; run on the raw file it gives the score
    model, every patient's score and weight, the balance table and the analysis's numbers."""
    upload(page, PROPENSITY_DATA)
    open_tab(page, "Propensity scores")
    select_when_offered(page, "propensity-treatment", "treat", "treat")
    for name in ("age", "educ", "race", "re74"):
        choose(page, "propensity-covariates", name)
    click_run_and_wait(page, "propensity")
    text = download_script(page, "propensity")
    assert "Not redone here" not in text
    arguments = call_arguments(text, "propensity_tables")
    assert arguments["treatment"] == "treat" and arguments["method"] == "matching"
    spec = PropensitySpec(**{k: tuple(v) if isinstance(v, list) else v
                             for k, v in arguments.items()})  # fmt: skip
    result = logic.run("propensity", data_io.read_table(PROPENSITY_DATA), spec)
    tables = run_script(tmp_path, text, PROPENSITY_DATA)
    assert_same_table(tables["propensity_1_model"], result.model, "model")
    assert_same_table(tables["propensity_1_scores"], result.scores, "scores")
    assert_same_table(tables["propensity_1_balance"], result.balance, "balance")
    status = page.locator("#propensity-status")
    expect(status).to_contain_text(f"{result.summary.n_matched_treated} treated matched")
