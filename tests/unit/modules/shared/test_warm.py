"""New data's control choices worked out in the reading worker (controls.warm, app.py): when the
tabs then resolve and draw their controls on the event loop, nothing is computed again."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest

import app
import logic
from modules.cleaning import derive_view
from modules.cleaning import tab as cleaning_tab
from modules.data import tab as data_tab
from modules.shared import per_dataset
from modules.shared.analysis_tab import AnalysisTab
from modules.shared.controls import MISSING, Raw, resolve
from tests.unit.modules.wide import wide_dataset
from utils.dataset_edits import with_edits

MODULES = Path(__file__).resolve().parents[4] / "modules"


def _remembered(ds) -> set:
    return set(per_dataset._answers.get(id(ds), {}))


@pytest.mark.parametrize("analysis", app.ANALYSIS_TABS, ids=lambda t: t.analysis_kind)
def test_after_warm_the_tabs_first_drawing_computes_no_choice_again(analysis, monkeypatch):
    ds = wide_dataset(400)
    analysis.warm(ds)
    warmed = _remembered(ds)
    screened = len(logic._screens)

    def not_again(*args, **kwargs):
        raise AssertionError("computed on the loop after warming")

    s = resolve(analysis.declared, ds, Raw(lambda _id, _kind: MISSING, {}))
    monkeypatch.setattr(logic.outcome_proxies, "screen_outcome", not_again)
    for control in analysis.declared:
        control.shape(s)
        control.render(s)
    assert _remembered(ds) == warmed
    assert len(logic._screens) == screened


def test_every_analysis_tab_that_reads_data_is_warmed():
    declared = []
    for path in sorted(MODULES.glob("*/tab.py")):
        tab = getattr(importlib.import_module(f"modules.{path.parent.name}.tab"), "TAB", None)
        if isinstance(tab, AnalysisTab) and tab.needs_data:
            declared.append(tab.analysis_kind)
    assert len(declared) >= 8
    assert sorted(t.analysis_kind for t in app.ANALYSIS_TABS) == sorted(declared)


def test_the_tabs_see_the_very_dataset_that_was_warmed():
    """The answers are remembered per Dataset object: with no edit and no cleaning step, what
    the tabs are fed (the editor's and the steps' output) is the object the worker read."""
    ds = wide_dataset(50)
    assert with_edits(ds, {}, {})[0] is ds
    assert logic.prepare(ds, []).dataset is ds


def test_a_failing_prepare_still_gives_the_data(tmp_path: Path, caplog):
    path = tmp_path / "small.csv"
    path.write_text("age,sex\n50,M\n61,F\n47,F\n")

    def broken(_ds):
        raise RuntimeError("boom")

    with caplog.at_level(logging.ERROR):
        ds = data_tab._read_and_prepare(str(path), "small.csv", logic.CancelToken(), broken)
    assert list(ds.df.columns) == ["age", "sex"]
    assert "preparing the tabs' controls" in caplog.text


def test_prepare_sees_the_data_that_was_read(tmp_path: Path):
    path = tmp_path / "small.csv"
    path.write_text("age,sex\n50,M\n61,F\n47,F\n")
    seen = []
    ds = data_tab._read_and_prepare(str(path), "small.csv", logic.CancelToken(), seen.append)
    assert seen == [ds]


def test_the_new_variable_cards_sources_are_warmed_too():
    ds = wide_dataset(400)
    cleaning_tab.warm(ds)
    warmed = _remembered(ds)
    assert warmed
    numbers = derive_view.column_choices(ds, "cut")
    assert derive_view.column_choices(ds, "transform") == numbers
    factors = derive_view.column_choices(ds, "combine")
    assert _remembered(ds) == warmed
    assert numbers and all(ds.meta(n).kind in ("continuous", "count") for n in numbers)
    assert factors and all(len(ds.meta(n).levels) > 2 for n in factors)
