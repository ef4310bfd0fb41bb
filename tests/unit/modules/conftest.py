"""A hand-built OutcomeResult with the documented columns, for the pure page builders."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analyses.fit_records import OutcomeFit
from analyses.results import MULTIVARIABLE_COLUMNS, UNIVARIABLE_COLUMNS, OutcomeResult
from modules.outcome.result_view import ResultView

NAN = math.nan
# A column name and a level that would run as markup or as a spreadsheet formula if not escaped.
EVIL_NAME = "<b>bmi</b>"
EVIL_LEVEL = '=HYPERLINK("http://x")'


def hand_result() -> OutcomeResult:
    """Age (continuous), stage (3 levels, ref I), sex (2 levels) and an evil covariate left out."""
    u = [
        ("age", "", False, 400, 90, "61.2 (9.8)", "65.4 (10.1)", 1.045, 1.02, 1.07, 0.0004, 0.0004),
        ("stage", "I", True, 120, 15, "105 (33.3)", "15 (16.7)", 1.0, NAN, NAN, NAN, 0.0021),
        (
            "stage",
            "II",
            False,
            160,
            35,
            "125 (39.7)",
            "35 (38.9)",
            2.3148,
            1.401,
            3.8,
            0.0012,
            0.0021,
        ),
        ("stage", "III", False, 120, 40, "80 (25.4)", "40 (44.4)", 3.5, 1.8, 6.81, 0.00002, 0.0021),
        ("sex", "F", True, 210, 40, "170 (54.0)", "40 (44.4)", 1.0, NAN, NAN, NAN, 0.09),
        ("sex", "M", False, 190, 50, "140 (44.4)", "50 (55.6)", 1.52, 0.94, 2.45, 0.09, 0.09),
        (EVIL_NAME, "low", True, 200, 44, "156 (50)", "44 (48.9)", 1.0, NAN, NAN, NAN, 0.6),
        (EVIL_NAME, EVIL_LEVEL, False, 200, 46, "154 (50)", "46 (51.1)", 1.1, 0.7, 1.7, 0.6, 0.6),
    ]
    univariable = pd.DataFrame([(*row, "logit") for row in u], columns=list(UNIVARIABLE_COLUMNS))
    univariable.loc[univariable["variable"] == "sex", "method"] = "firth"
    m = [
        ("age", "", False, 380, 85, 1.04, 1.01, 1.06, 0.004, 0.004),
        ("stage", "I", True, 114, 14, 1.0, NAN, NAN, NAN, 0.0103),
        ("stage", "II", False, 150, 33, 2.0, 1.1, 3.6, 0.02, 0.0103),
        ("stage", "III", False, 116, 38, 3.1, 1.6, 6.0, 0.0009, 0.0103),
        ("sex", "F", True, 200, 38, 1.0, NAN, NAN, NAN, 0.2),
        ("sex", "M", False, 180, 47, math.inf, NAN, NAN, NAN, 0.2),
    ]
    multivariable = pd.DataFrame(m, columns=list(MULTIVARIABLE_COLUMNS))
    fit = OutcomeFit(
        method="logit",
        event="Yes",
        n_total=400,
        n_used=380,
        n_excluded=20,
        n_outcome_missing=0,
        events=85,
        non_events=295,
        n_parameters=4,
        events_per_variable=21.25,
        log_likelihood=-195.617,
        aic=401.234,
        mcfadden_r2=0.1423,
        nagelkerke_r2=0.2311,
        auc=0.7812,
        auc_ci_low=0.731,
        auc_ci_high=0.8301,
        hosmer_lemeshow_chi2=8.12,
        hosmer_lemeshow_df=8,
        hosmer_lemeshow_p=0.4217,
        screen_p=0.2,
        covariates_in_model=("age", "stage", "sex"),
        solver="newton",
        separation=False,
    )
    return OutcomeResult(
        univariable=univariable,
        multivariable=multivariable,
        fit=fit,
        warnings=("VIF of <i>age</i> is 11.", "Few events per variable."),
    )


@pytest.fixture
def view() -> ResultView:
    return ResultView(
        result=hand_result(),
        outcome="complication",
        event="Yes",
        no_event="No",
        labels={"complication": "Complication", "age": "Age (years)", "stage": "Stage"},
        continuous_summary="mean",
        dataset_name="trial <2024>.csv",
    )
