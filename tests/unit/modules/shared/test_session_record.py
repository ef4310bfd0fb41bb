"""The session's record: every tab's last success in paper order, stale ones marked, and a
project's settings written where a reloaded page restores them from."""

from __future__ import annotations

from types import SimpleNamespace

from modules.shared.cleaning_steps import SAVED as STEPS_SAVED
from modules.shared.session_record import RERUN, SessionRecord


class FakeState:
    def __init__(self) -> None:
        self.kept: dict = {}

    def keep(self, name, value) -> None:
        self.kept[name] = value


def finished(spec):
    return SimpleNamespace(spec=spec, fingerprint="fp", view=SimpleNamespace(result=spec))


def make_record():
    record = SessionRecord(FakeState())
    tabs = {
        "survival": (finished("s-spec"), ""),
        "outcome": (finished("o-spec"), "Settings changed since this result was made."),
        "table1": (finished("t-spec"), ""),
        "regression": (None, ""),
    }
    for name, (last, stale) in tabs.items():
        record.register(
            name,
            kind=name,
            declaration=f"{name}-tab",
            last=lambda last=last: last,
            view=lambda: None,
            stale=lambda stale=stale: stale,
            settings=lambda name=name: {"x": name},
        )
    return record


def test_runs_are_in_paper_order_with_their_declaration_and_staleness():
    record = make_record()
    runs = record.runs()
    assert [r.tab for r in runs] == ["table1", "outcome", "survival"]  # regression never ran
    assert [r.declaration for r in runs] == ["table1-tab", "outcome-tab", "survival-tab"]
    assert runs[0].result == "t-spec" and runs[0].fingerprint == "fp"
    assert [r.tab for r in record.current()] == ["table1", "survival"]  # outcome is stale
    assert record.settings()["survival"] == {"x": "survival"}


def test_restore_writes_settings_reruns_and_clears_results_of_tabs_not_run():
    record = make_record()
    restored = record.restore(
        {"table1": {"group": "sex"}, "regression": {"outcome": "crp"}, "unknown": {}},
        {"table1"},
        ("step",),
    )
    kept = record.state.kept
    assert restored == ["table1", "regression"]
    assert kept["table1.settings"] == {"group": "sex"} and kept[f"table1.{RERUN}"] is True
    assert kept[f"regression.{RERUN}"] is False and kept["regression"] is None
    assert "table1" not in kept  # its result stays until the run replaces it
    assert kept[STEPS_SAVED] == ("step",)
    assert not any(k.startswith("unknown") for k in kept)


def test_figure_words_are_read_for_the_project_and_restored_on_open():
    record = make_record()
    record.register_figure("survival.figure.km", lambda: {"title": "Overall survival"})
    record.register_figure("outcome.figure.forest", lambda: {})
    assert record.figures() == {"survival.figure.km": {"title": "Overall survival"}}
    record.restore(
        {"survival": {}},
        set(),
        (),
        {"outcome.figure.forest": {"xaxis": "OR"}, "gone.figure.x": {"title": "old"}},
    )
    kept = record.state.kept
    assert kept["outcome.figure.forest"] == {"xaxis": "OR"}
    assert kept["survival.figure.km"] == {}  # the project had none: the figure's own words
    assert "gone.figure.x" not in kept  # a figure this session does not have


def test_restore_keeps_the_projects_imputation_settings_and_clears_them_without():
    """An opened project sets the session's imputation (the Data cleaning tab and the
    cleaned data read it after the reload); one saved without imputation clears it."""
    from analyses.specs import ImputationSpec
    from modules.shared.cleaning_steps import SAVED_IMPUTATION

    record = make_record()
    settings = ImputationSpec(("age", "crp", "sex"), ("sex",), m=5, seed=7)
    record.restore({"outcome": {"imputed": True}}, {"outcome"}, (), imputation=settings)
    assert record.state.kept[SAVED_IMPUTATION] == settings
    record.restore({"outcome": {}}, set(), ())
    assert record.state.kept[SAVED_IMPUTATION] is None
