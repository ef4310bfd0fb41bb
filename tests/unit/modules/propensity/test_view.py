"""The Propensity scores tab's pure builders: the spec from the controls, the tables (escaped,
the SMD convention stated, imbalance marked), the methods sentences, the CSV and Word files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyses import propensity
from analyses.errors import AnalysisError
from analyses.specs import PropensitySpec
from modules.propensity import controls as pc
from modules.propensity import documents, report
from modules.propensity.view import PropensityView, done_text, key_numbers
from modules.shared.docx_tables import tables_docx
from modules.shared.methods_text import RunFacts, methods_text
from utils.data_io import dataset_from_frame

R = Path(__file__).parents[3] / "r"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    df = pd.read_csv(R / "propensity_lalonde.csv")
    return df.rename(columns={"race": EVIL}).assign(treat=df["treat"].map({1: "NSW", 0: "PSID"}))


def _view(df: pd.DataFrame, **options) -> PropensityView:
    spec = PropensitySpec("treat", ("age", "educ", EVIL, "married", "re74", "re75"), (EVIL,),
                          treated="NSW", **options)  # fmt: skip
    return PropensityView(propensity.analyze(df, spec), {"age": "Age <years>"}, "d.csv", "treat")


def test_spec_from_the_controls(data):
    ds = dataset_from_frame(data)
    assert "treat" in pc.treatment_choices(ds) and "age" not in pc.treatment_choices(ds)
    spec = pc.propensity_spec(
        ds, "treat", "NSW", ["age", EVIL], "matching", "ATE", 2, False,
        0.2, "random", 7, [], True, None, False, "employed78", "1",
    )  # fmt: skip
    assert spec.estimand == "ATT" and spec.ratio == 2 and spec.seed == 7
    assert spec.categorical == (EVIL,) and spec.outcome_type == "binary" and spec.event == "1"
    weighting = pc.propensity_spec(
        ds, "treat", "NSW", ["age"], "weighting", "ATE", 1, False,
        0.2, "largest", 1, ["married"], True, 5, True, "re78", None,
    )  # fmt: skip
    assert weighting.caliper is None and weighting.exact == () and weighting.truncate == 5.0
    assert weighting.outcome_type == "continuous" and weighting.trim
    with pytest.raises(AnalysisError, match="treatment"):
        pc.propensity_spec(ds, "age", None, ["educ"], "matching", "ATT", 1, False, 0.2,
                           "largest", 1, [], True, None, False, None, None)  # fmt: skip
    with pytest.raises(AnalysisError, match="caliper"):
        pc.propensity_spec(ds, "treat", None, ["educ"], "matching", "ATT", 1, False, 0,
                           "largest", 1, [], True, None, False, None, None)  # fmt: skip


def test_tables_escape_state_the_convention_and_mark_imbalance(data):
    view = _view(data, outcome="re78")
    docs = {d.stem: d for d in documents.tables(view)}
    assert set(docs) == {"propensity_sample", "propensity_balance", "propensity_effect",
                         "propensity_model"}  # fmt: skip
    balance = docs["propensity_balance"]
    assert any("treated group in the full sample" in n for n in balance.notes())
    flagged = [r for r in balance.rows if r.cells[7].endswith(documents.IMBALANCED)]
    assert len(flagged) == view.summary.n_imbalanced > 0
    html = str(documents.balance_table(view)) + str(key_numbers(view))
    assert EVIL not in html and "&lt;img" in html and "Age &lt;years&gt;" in html
    assert "vcovCL" in " ".join(docs["propensity_effect"].notes())
    assert tables_docx(documents.tables(view))[:2] == b"PK"
    csv = report.tables_csv(view)
    assert "onerror" in csv and "=HYPERLINK" not in csv
    assert "treated matched to" in done_text(view, 1.0)


def test_weighting_tables_say_pooled_sd_and_ess(data):
    view = _view(data, method="weighting", estimand="ATE", truncate=1.0)
    docs = {d.stem: d for d in documents.tables(view)}
    assert "propensity_effect" not in docs  # no outcome chosen
    assert any("pooled SD" in n for n in docs["propensity_balance"].notes())
    ess = [r for r in docs["propensity_sample"].rows if r.cells[0].startswith("Effective")][0]
    assert float(ess.cells[1]) == pytest.approx(view.summary.ess_treated, abs=0.05)
    assert "truncated at percentiles 1 and 99" in str(key_numbers(view))


def test_methods_say_what_was_run(data):
    spec = PropensitySpec("treat", ("age", "married"), treated="NSW", caliper=None,
                          order="random", seed=9, outcome="re78")  # fmt: skip
    result = propensity.analyze(data, spec)
    m = methods_text([RunFacts("propensity", spec, result, {"age": "Age"})], {})
    text = m.text()
    assert "logistic regression" in text and "Age" in text and "seed 9" in text
    assert "caliper" not in text  # none was used
    assert "clustering within matched sets" in text and "Zeileis" in text
    assert m.undescribed == ()
    spec = PropensitySpec("treat", ("age",), method="weighting", estimand="ATE", truncate=5.0)
    text = methods_text([RunFacts("propensity", spec, propensity.analyze(data, spec))], {}).text()
    assert "stabilised" in text and "5th and 95th centiles" in text and "Kish" in text
    assert "pooled standard deviation" in text and "effect on" not in text


def test_no_weight_is_negative(data):
    view = _view(data, method="weighting", estimand="ATT")
    assert (view.result.scores["weight"] >= 0).all()
    assert np.isclose(view.result.scores.loc[view.result.scores.treated == 1, "weight"], 1).all()


def test_a_follow_up_time_makes_a_hazard_ratio():
    lung = pd.read_csv(R / "propensity_lung.csv")
    ds = dataset_from_frame(lung)
    spec = pc.propensity_spec(
        ds, "female", "1", ["age", "ph.ecog"], "weighting", "ATE", 1, False, None, "largest",
        1, [], True, None, False, "dead", "1", "time",
    )  # fmt: skip
    assert spec.outcome_type == "survival" and spec.time == "time" and spec.event == "1"
    view = PropensityView(propensity.analyze(lung, spec), {}, "lung.csv", "female")
    effect = {d.stem: d for d in documents.tables(view)}["propensity_effect"]
    assert effect.rows[0].cells[0] == "Hazard ratio" and "Cox model" in " ".join(effect.notes())
    text = methods_text([RunFacts("propensity", spec, view.result)], {}).text()
    assert "Cox model" in text and "Lin DY" in text
    with pytest.raises(AnalysisError, match="follow-up time"):
        pc.propensity_spec(
            ds, "female", "1", ["age", "time"], "weighting", "ATE", 1, False, None, "largest",
            1, [], True, None, False, "dead", "1", "time",
        )  # fmt: skip
