"""The shared subgroup/interaction controls and card (modules/shared/modifier_*.py)."""

from pathlib import Path

import numpy as np
import pandas as pd

from analyses import regression
from analyses.specs import RegressionSpec
from modules.shared.controls import Settings
from modules.shared.forest import NOT_ESTIMABLE
from modules.shared.modifier_controls import (
    pair_choices,
    pair_value,
    read_pair,
    subgroup_choices,
    with_modifiers,
)
from modules.shared.modifier_view import (
    EMPTY,
    Effect,
    forest_rows,
    modifiers_card,
    modifiers_csv,
    subgroup_figure,
)
from utils.data_io import dataset_from_frame

ROOT = Path(__file__).resolve().parents[4]
EVIL = '<img src=x onerror="alert(1)">, "arm"'


def data() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    x = rng.normal(size=240)
    arm = rng.choice(["A", "B"], 240)
    return pd.DataFrame(
        {"y": 1 + x * (arm == "B") + rng.normal(size=240), "x": x, EVIL: arm,
         "site": rng.choice(["north", "south", "west"], 240)}
    )  # fmt: skip


def test_pairs_survive_any_column_name_and_bad_values_are_ignored():
    value = pair_value(EVIL, "a,b")
    assert read_pair(value) == (EVIL, "a,b")
    for bad in ("", "[1, 2]", '["a"]', "not json", '{"a": 1}'):
        assert read_pair(bad) is None


def test_choices_offer_categorical_modifiers_only():
    ds = dataset_from_frame(data())
    pairs = pair_choices(ds, ["x", EVIL])
    assert [read_pair(v) for v in pairs] == [("x", EVIL)]  # x is a number: not a modifier
    assert set(subgroup_choices(ds, ["y"])) == {EVIL, "site"}


def test_spec_gets_the_choices_and_a_factor_exposure_is_categorical():
    ds = dataset_from_frame(data())
    spec = RegressionSpec("y", ("x",))
    s = Settings(ds, {"subgroup_exposure": EVIL, "subgroups": ["site", EVIL],
                      "interactions": [pair_value("x", "site"), "junk"]})  # fmt: skip
    out = with_modifiers(spec, s)
    assert out.subgroup_exposure == EVIL and out.subgroups == ("site",)
    assert out.interactions == (("x", "site"),)
    assert EVIL in out.categorical and "site" in out.categorical
    # Subgroups without an exposure (or an exposure without subgroups) ask for nothing.
    none = with_modifiers(spec, Settings(ds, {"subgroups": ["site"]}))
    assert none.subgroup_exposure is None and none.subgroups == ()


def test_card_escapes_names_and_draws_headings_without_markers():
    spec = RegressionSpec(
        "y", ("x", EVIL), screen_p=None, categorical=(EVIL, "site"), subgroup_exposure="x",
        subgroups=(EVIL, "site"), interactions=(("x", EVIL),),
    )  # fmt: skip
    result = regression.analyze(data(), spec)
    effect = Effect("Coefficient", "coefficient", ratio=False)
    html = str(modifiers_card(result, str, effect, "regression"))
    assert "<img" not in html and "&lt;img" in html
    assert 'id="regression-subgroup-table"' in html and 'id="regression-interaction-table"' in html
    rows = forest_rows(result.subgroups, str, effect)
    headings = [r for r in rows if r.heading]
    assert len(headings) == 2 and "p for interaction" in headings[0].label
    assert "&lt;img" in headings[0].label
    figure = subgroup_figure(result.subgroups, str, effect)
    texts = [t for trace in figure.data if trace.mode == "text" for t in (trace.text or ())]
    assert NOT_ESTIMABLE not in texts  # headings are not "not estimable" rows
    csv = modifiers_csv(result, str)
    assert csv.splitlines()[0].startswith('"table","subgroup"')
    assert "interactions" in csv and "subgroups" in csv


def test_card_says_how_to_ask_when_nothing_was_asked():
    result = regression.analyze(data(), RegressionSpec("y", ("x",)))
    assert EMPTY in str(modifiers_card(result, str, Effect("C", "c", False), "r"))


