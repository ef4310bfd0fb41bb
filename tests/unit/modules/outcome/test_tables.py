"""Publication tables: finalfit-style cells, reference rows, escaping, and numbers that match
statsmodels fitted directly on the same data."""

import math

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analyses.outcome import analyze
from analyses.specs import OutcomeSpec
from modules.outcome import documents, tables
from modules.outcome.result_view import ResultView, no_event_name
from modules.shared import formatting
from modules.shared.tables import warnings_list


def test_or_cell_follows_finalfit_format():
    # finalfit prints "2.31 (1.40-3.80, p=0.001)"; we use an en dash between the CI ends.
    assert formatting.fmt_or_cell(2.3148, 1.401, 3.8, 0.0012) == "2.31 (1.40–3.80, p=0.001)"
    assert formatting.fmt_or_cell(3.5, 1.8, 6.81, 0.00002) == "3.50 (1.80–6.81, p<0.001)"
    assert formatting.fmt_or_cell(math.inf, math.nan, math.nan, math.nan) == "not estimable"
    assert formatting.fmt_or_cell(1.2, math.nan, math.nan, 0.5) == "1.20 (p=0.500)"


def test_p_values_three_decimals_and_small_ones_bounded():
    assert formatting.fmt_p(0.04449) == "0.044"
    assert formatting.fmt_p(0.0009) == "<0.001"
    assert formatting.fmt_p(0.001) == "0.001"
    assert formatting.fmt_p(math.nan) == "—"
    assert formatting.fmt_p(None) == "—"


def test_combined_table_headings_name_the_outcome_groups(view):
    frame = tables.combined_frame(view)
    assert list(frame.columns) == [
        "Variable",
        "Level",
        "Complication: No",
        "Complication: Yes",
        "OR (univariable)",
        "OR (multivariable)",
    ]


def test_combined_table_rows(view):
    frame = tables.combined_frame(view)
    rows = {(r.Variable, r.Level): r for r in frame.itertuples(index=False)}
    age = rows[("Age (years)", "Mean (SD)")]
    assert age[2:] == (
        "61.2 (9.8)",
        "65.4 (10.1)",
        "1.04 (1.02–1.07, p<0.001)",
        "1.04 (1.01–1.06, p=0.004)",
    )
    # The label sits on the variable's first row only, as finalfit prints it.
    assert rows[("Stage", "I")][4:] == ("Reference", "Reference")
    assert rows[("", "II")][4:] == ("2.31 (1.40–3.80, p=0.001)", "2.00 (1.10–3.60, p=0.020)")
    # Global likelihood-ratio p for the 3-level factor only.
    overall = frame[frame["Level"] == tables.OVERALL_P]
    assert len(overall) == 1
    assert tuple(overall.iloc[0, 4:]) == ("p=0.002", "p=0.010")
    # Separation in the adjusted model: said, not hidden as a dash.
    assert rows[("", "M")][5] == "not estimable"
    # A variable screened out of the adjusted model: dashes there, its reference row included.
    assert rows[("<b>bmi</b>", "low")][4:] == ("Reference", "—")


def test_no_raw_nan_anywhere(view):
    for frame in (
        tables.combined_frame(view),
        tables.multivariable_frame(view),
        tables.fit_frame(view),
    ):
        text = frame.to_csv(index=False).lower()
        assert "nan" not in text and "inf" not in text.replace("information", "")


def test_html_escapes_user_strings(view):
    html = str(documents.combined_table(view))
    assert "<b>bmi</b>" not in html
    assert "&lt;b&gt;bmi&lt;/b&gt;" in html
    assert 'id="table-combined"' in html
    warnings = str(warnings_list(view.result.warnings))
    assert "<i>age</i>" not in warnings and "&lt;i&gt;age&lt;/i&gt;" in warnings


