"""Readable effects: '1.00 (1.00–1.00)' gets the decimals that tell it apart and a note naming a
better scale; tables, captions, footnotes and CSVs say what continuous estimates are per."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest

import logic
from analyses import outcome, regression, survival
from analyses.errors import AnalysisError
from analyses.specs import OutcomeSpec, RegressionSpec, SurvivalSpec
from modules.outcome import documents as outcome_documents
from modules.outcome import figures as outcome_figures
from modules.outcome import report as outcome_report
from modules.outcome import tables as outcome_tables
from modules.outcome.result_view import ResultView
from modules.regression import controls as rc
from modules.regression import tables as regression_tables
from modules.regression.view import RegressionView, estimate_cell, fmt_interval
from modules.shared import effect_scale
from modules.shared.controls import Raw, Settings
from modules.shared.effect_scale import CONTROL_LABEL, EFFECT_SCALE_CONTROL, MARK, Scales
from modules.shared.formatting import MAX_DECIMALS, fmt_ci, fmt_or_cell, readable_decimals
from modules.survival import controls as sc
from modules.survival import tables as survival_tables
from modules.survival.view import SurvivalView
from utils import data_io


@pytest.fixture(scope="module")
def cohort() -> pd.DataFrame:
    """Platelets per µL (SD ~60,000: a per-unit OR of 1.00000x) and age in years."""
    rng = np.random.default_rng(5)
    n = 800
    df = pd.DataFrame(
        {
            "platelets": rng.normal(250_000, 60_000, n).round(-3),
            "age": rng.normal(60, 12, n).round(0),
        }
    )
    lp = -1 - 0.00001 * (df.platelets - 250_000) + 0.03 * (df.age - 60)
    df["bleed"] = np.where(rng.random(n) < 1 / (1 + np.exp(-lp)), "yes", "no")
    df["days"] = rng.exponential(100 / np.exp(-0.00001 * (df.platelets - 250_000)))
    df["dead"] = rng.random(n) < 0.7
    df["hb"] = 13 + 0.000004 * df.platelets + rng.normal(0, 1, n)
    return df


def outcome_view(df, scale: str) -> ResultView:
    spec = OutcomeSpec("bleed", ("platelets", "age"), screen_p=None, effect_scale=scale)
    labels = {"platelets": "Platelets (/µL)", "age": "Age (years)"}
    return ResultView(outcome.analyze(df, spec), "bleed", "yes", "no", labels)


# Formatting


def test_ends_that_read_the_same_get_the_decimals_that_tell_them_apart():
    assert fmt_or_cell(1.00312, 1.00201, 1.00423, 2e-5) == "1.0031 (1.0020–1.0042, p<0.001)"
    assert fmt_ci(0.99981, 0.99993) == "0.99981–0.99993"
    assert readable_decimals(1.0000012, 1.0000019) == 8
    # Nothing changes where 2 decimals already differ, nor at the extremes.
    assert fmt_or_cell(2.3148, 1.401, 3.8, 0.0012) == "2.31 (1.40–3.80, p=0.001)"
    assert fmt_or_cell(1.004, 0.996, 1.012, 0.3) == "1.00 (1.00–1.01, p=0.300)"
    assert fmt_ci(0.001, 0.004) == "<0.01–<0.01"
    assert fmt_ci(2e4, 3e4) == ">9999–>9999"
    assert readable_decimals(1.0, 1.0) == 2  # no width to show
    assert readable_decimals(1.0 + 1e-12, 1.0 + 2e-12) == MAX_DECIMALS


def test_coefficients_that_read_the_same_get_more_decimals():
    assert fmt_interval(0.0112, 0.0138, ratio=False) == "0.0112 to 0.0138"
    assert fmt_interval(-2.0, -0.4, ratio=False) == "-2.00 to -0.40"
    row = pd.Series({"estimate": 0.0125, "ci_low": 0.0112, "ci_high": 0.0138, "p_value": 0.01})
    assert estimate_cell(row, ratio=False) == "0.0125 (0.0112 to 0.0138, p=0.010)"


@pytest.mark.parametrize(
    ("sd", "per", "expected"),
    [
        (12.4, 1.0, "per 10 units (its SD is 12.4)"),
        (60_000.0, 1.0, "per SD (60,000)"),
        (60_000.0, 10.0, "per SD (60,000)"),
        (0.5, 1.0, None),  # per SD would be closer still to 1: the effect is small
        (12.4, 10.0, None),
        (math.nan, 1.0, "per 10 units or per SD"),
    ],
)
def test_the_suggested_scale_follows_the_sd(sd, per, expected):
    scales = Scales({"x": {"scale": "unit", "per": per, "sd": sd, "per_text": "per unit"}})
    assert effect_scale.suggestion(scales, "x") == expected


# Tables


def test_a_per_unit_or_of_one_gets_decimals_a_mark_and_advice(cohort):
    view = outcome_view(cohort, "unit")
    frame = outcome_tables.combined_frame(view)
    platelets = frame[frame["Variable"].str.startswith("Platelets")].iloc[0]
    assert platelets["Variable"] == f"Platelets (/µL) {MARK}"
    crude = platelets["OR (univariable)"]
    assert not crude.startswith("1.00 (1.00–1.00") and crude.startswith("0.99999")
    age = frame[frame["Variable"] == "Age (years)"].iloc[0]  # readable already: untouched
    assert age["OR (univariable)"].startswith("1.0") and len(age["OR (univariable)"]) < 30
    notes = outcome_tables.combined_notes(view)
    advice = [n for n in notes if n.startswith(MARK)]
    assert len(advice) == 1 and "Platelets (/µL)" in advice[0]
    sd = float(np.std(cohort.platelets[cohort.bleed.notna()], ddof=1))
    assert f"per SD ({sd:,.0f})" in advice[0] and CONTROL_LABEL in advice[0]
    assert "per one-unit increase" in " ".join(notes)
    multi = str(outcome_documents.multivariable_table(view))
    assert MARK in multi and "0.99999" in multi


def test_per_sd_tables_say_so_in_headings_footnotes_captions_and_csv(cohort):
    view = outcome_view(cohort, "sd")
    sd = view.result.scales.set_index("variable").loc["platelets", "sd"]
    heading = f"Platelets (/µL), per SD ({sd:,.0f})"
    frame = outcome_tables.combined_frame(view)
    assert heading in set(frame["Variable"])
    assert not any(MARK in v for v in frame["Variable"])  # per SD reads well: no advice
    html = str(outcome_documents.combined_table(view))
    assert "continuous covariates per SD" in html
    assert "among the patients with a known outcome" in html and "do not depend" in html
    assert heading in str(outcome_documents.multivariable_table(view))
    tidy = outcome_tables.tidy_frame(view)
    row = tidy[(tidy.table == "multivariable") & (tidy.variable == "platelets")].iloc[0]
    assert row["per"] == pytest.approx(sd) and row["per_text"] == f"per SD ({sd:,.0f})"
    ticks = outcome_figures.forest_plot(view).layout.yaxis.ticktext
    assert heading in ticks


def test_per_unit_tables_read_as_before(cohort):
    view = outcome_view(cohort, "unit")
    html = str(outcome_documents.combined_table(view))
    assert "continuous covariates per" not in html and ", per " not in html
    tidy = outcome_tables.tidy_frame(view)
    assert set(tidy.loc[tidy.level == "", "per_text"]) == {"per unit"}


def test_regression_tables_name_the_scale_and_advise(cohort):
    spec = RegressionSpec("hb", ("platelets", "age"), screen_p=None)
    unit = RegressionView(regression.analyze(cohort, spec), {"platelets": "Platelets"})
    assert MARK in str(regression_tables.combined_table(unit))
    ten = RegressionSpec("hb", ("platelets", "age"), screen_p=None, effect_scale="10")
    view = RegressionView(regression.analyze(cohort, ten), {"platelets": "Platelets"})
    html = str(regression_tables.combined_table(view))
    assert "Platelets, per 10 units" in html and "per 10-unit increase" in html
    assert "continuous covariates per 10 units" in html
    csv = regression_tables.tidy_frame(view)
    assert set(csv.loc[csv.level == "", "per"]) == {10.0}


def test_survival_level_column_names_the_scale(cohort):
    spec = SurvivalSpec(event="dead", time="days", covariates=("platelets", "age"))
    result = survival.analyze(cohort, SurvivalSpec(**{**spec.__dict__, "effect_scale": "iqr"}))
    view = SurvivalView(result, "dead", None, "Days")
    rows = [row for row, _ in survival_tables.hazard_rows(view)]
    assert all(r["Level"].startswith("per IQR (") for r in rows)
    html = str(survival_tables.hazard_table(view))
    assert "IQR of each covariate is that of its values among the patients with a follow-up" in html
    tidy = survival_tables.tidy_frame(view)
    cox = tidy[tidy.table == "cox_multivariable"]
    assert cox["per_text"].str.startswith("per IQR").all()


def test_the_control_offers_the_four_scales_and_defaults_to_per_unit():
    control = EFFECT_SCALE_CONTROL
    assert (control.id, control.default) == ("effect_scale", "unit")
    settings = Settings(None, {"effect_scale": "unit"})
    html = str(control.render(settings))
    assert 'id="effect_scale"' in html and CONTROL_LABEL in html
    for value in ("unit", "10", "sd", "iqr"):
        assert f'value="{value}"' in html
    assert control.resolve(settings, Raw(lambda *_: "sd", {})) == "sd"
    assert control.resolve(settings, Raw(lambda *_: "per year", {})) == "unit"


# Spec builders and reports


def test_every_spec_builder_keeps_and_checks_the_scale(cohort):
    dataset = data_io.dataset_from_frame(cohort.assign(dead=cohort.dead.map({True: 1, False: 0})))
    outcome_spec = logic.outcome_spec(dataset, "bleed", ["platelets"], effect_scale="iqr")
    regression_spec = rc.regression_spec(dataset, "hb", ["platelets"], effect_scale="10")
    survival_spec = sc.build_spec(
        dataset, mode="column", time="days", start=None, end=None, event="dead",
        event_level="1", group=None, covariates=["platelets"], conf_type="log", effect_scale="sd",
    )  # fmt: skip
    assert (outcome_spec.effect_scale, regression_spec.effect_scale) == ("iqr", "10")
    assert survival_spec.effect_scale == "sd"
    assert logic.outcome_spec(dataset, "bleed", ["platelets"]).effect_scale == "unit"
    for build in (
        lambda: logic.outcome_spec(dataset, "bleed", ["platelets"], effect_scale="per SD"),
        lambda: rc.regression_spec(dataset, "hb", ["platelets"], effect_scale="5"),
    ):
        with pytest.raises(AnalysisError, match="per 10 units, per SD or per IQR"):
            build()


def test_reports_carry_the_scale(cohort):
    view = outcome_view(cohort, "sd")
    sd = view.result.scales.set_index("variable").loc["platelets", "sd"]
    html = outcome_report.html_report(view)
    assert f"Platelets (/µL), per SD ({sd:,.0f})" in html and "do not depend" in html
    csv = pd.read_csv(io.StringIO(outcome_report.tables_csv(view)))
    assert set(csv.loc[csv["variable"] == "platelets", "per_text"]) == {f"per SD ({sd:,.0f})"}
