"""Stratified Cox in a real browser: the PH advice points to 'Stratify by', and the
stratified fit shows R's hazard ratios, the PH test after stratifying and a curve per stratum.

Data: R's lung (NCCTG lung cancer trial, tests/data/lung.csv). Reference:
tests/r/survival_strata.R, `coxph(Surv(time, status) ~ age + ph.karno + strata(sex))` and its
`cox.zph` (stored in tests/r/survival_strata.csv). Unstratified, ph.karno fails the PH check.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import choose, click_run_and_wait, open_tab, upload

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
R = pd.read_csv(ROOT / "r" / "survival_strata.csv", keep_default_na=False)


def r_value(what: str, name: str) -> float:
    row = R[(R["scenario"] == "lung_sex") & (R["what"] == what) & (R["name"] == name)]
    return float(row["value"].iloc[0])


def test_stratify_by_sex_shows_r_numbers_and_curves_per_stratum(page, tmp_path):
    path = tmp_path / "lung_strata.csv"
    lung = pd.read_csv(ROOT / "data" / "lung.csv", na_values=".")
    lung[["time", "status", "age", "sex", "ph.karno"]].to_csv(path, index=False)
    upload(page, path)
    open_tab(page, "Survival")
    expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
    expect(page.locator("#survival-event")).to_have_value("status")
    for name in ("age", "ph.karno", "sex"):
        choose(page, "survival-covariates", name)

    click_run_and_wait(page, "survival")
    # ph.karno breaks proportional hazards: the advice names the control to use.
    expect(page.locator("div[role=alert]")).to_contain_text("'Stratify by'")

    choose(page, "survival-strata", "sex")
    # A stratum is not a covariate: sex leaves the covariates.
    covariates = page.locator("#survival-covariates + .selectize-control .item")
    expect(covariates).to_have_count(2)
    expect(page.get_by_text("baseline hazard per stratum")).to_be_visible()
    click_run_and_wait(page, "survival")

    hazards = page.locator("#survival-table")
    expect(hazards).to_contain_text("stratified by sex (2 strata)")
    for term in ("age", "ph.karno"):
        coef, se = r_value("coef", term), r_value("se", term)
        low, high = math.exp(coef - 1.959964 * se), math.exp(coef + 1.959964 * se)
        expect(hazards).to_contain_text(f"{math.exp(coef):.2f} ({low:.2f}–{high:.2f}")
    ph = page.locator("#survival-ph")
    expect(ph).to_contain_text("stratified by sex")
    expect(ph).to_contain_text(f"{r_value('zph_chisq', 'ph.karno'):.2f}")
    medians = page.locator("#survival-medians")
    expect(medians).to_contain_text("sex=1")
    expect(medians).to_contain_text("270 (212–310)")  # R survfit(~ sex): one curve per stratum
    expect(medians).to_contain_text("426 (348–550)")
    expect(page.locator("#survival-box_logrank")).to_contain_text("between strata of sex")
    plot = page.locator("#survival-plot")
    expect(plot.locator(".main-svg").first).to_be_attached(timeout=15_000)
    assert plot.locator(".scatterlayer .trace").count() >= 4  # two curves, their bands
    assert page.dialogs == []
