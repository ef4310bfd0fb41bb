"""The Survival tab in a real browser: R's lung data uploaded, numbers and both plots shown.

Reference values: R survival 3.x, survfit(Surv(time, status) ~ sex, data = lung) prints
medians 270 (212, 310) for men and 426 (348, 550) for women; survdiff gives p = 0.00131.
The hazard ratios shown must equal analyses.survival.analyze on the same file and choices.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from analyses.specs import SurvivalSpec
from analyses.survival import analyze

pytestmark = pytest.mark.e2e
LUNG = Path(__file__).resolve().parents[1] / "data" / "lung.csv"


def lung_file(tmp_path: Path) -> Path:
    df = pd.read_csv(LUNG, na_values=".")[["time", "status", "age", "sex"]]
    df["sex"] = df["sex"].map({1: "Male", 2: "Female"})
    path = tmp_path / "lung_survival.csv"
    df.to_csv(path, index=False)
    return path


def test_lung_by_sex_with_age_shows_r_numbers_and_plots(page, tmp_path):
    path = lung_file(tmp_path)
    # Exact tab names: "Data" is also the start of other tabs' names.
    page.get_by_role("tab", name="Data", exact=True).click()
    page.set_input_files("#data-upload", str(path))
    expect(page.locator("#dataset-name")).to_contain_text(path.name, timeout=30_000)
    page.get_by_role("tab", name="Survival", exact=True).click()
    expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
    expect(page.locator("#survival-event")).to_have_value("status")
    expect(page.locator("#survival-event_level")).to_have_value("2")
    page.select_option("#survival-group", "sex")
    covariates = page.locator("#survival-covariates + .selectize-control input")
    expect(covariates).to_be_visible()
    covariates.fill("age")
    covariates.press("Enter")
    expect(page.locator("#survival-covariates + .selectize-control .item")).to_have_count(1)

    page.locator("#survival-run").click()
    expect(page.locator("#survival-status [data-state=done]")).to_have_count(1, timeout=60_000)

    medians = page.locator("#survival-medians")
    expect(medians).to_contain_text("270 (212–310)")
    expect(medians).to_contain_text("426 (348–550)")
    expect(page.locator("#survival-box_logrank")).to_contain_text("0.001")
    expect(page.locator("#survival-risk-table")).to_contain_text("138 (0)")

    spec = SurvivalSpec(
        event="status", time="time", event_level="2", group="sex", covariates=("age",)
    )
    reference = analyze(pd.read_csv(path), spec).multivariable
    hazards = page.locator("#survival-table")
    for row in reference[~reference["is_reference"]].itertuples():
        expect(hazards).to_contain_text(f"{row.estimate:.2f} ({row.ci_low:.2f}–{row.ci_high:.2f}")
    expect(page.locator("#survival-ph")).to_contain_text("Global")

    plot = page.locator("#survival-plot")
    expect(plot.locator(".main-svg").first).to_be_attached(timeout=15_000)
    assert plot.locator(".scatterlayer .trace").count() >= 4  # two curves, their bands
    forest = page.locator("#survival-forest")
    expect(forest.locator(".main-svg").first).to_be_attached(timeout=15_000)
    assert page.dialogs == []
