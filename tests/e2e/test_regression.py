"""Browser: a linear regression on the example data shows statsmodels' coefficient and plots."""

from __future__ import annotations

import pandas as pd
import statsmodels.formula.api as smf
from playwright.sync_api import Page, expect

from tests.e2e.helpers import EXAMPLE, choose


def test_linear_regression_tables_forest_and_diagnostics(page: Page):
    page.locator("a[data-value='regression']").click()
    page.locator("#regression-outcome").wait_for(state="attached", timeout=20_000)
    page.locator("#regression-outcome").select_option("albumin")
    page.locator("#regression-covariates + .selectize-control").wait_for(timeout=10_000)
    choose(page, "regression-covariates", "age")
    choose(page, "regression-covariates", "asa_class")
    page.locator("input[name='regression-screen_mode'][value='all']").check()
    page.locator("#regression-run").click()
    expect(page.locator("#regression-status [data-state='done']")).to_be_visible(timeout=30_000)

    df = pd.read_csv(EXAMPLE).dropna(subset=["albumin", "age", "asa_class"])
    ols = smf.ols("albumin ~ age + C(asa_class)", data=df).fit()
    multi = page.locator("#regression-multi")
    expect(multi).to_contain_text(f"{ols.params['C(asa_class)[T.III]']:.2f}")
    expect(page.locator("#regression-method")).to_contain_text("Linear regression")
    expect(page.locator("#regression-fit")).to_contain_text(f"{ols.rsquared:.3f}")
    expect(page.locator("#regression-fit")).to_contain_text(f"{int(ols.nobs)}")
    expect(page.locator("#regression-table")).to_contain_text("Coefficient (univariable)")
    expect(page.locator("#regression-plot .main-svg").first).to_be_visible(timeout=10_000)
    diagnostics = page.locator("#regression-diagnostics-plot .main-svg").first
    expect(diagnostics).to_be_visible(timeout=10_000)
