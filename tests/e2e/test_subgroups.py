"""Subgroups and interactions in a real browser: the Survival tab against R, the Outcome tab
against the analysis it runs.

Survival: R's lung (tests/data/lung.csv), age adjusted for ph.karno; the hazard ratio of age
within each sex and the likelihood-ratio p of age × sex are R's (tests/r/interactions.R,
stored in tests/r/interactions.csv). Outcome: R's infert (tests/data/infert.csv), the odds
ratio of spontaneous abortions per level of education.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect

from analyses.outcome import analyze as analyze_outcome
from analyses.specs import OutcomeSpec
from modules.shared.formatting import fmt_p
from modules.shared.modifier_view import Effect, effect_text
from tests.e2e.helpers import choose, click_run_and_wait, open_tab, select_when_offered, upload
from utils.data_io import dataset_from_frame
from utils.dataset import FACTOR_KINDS

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[1]
R = pd.read_csv(ROOT / "r" / "interactions.csv", keep_default_na=False)
HR = Effect("HR", "hazard ratio", ratio=True)


def test_survival_subgroups_and_interaction_show_r_numbers(page, tmp_path):
    path = tmp_path / "lung_subgroups.csv"
    lung = pd.read_csv(ROOT / "data" / "lung.csv", na_values=".")
    lung = lung.dropna(subset=["time", "status", "age", "sex", "ph.karno"])
    lung[["time", "status", "age", "sex", "ph.karno"]].to_csv(path, index=False)
    upload(page, path)
    open_tab(page, "Survival")
    expect(page.locator("#survival-time")).to_have_value("time", timeout=15_000)
    for name in ("age", "ph.karno"):
        choose(page, "survival-covariates", name)
    select_when_offered(page, "survival-subgroup_exposure", "age", ready="ph.karno")
    choose(page, "survival-subgroups", "sex")
    choose(page, "survival-interactions", "age × sex")
    click_run_and_wait(page, "survival")

    reference = R[R["scenario"] == "lung"]
    p_interaction = fmt_p(float(reference["interaction_p"].iloc[0]))
    subgroups = page.locator("#survival-subgroup-table")
    interactions = page.locator("#survival-interaction-table")
    for row in reference.itertuples():
        cell = effect_text(HR, float(row.estimate), float(row.ci_low), float(row.ci_high))
        table = subgroups if row.what == "subgroup" else interactions
        expect(table).to_contain_text(cell)
    expect(subgroups).to_contain_text(p_interaction)
    expect(interactions).to_contain_text(f"{p_interaction} (df 1)")
    plot = page.locator("#survival-subgroup-plot")
    expect(plot.locator(".main-svg").first).to_be_attached(timeout=15_000)
    expect(plot).to_contain_text("p for interaction")
    expect(page.locator("#survival-download_modifiers")).to_be_visible()
    assert page.dialogs == []


def test_outcome_interaction_per_level_and_a_clear_error(page, tmp_path):
    path = tmp_path / "infert_subgroups.csv"
    infert = pd.read_csv(ROOT / "data" / "infert.csv")
    infert = infert[["case", "spontaneous", "age", "parity", "education"]].copy()
    # A clinic whose small second site saw no cases: a subgroup level with no events.
    controls = infert.index[infert["case"] == 0][:8]
    infert["clinic"] = "A"
    infert.loc[controls, "clinic"] = "B"
    infert.to_csv(path, index=False)
    upload(page, path)
    open_tab(page, "Outcome analysis")
    page.locator("#outcome-outcome").select_option("case")
    page.locator("input[name='outcome-screen_mode'][value='all']").check()
    chosen = page.locator("#outcome-covariates + .selectize-control .item")
    expect(chosen.first).to_be_visible(timeout=30_000)
    wanted = ("spontaneous", "age", "parity", "education")
    for name in wanted:
        if chosen.filter(has_text=name).count() == 0:
            choose(page, "outcome-covariates", name)
    if chosen.filter(has_text="clinic").count():
        chosen.filter(has_text="clinic").click()
        page.keyboard.press("Backspace")
    expect(chosen).to_have_count(len(wanted))
    choose(page, "outcome-interactions", "spontaneous × education")
    click_run_and_wait(page, "outcome")

    kinds = dataset_from_frame(infert).columns
    spec = OutcomeSpec(
        outcome="case", event="1", covariates=wanted, screen_p=None,
        categorical=tuple(c for c in wanted if kinds[c].kind in FACTOR_KINDS),
        interactions=(("spontaneous", "education"),),
    )  # fmt: skip
    expected = analyze_outcome(infert, spec).interactions
    assert len(expected) >= 3
    interactions = page.locator("#outcome-interaction-table")
    effect = Effect("OR", "odds ratio", ratio=True)
    for row in expected.itertuples():
        cell = effect_text(effect, row.estimate, row.ci_low, row.ci_high)
        expect(interactions).to_contain_text(cell)
        expect(interactions).to_contain_text(str(row.modifier_level))
    expect(interactions).to_contain_text(fmt_p(expected["interaction_p"].iloc[0]))

    # A subgroup level without events: the run fails with a sentence that says what to do.
    select_when_offered(page, "outcome-subgroup_exposure", "age", ready="education")
    choose(page, "outcome-subgroups", "clinic")
    page.locator("#outcome-run").click()
    error = page.locator("#outcome-status [data-state=error]")
    expect(error).to_contain_text("No patient with clinic = 'B' has the event", timeout=60_000)
    expect(error).to_contain_text("Combine that level with another")
    assert page.dialogs == []
