"""Readable effects in the browser: a continuous covariate per 10 units in a second tab, and an
effect far beyond the forest plot's range drawn clipped, with a bounded axis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from playwright.sync_api import Page, expect

from tests.e2e.helpers import ensure_chosen, open_tab, run_tab, upload

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
LUNG = ROOT / "tests" / "data" / "lung.csv"


def test_survival_hazard_ratio_per_10_years(page: Page):
    upload(page, LUNG)
    open_tab(page, "Survival")
    expect(page.locator("#survival-event")).to_have_value("status", timeout=20_000)
    ensure_chosen(page, "survival-covariates", "age")
    page.locator("#survival-effect_scale input[value='10']").check()
    run_tab(page, "survival")

    lung = pd.read_csv(LUNG).dropna(subset=["time", "status", "age"])
    event = (lung["status"] == 2).astype(int)
    cox = sm.PHReg(lung["time"], lung[["age"]] / 10, status=event, ties="efron")
    hr = float(np.exp(cox.fit().params[0]))  # statsmodels fitted directly on age / 10
    table = page.locator("#survival-table")
    expect(table).to_contain_text("per 10 units")
    expect(table).to_contain_text(f"{hr:.2f}")


@pytest.fixture
def separated(tmp_path: Path) -> Path:
    """A marker that predicts the outcome perfectly: standard logistic regression diverges."""
    rng = np.random.default_rng(3)
    n = 300
    marker = np.where(rng.random(n) < 0.3, "Present", "Absent")
    score = rng.normal(size=n) * 50
    died = np.where(marker == "Present", "Yes", np.where(rng.random(n) < 0.25, "Yes", "No"))
    path = tmp_path / "separated.csv"
    pd.DataFrame({"died": died, "marker": marker, "score": score}).to_csv(path, index=False)
    return path


def test_an_effect_beyond_the_forest_plot_is_clipped_not_drawn_to_infinity(
    page: Page, separated: Path
):
    upload(page, separated)
    open_tab(page, "Outcome analysis")
    page.locator("#outcome-outcome").select_option("died")
    ensure_chosen(page, "outcome-covariates", "marker")
    ensure_chosen(page, "outcome-covariates", "score")
    page.locator("input[name='outcome-method'][value='logit']").check()
    page.locator("input[name='outcome-screen_mode'][value='all']").check()
    run_tab(page, "outcome", timeout=120_000)

    plot = page.locator("#forest-plot")
    expect(plot.locator(".main-svg").first).to_be_visible(timeout=30_000)
    ticks = plot.locator(".xtick").count()
    assert 2 <= ticks <= 15, ticks  # a bounded axis, not thousands of decades
    # The estimate is still in the table, as big as it is.
    expect(page.locator("#table-multivariable")).to_contain_text(">9999")
    # The per-unit OR of the score reads with enough decimals to tell its CI apart.
    score = page.locator("#table-multivariable tr", has_text="score")
    expect(score).not_to_contain_text("1.00 (1.00–1.00")