def test_multivariable_table(view):
    frame = tables.multivariable_frame(view)
    stage = frame.iloc[1:4]
    assert list(stage["Level"]) == ["I", "II", "III"]
    assert list(stage["Adjusted OR"]) == ["Reference", "2.00", "3.10"]
    assert list(stage["95% CI"]) == ["", "1.10–3.60", "1.60–6.00"]
    assert list(stage["Overall p"]) == ["0.010", "", ""]
    assert list(frame["n"][:2]) == ["380", "114"]
    caption = str(documents.multivariable_table(view))
    assert "380 patients with complete data, 85 with Complication = Yes" in caption


def test_fit_frame(view):
    fit = dict(tables.fit_frame(view).itertuples(index=False))
    assert fit["Patients used"] == "380 of 400 (20 excluded for missing data)"
    assert fit["Events / non-events"] == "85 / 295"
    assert fit["Events per variable"] == "21.2"
    assert fit["C-statistic (95% CI)"] == "0.78 (0.73–0.83)"
    assert fit["Hosmer–Lemeshow p"] == "0.422 (χ² 8.12, df 8)"
    assert fit["Nagelkerke R²"] == "0.231"
    assert fit["Method"] == "Standard logistic regression"
    assert fit["Variables in the model"] == "Age (years), Stage, sex"


def test_tidy_frame_keeps_numbers_numeric(view):
    tidy = tables.tidy_frame(view)
    assert list(tidy.columns) == list(tables.TIDY_COLUMNS)
    assert len(tidy) == 8 + 6
    for column in ("odds_ratio", "ci_low", "ci_high", "p_value", "global_p"):
        assert pd.api.types.is_float_dtype(tidy[column])
    adjusted_m = tidy[(tidy.table == "multivariable") & (tidy.level == "M")].iloc[0]
    assert math.isnan(adjusted_m.odds_ratio)  # inf from separation becomes empty, not "inf"
    assert tidy.loc[1, "label"] == "Stage"


def test_no_event_name_for_pooled_levels():
    assert no_event_name(("No", "Yes"), "Yes") == "No"
    assert no_event_name(("mild", "none", "severe"), "severe") == "not severe"


def test_adjusted_cells_equal_statsmodels_logit():
    """Real analysis -> table cells equal statsmodels' Logit fitted directly (the reference)."""
    rng = np.random.default_rng(7)
    n = 600
    df = pd.DataFrame(
        {
            "age": rng.normal(60, 10, n).round(1),
            "grade": rng.choice(["low", "mid", "high"], n),
        }
    )
    lp = -3.5 + 0.05 * df.age + np.select([df.grade == "high"], [0.8], 0.0)
    df["died"] = np.where(rng.random(n) < 1 / (1 + np.exp(-lp)), "yes", "no")
    spec = OutcomeSpec(
        outcome="died",
        covariates=("age", "grade"),
        categorical=("grade",),
        reference=(("grade", "low"),),
        method="logit",
        screen_p=None,
    )
    view = ResultView(analyze(df, spec), "died", "yes", "no", {"grade": "Tumour grade"})

    X = pd.DataFrame(
        {
            "const": 1.0,
            "age": df.age,
            "high": (df.grade == "high").astype(float),
            "mid": (df.grade == "mid").astype(float),
        }
    )
    fit = sm.Logit((df.died == "yes").astype(float), X).fit(disp=0)
    ci = np.exp(fit.conf_int())

    def expected(name: str) -> str:
        return formatting.fmt_or_cell(
            np.exp(fit.params[name]), ci.loc[name, 0], ci.loc[name, 1], fit.pvalues[name]
        )

    frame = tables.combined_frame(view)
    cells = dict(zip(frame["Level"], frame["OR (multivariable)"]))
    assert cells["Mean (SD)"] == expected("age")
    assert cells["high"] == expected("high")
    assert cells["mid"] == expected("mid")
    assert cells["low"] == "Reference"
    assert frame.loc[frame.Level == "low", "Variable"].item() == "Tumour grade"
