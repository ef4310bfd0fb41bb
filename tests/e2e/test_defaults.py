"""Defaults a careful statistician would choose, in a real browser on R's lung data and on a
file holding the outcome twice: the survival event is 'status' with 2 as the event, no
regression outcome is guessed (never 'inst'), the Outcome tab pre-selects a suggestion that
leaves out the outcome recorded another way (and warns when the user adds it), and ph.karno
reads as a measurement."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import choose, open_tab, run_outcome, upload

pytestmark = pytest.mark.e2e
LUNG = Path(__file__).resolve().parents[1] / "data" / "lung.csv"


def kind_select(page: Page, column: str):
    name = page.locator("code", has_text=re.compile(f"^{re.escape(column)}$"))
    return page.locator("#column-table tr", has=name).locator("select")


def test_lung_defaults(page: Page):
    upload(page, LUNG)
    expect(kind_select(page, "ph.karno")).to_have_value("continuous")
    expect(kind_select(page, "ph.ecog")).to_have_value("categorical")
    expect(kind_select(page, "inst")).to_have_value("categorical")

    open_tab(page, "Survival")
    expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
    expect(page.locator("#survival-event")).to_have_value("status")
    expect(page.locator("#survival-event_level")).to_have_value("2")
    expect(page.locator("#survival-event_level_control .form-text")).to_have_count(0)

    open_tab(page, "Regression")
    outcome = page.locator("#regression-outcome")
    expect(outcome).to_have_value("", timeout=15_000)
    expect(outcome.locator("option:checked")).to_have_text("Choose the outcome")
    page.locator("#regression-run").click()
    expect(page.locator("#regression-status")).to_contain_text("Choose a continuous or count")


def outcome_twice(path: Path) -> Path:
    """240 patients: the outcome 'death' 0/1 and again as 'death_text', a site code, covariates."""
    rng = np.random.default_rng(12)
    n = 240
    age = rng.integers(35, 90, n)
    death = (rng.random(n) < 0.15 + 0.35 * (age > 70)).astype(int)
    pd.DataFrame(
        {
            "record": np.arange(1, n + 1),
            "center": rng.choice([2, 4, 7, 9, 11], n),
            "death": death,
            "death_text": np.where(death == 1, "dead", "alive"),
            "age": age,
            "sex": rng.choice(["F", "M"], n),
            "bmi": rng.normal(27, 4, n).round(1),
            "cens": rng.choice([0, 1], n),
            "futime": rng.integers(10, 2000, n),
        }
    ).to_csv(path, index=False)
    return path


def test_outcome_suggestion_leaves_out_the_outcome_recorded_another_way(page: Page, tmp_path):
    upload(page, outcome_twice(tmp_path / "outcome_twice.csv"))
    open_tab(page, "Outcome analysis")
    expect(page.locator("#outcome-outcome")).to_have_value("death", timeout=15_000)
    items = page.locator("#outcome-covariates + .selectize-control .item")
    expect(items.first).to_be_visible(timeout=15_000)
    expect(items).to_have_count(3)  # not every eligible column
    assert items.evaluate_all("els => els.map(e => e.dataset.value)") == ["age", "sex", "bmi"]
    note = page.locator("#outcome-covariates_control .form-text")
    expect(note).to_contain_text("'death_text' (the outcome recorded another way)")
    expect(note).to_contain_text("'center' (an identifier or site code)")

    choose(page, "outcome-covariates", "death_text")
    run_outcome(page)
    expect(page.locator("#outcome-results")).to_contain_text(
        "'death_text' looks like the outcome recorded another way: every patient with 'dead' "
        "had the event and every 'alive' did not. Leave it out: a model cannot use the outcome "
        "to predict itself."
    )

    open_tab(page, "Survival")
    expect(page.locator("#survival-time")).to_have_value("futime", timeout=15_000)
    expect(page.locator("#survival-event")).to_have_value("death")
    page.locator("#survival-event").select_option("cens")
    censor_note = page.locator("#survival-event_level_control .form-text")
    expect(censor_note).to_contain_text("Check: in some files 1 means")
    expect(page.locator("#survival-event_level")).to_have_value("1")