def test_reports_carry_the_section_only_when_asked():
    import datetime as dt

    from analyses import survival
    from analyses.specs import SurvivalSpec
    from modules.shared.modifier_view import HAZARD_RATIO, report_section
    from modules.survival import report as survival_report
    from modules.survival import view as survival_view

    lung = pd.read_csv(ROOT / "tests" / "data" / "lung.csv", na_values=".")
    lung = lung[["time", "status", "age", "sex", "ph.karno"]]
    ds = dataset_from_frame(lung, name="lung.csv")
    plain = SurvivalSpec(event="status", event_level="2", time="time", covariates=("age",))
    asked = SurvivalSpec(
        event="status", event_level="2", time="time", covariates=("age",),
        subgroup_exposure="age", subgroups=("sex",), interactions=(("age", "sex"),),
    )  # fmt: skip
    when = dt.datetime(2026, 1, 1)
    result = survival.analyze(ds.df, plain)
    assert report_section(result, str, HAZARD_RATIO, "survival") is None
    assert "Subgroups and interactions" not in survival_report.html_report(
        survival_view.make_view(result, ds, plain), when
    )
    view = survival_view.make_view(survival.analyze(ds.df, asked), ds, asked)
    html = survival_report.html_report(view, when)
    assert "Subgroups and interactions" in html and 'id="survival-subgroup-plot"' in html
    # curves, forest, subgroups: each an inline SVG, no plotly.js (figures-out)
    assert html.count('<div class="medstat-figure"') == 3 and "Plotly.newPlot" not in html


def test_subgroup_and_interaction_tables_follow_each_tab_s_tables_in_word_and_csv():
    """One implementation for the three tabs: the two tables as shown, after the tab's own."""
    import io
    import zipfile

    from modules.regression.tab import TAB as REGRESSION
    from modules.regression.view import RegressionView
    from modules.shared.modifier_view import interaction_frame, modifier_docs, subgroup_frame
    from modules.shared.table_csv import SEMICOLON, tables_csv
    from tests.unit.modules.shared.docx_reading import assert_word_shows

    spec = RegressionSpec(
        "y", ("x", EVIL), screen_p=None, categorical=(EVIL, "site"), subgroup_exposure="x",
        subgroups=(EVIL, "site"), interactions=(("x", EVIL),),
    )  # fmt: skip
    result = regression.analyze(data(), spec)
    view = RegressionView(result, {"x": "Dose <mg>"}, "data.csv")
    docs = REGRESSION.tables(view)
    assert [d.stem for d in docs][-2:] == ["regression_subgroups", "regression_interactions"]
    subgroups, interactions = docs[-2:]
    effect = Effect("Coefficient", "coefficient (mean difference)", ratio=False)
    for doc, frame in (
        (subgroups, subgroup_frame(result.subgroups, view.label, effect)),
        (interactions, interaction_frame(result.interactions, view.label, effect)),
    ):
        assert list(doc.header) == list(frame.columns)
        assert [list(r.cells) for r in doc.rows] == frame.values.tolist()
    assert_word_shows([subgroups, interactions])
    first = result.subgroups.iloc[0]
    assert subgroups.rows[0].cells[2] == "Dose <mg>"  # plain text in Word; escaped on the page
    assert subgroups.rows[0].cells[4].startswith(f"{first['estimate']:.2f}")
    with zipfile.ZipFile(io.BytesIO(tables_csv(docs, SEMICOLON))) as archive:
        back = pd.read_csv(io.BytesIO(archive.read("regression_interactions.csv")), sep=";",
                           encoding="utf-8-sig", dtype=str, keep_default_na=False)  # fmt: skip
    assert back["Modifier"].tolist() == [r.cells[1] for r in interactions.rows]
    assert back["Exposure"].tolist() == ["Dose <mg>"] * len(interactions.rows)
    # Nothing asked, nothing added: the tab's own tables only.
    plain = regression.analyze(data(), RegressionSpec("y", ("x",)))
    assert modifier_docs(plain, str, effect, "regression") == ()
