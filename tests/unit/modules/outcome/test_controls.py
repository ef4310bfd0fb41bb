"""Defaults of the outcome controls agree with what the analysis itself would choose."""

import numpy as np
import pandas as pd
import pytest

from analyses.encoding import encode_outcome
from modules.data.view import preview_frame
from modules.outcome import controls as oc
from modules.shared import column_roles as roles
from modules.shared import model_controls as mc
from utils import data_io
from utils.dataset import ColumnMeta, Dataset


def dataset() -> Dataset:
    df = pd.DataFrame(
        {
            "pid": [1, 2, 3],
            "sex": ["F", "M", "F"],
            "age": [50.0, 61.0, None],
            "stage": ["I", "II", "III"],
            "notes": ["a", "b", "c"],
            "Died in hospital": ["no", "yes", "no"],
        }
    )
    kinds = ["id", "binary", "continuous", "categorical", "text", "binary"]
    levels = [(), ("F", "M"), (), ("I", "II", "III"), (), ("no", "yes")]
    meta = {
        c: ColumnMeta(c, k, c.title(), lv, int(df[c].isna().sum()))
        for c, k, lv in zip(df.columns, kinds, levels)
    }
    return Dataset(df, "t.csv", "f", meta)


@pytest.mark.parametrize(
    "levels", [("no", "yes"), ("0", "1"), ("alive", "dead"), ("a", "b"), ("Negative", "Positive")]
)
def test_default_event_is_the_one_the_analysis_picks(levels):
    # encode_outcome with event=None is the analysis' own choice for a two-level outcome.
    _, chosen, _ = encode_outcome(pd.Series(list(levels) * 3, name="y"), None)
    assert roles.default_event(levels) == chosen


def test_outcome_and_covariate_choices():
    ds = dataset()
    assert list(roles.outcome_choices(ds)) == ["sex", "stage", "Died in hospital"]
    assert roles.default_outcome(ds) == "Died in hospital"  # reads like an outcome
    covs = mc.covariate_choices(ds, "Died in hospital")
    assert list(covs) == ["sex", "age", "stage"]  # no id, no free text, not the outcome
    assert covs["age"] == "Age"
    assert mc.factor_covariates(ds, ["age", "stage", "sex"]) == ["stage", "sex"]


def test_preview_shows_missing_as_empty():
    frame = preview_frame(dataset().df)
    assert frame.loc[2, "age"] == "" and frame.loc[0, "age"] == "50.0"
    assert "nan" not in frame.to_csv().lower()


def test_preview_dates_without_midnight_and_long_text_cut():
    df = pd.DataFrame(
        {"admitted": pd.to_datetime(["2021-01-29", None]), "notes": ["x" * 100, "short"]}
    )
    frame = preview_frame(df)
    assert list(frame["admitted"]) == ["2021-01-29", ""]
    assert frame.loc[0, "notes"].endswith("…") and len(frame.loc[0, "notes"]) == 60


def cohort(n: int = 300, seed: int = 3) -> pd.DataFrame:
    """A surgical cohort: baseline columns, a site code, the outcome twice, other outcomes."""
    rng = np.random.default_rng(seed)
    age = rng.integers(30, 90, n)
    death = (rng.random(n) < 0.15 + 0.3 * (age > 70)).astype(int)
    return pd.DataFrame(
        {
            "patient_no": np.arange(1001, 1001 + n),
            "inst": rng.choice([1, 3, 5, 11, 12, 13, 16, 22], n),
            "age": age,
            "sex": rng.choice(["F", "M"], n),
            "ecog": rng.choice([0, 1, 2, 3], n),
            "karnofsky": rng.choice([50, 60, 70, 80, 90, 100], n),
            "death": death,
            "death_text": np.where(death == 1, "dead", "alive"),
            "complication": rng.choice(["no", "yes"], n),
            "time": rng.integers(5, 1000, n),
            "hba1c": np.where(rng.random(n) < 0.7, np.nan, rng.normal(6, 1, n).round(1)),
            "ward": ["A"] * n,
            "bmi": rng.normal(26, 4, n).round(1),
        }
    )


def test_suggested_covariates_leave_out_codes_proxies_and_other_outcomes():
    ds = data_io.dataset_from_frame(cohort(n=600), name="c")  # events enough for all
    suggestion = oc.suggested_covariates(ds, "death")
    assert suggestion.selected == ("age", "sex", "ecog", "karnofsky", "bmi")
    assert dict(suggestion.left_out) == {
        "inst": oc.CODE,
        "death_text": oc.PROXY,
        "complication": oc.OTHER_OUTCOME,
        "time": oc.OTHER_OUTCOME,
        "hba1c": oc.SPARSE,
        "ward": oc.CONSTANT,
    }
    note = oc.suggestion_note(suggestion)
    assert "'death_text' (the outcome recorded another way)" in note


def test_suggestion_keeps_ten_events_per_parameter():
    df = cohort(n=120, seed=4)
    ds = data_io.dataset_from_frame(df, name="c")
    events = int(min(df["death"].sum(), (1 - df["death"]).sum()))
    suggestion = oc.suggested_covariates(ds, "death")
    parameters = {"age": 1, "sex": 1, "ecog": 3, "karnofsky": 1, "bmi": 1}
    used = sum(parameters[c] for c in suggestion.selected)
    assert 1 <= used <= max(1, events // 10)
    assert suggestion.selected[0] == "age"  # in the file's order
    capped = [c for c, why in suggestion.left_out if why == oc.OVER_CAP]
    assert capped and set(capped) | set(suggestion.selected) == set(parameters)


def test_rare_outcome_still_suggests_one_covariate():
    df = cohort(n=200, seed=5)
    df["death"] = 0
    df.loc[:6, "death"] = 1  # seven events
    ds = data_io.dataset_from_frame(df.drop(columns=["death_text"]), name="c")
    assert oc.suggested_covariates(ds, "death").selected == ("age",)


def test_default_outcome_is_never_a_code():
    ds = data_io.dataset_from_frame(
        pd.DataFrame({"site": ["a", "b"] * 20, "sex": ["F", "M", "M", "F"] * 10}), name="c"
    )
    assert roles.default_outcome(ds) == "sex"


def test_default_outcome_prefers_a_result_to_a_trait():
    df = pd.DataFrame({"sex": ["F", "M"] * 20, "smoking_status": ["no", "yes"] * 20,
                       "died": ["no", "no", "yes", "no"] * 10})  # fmt: skip
    assert roles.default_outcome(data_io.dataset_from_frame(df, name="c")) == "died"
