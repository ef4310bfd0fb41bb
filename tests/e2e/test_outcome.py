"""The outcome analysis in a real browser: example data, an uploaded CSV, numbers and the plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import expect

import logic
from tests.e2e.helpers import EXAMPLE, run_outcome, upload
from utils import data_io

pytestmark = pytest.mark.e2e


def expected(path):
    """What the page must show: logic.analyze_outcome with the UI's defaults on the same file."""
    dataset = data_io.read_table(path)
    return logic.analyze_outcome(dataset, "complication")


def adjusted_or_cells(result) -> list[str]:
    rows = result.multivariable[~result.multivariable["is_reference"]]
    return [f"{v:.2f}" for v in rows["estimate"]]


def test_example_analysis_shows_the_right_numbers_and_a_forest_plot(page):
    expect(page.locator("#dataset-shape")).to_contain_text("500 rows")
    run_outcome(page)

    reference = expected(EXAMPLE)
    model = reference.fit
    expect(page.locator("#outcome-fit_n")).to_contain_text(str(model.n_used))
    expect(page.locator("#outcome-fit_events")).to_contain_text(str(model.events))
    expect(page.locator("#outcome-fit_auc")).to_contain_text(f"{model.auc:.2f}")
    table = page.locator("#table-multivariable")
    for cell in adjusted_or_cells(reference):
        expect(table).to_contain_text(cell)
    combined = page.locator("#table-combined")
    expect(combined).to_contain_text("Reference")
    for variable in reference.fit.covariates_in_model:
        expect(combined).to_contain_text(variable)

    forest = page.locator("#forest-plot")
    expect(forest.locator(".main-svg").first).to_be_attached(timeout=15_000)
    points = forest.locator(".scatterlayer .point")
    assert points.count() >= len(adjusted_or_cells(reference))


def test_uploaded_csv_is_analysed(page, tmp_path):
    rng = np.random.default_rng(3)
    source = pd.read_csv(EXAMPLE)
    sample = source.sample(300, random_state=1)
    sample["frailty score"] = rng.integers(0, 10, len(sample))
    path = tmp_path / "my_cohort.csv"
    sample.to_csv(path, index=False, sep=";")

    upload(page, path)
    expect(page.locator("#dataset-shape")).to_contain_text("300 rows")
    run_outcome(page)

    reference = expected(path)
    expect(page.locator("#outcome-fit_n")).to_contain_text(str(reference.fit.n_used))
    table = page.locator("#table-multivariable")
    for cell in adjusted_or_cells(reference):
        expect(table).to_contain_text(cell)
    assert page.dialogs == []


def test_per_sd_changes_the_headings_and_the_odds_ratios(page):
    """Per unit first, then per SD: the age row says 'per SD (12.4)' and shows the per-SD OR."""
    expect(page.locator("#dataset-shape")).to_contain_text("500 rows")
    run_outcome(page)
    dataset = data_io.read_table(EXAMPLE)
    unit = logic.analyze_outcome(dataset, "complication")
    per_sd = logic.analyze_outcome(dataset, "complication", effect_scale="sd")
    age_unit = unit.multivariable.set_index("variable").loc["age", "estimate"]
    age_sd = per_sd.multivariable.set_index("variable").loc["age", "estimate"]
    per_text = per_sd.scales.set_index("variable").loc["age", "per_text"]
    assert per_text.startswith("per SD (") and f"{age_sd:.2f}" != f"{age_unit:.2f}"
    table = page.locator("#table-multivariable")
    expect(table).to_contain_text(f"{age_unit:.2f}")
    expect(table).not_to_contain_text("per SD")

    page.locator("#outcome-effect_scale input[value='sd']").check()
    run_outcome(page)
    age = table.locator("tr", has_text=f"{dataset.label('age')}, {per_text}")
    expect(age).to_have_count(1)
    expect(age).to_contain_text(f"{age_sd:.2f}")
    expect(page.locator("#table-combined caption")).to_contain_text("continuous covariates per SD")
    expect(page.locator("#table-combined tfoot")).to_contain_text("p-values do not depend")
    expect(page.locator("#forest-plot")).to_contain_text(per_text)
