"""The Sample size tab's controls, sentence and downloads, without a server or data."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from analyses.errors import AnalysisError
from analyses.sample_size import analyze
from analyses.specs import SampleSizeSpec
from modules.sample_size import view as sv
from modules.sample_size.controls import build_spec
from modules.sample_size.tab import CONTROLS, TAB
from modules.shared.controls import MISSING, Raw, resolve
from modules.shared.table_csv import COMMA, tables_csv
from tests.unit.modules.shared.docx_reading import assert_word_shows
from utils.dataset import NO_DATASET


def sample_size_views() -> dict[str, sv.SampleSizeView]:
    """A solved log-rank calculation, for the shared figure and report checks."""
    spec = build_spec(settings(family="logrank", dropout=0.1))
    return {"sample_size": sv.SampleSizeView(analyze(None, spec), spec)}


def settings(**sent):
    """The tab's settings as the page would send them (nothing sent: the defaults)."""
    raw = Raw(lambda input_id, kind: sent.get(input_id, MISSING), {})
    return resolve([c for c in CONTROLS if hasattr(c, "resolve")], NO_DATASET, raw)


def test_the_tab_needs_no_data_and_its_defaults_are_the_protocol_example():
    assert TAB.needs_data is False
    spec = build_spec(settings())
    assert spec == SampleSizeSpec("proportions", "normal", p1=0.4, p2=0.25, dropout=0.0)
    assert analyze(None, spec).n1 == 152


def test_hidden_controls_do_not_reach_the_spec():
    spec = build_spec(settings(family="means", method_means="paired", ratio=3))
    assert (spec.method, spec.ratio, spec.p1) == ("paired", 1.0, None)
    ni = build_spec(settings(family="ni_means", sides="2"))
    assert ni.sides == 1  # non-inferiority and equivalence are one-sided by design
    power = build_spec(settings(solve="power", n_group=80, n_total=500))
    assert (power.solve, power.n, power.power) == ("power", 80, None)
    pairs = build_spec(settings(family="means", method_means="paired", solve="power", n_pairs=30))
    assert pairs.n == 30
    total = build_spec(settings(family="correlation", solve="power", n_group=80, n_total=500))
    assert total.n == 500


def test_an_emptied_box_asks_for_its_value():
    with pytest.raises(AnalysisError, match="Enter the power"):
        build_spec(settings(power=None))


FAMILY_SETTINGS = [
    {},
    {"family": "proportions", "method_proportions": "arcsine", "solve": "power"},
    {"family": "means", "ratio": 2},
    {"family": "means", "method_means": "paired", "solve": "power"},
    {"family": "correlation"},
    {"family": "chisq", "df": 3},
    {"family": "logrank", "dropout": 0.1},
    {"family": "logrank", "method_logrank": "freedman", "solve": "power", "time_unit": "years"},
    {"family": "logistic"},
    {"family": "logistic", "method_logistic": "binary", "solve": "power"},
    {"family": "diagnostic", "dropout": 0.1},
    {"family": "ni_proportions", "p_new": 0.85, "p_standard": 0.8},
    {"family": "ni_proportions", "method_ni": "equivalence", "margin_p": 0.15},
    {"family": "ni_means", "method_ni": "equivalence"},
]


@pytest.mark.parametrize("sent", FAMILY_SETTINGS, ids=lambda s: "-".join(map(str, s.values())))
def test_every_family_reads_as_a_sentence_a_table_and_downloads(sent):
    spec = build_spec(settings(**sent))
    view = sv.SampleSizeView(analyze(None, spec), spec)
    sentence = view.sentence
    assert sentence.endswith(".") and "nan" not in sentence and "None" not in sentence
    assert f"{view.result.total:,}" in sentence
    frame = sv.details_frame(view)
    assert not frame["Value"].str.contains("nan|None").any()
    (doc,) = TAB.tables(view)  # the Word file and the CSV: the table as shown
    assert doc.stem == f"sample_size_{spec.family}"
    assert list(doc.header) == list(frame.columns)
    assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    assert_word_shows([doc])
    back = pd.read_csv(io.BytesIO(tables_csv([doc], COMMA)), encoding="utf-8-sig", dtype=str,
                       keep_default_na=False)  # fmt: skip
    assert back.values.tolist() == frame.values.tolist()
    rows = list(csv.reader(io.StringIO(sv.tables_csv(view))))
    assert ["sentence", "protocol", sentence] in rows
    assert sum(r[0].startswith("curve") for r in rows) == len(view.result.curve)
    report = sv.html_report(view)
    assert sentence.replace("±", "±") in report and "plotly" in report
    assert str(sv.answer_boxes(view))


def test_power_sentence_and_recruitment():
    spec = SampleSizeSpec("proportions", "normal", solve="power", n=100, p1=0.4, p2=0.25,
                          dropout=0.2)  # fmt: skip
    view = sv.SampleSizeView(analyze(None, spec), spec)
    assert view.sentence.startswith("With 100 patients per group (200 in all), the power to detect")
    assert view.sentence.endswith("allowing for 20% dropout, 250 would be recruited.")


def test_cautions_reach_the_csv_and_the_report():
    spec = SampleSizeSpec("proportions", "normal", p1=0.02, p2=0.2)
    view = sv.SampleSizeView(analyze(None, spec), spec)
    (caution,) = view.result.warnings
    assert ["caution", "", caution] in list(csv.reader(io.StringIO(sv.tables_csv(view))))
    assert caution in sv.html_report(view)
