"""Defaults of the outcome controls agree with what the analysis itself would choose."""

import pandas as pd
import pytest

from analyses.encoding import POSITIVE_LEVELS, encode_outcome
from modules.data.view import preview_frame
from modules.outcome import controls as oc
from modules.shared import model_controls as mc
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


def test_positive_words_match_the_analysis():
    assert oc.POSITIVE_LEVELS == POSITIVE_LEVELS


@pytest.mark.parametrize(
    "levels", [("no", "yes"), ("0", "1"), ("alive", "dead"), ("a", "b"), ("Negative", "Positive")]
)
def test_default_event_is_the_one_the_analysis_picks(levels):
    # encode_outcome with event=None is the analysis' own choice for a two-level outcome.
    _, chosen, _ = encode_outcome(pd.Series(list(levels) * 3, name="y"), None)
    assert oc.default_event(levels) == chosen


def test_outcome_and_covariate_choices():
    ds = dataset()
    assert list(oc.outcome_choices(ds)) == ["sex", "stage", "Died in hospital"]
    assert oc.default_outcome(ds) == "Died in hospital"  # reads like an outcome
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
