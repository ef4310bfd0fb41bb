"""logic.run through the layers: a repeat is a cache hit, any change in the request is a miss."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import logic
from utils import data_io


@pytest.fixture
def cohort() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 300
    age = rng.normal(55, 12, n).round(0)
    group = rng.choice(["A", "B", "C"], n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-4 + 0.06 * age)))
    return pd.DataFrame({"age": age, "group": group, "event": np.where(y, "yes", "no")})


def lookups() -> tuple[float, float]:
    cache = logic.stats()["cache"]
    return cache["hits"], cache["misses"]


def test_repeat_is_a_hit_and_a_changed_cell_is_a_miss(cohort):
    dataset = data_io.dataset_from_frame(cohort, name="cohort")
    hits0, misses0 = lookups()
    first = logic.analyze_outcome(dataset, "event", ["age", "group"])
    again = logic.analyze_outcome(dataset, "event", ["age", "group"])
    assert lookups() == (hits0 + 1, misses0 + 1)
    assert again is first  # served from the cache, not recomputed

    changed = cohort.copy()
    changed.loc[0, "age"] += 1
    logic.analyze_outcome(data_io.dataset_from_frame(changed, name="cohort"), "event", ["age"])
    assert lookups()[1] == misses0 + 2

    # A different reference level or covariate order is a different model: a different key.
    logic.analyze_outcome(dataset, "event", ["age", "group"], reference={"group": "B"})
    logic.analyze_outcome(dataset, "event", ["group", "age"])
    assert lookups() == (hits0 + 1, misses0 + 4)


def test_each_owner_sees_only_its_own_analyses(cohort):
    """Two browser tabs share the cache but not their history: B's repeat of A's analysis is an
    instant repeat for B, and neither is told what the other ran or when."""
    dataset = data_io.dataset_from_frame(cohort, name="owners")
    spec = logic.outcome_spec(dataset, "event", ["age"])
    before = logic.analyses_of("tab-a")
    logic.run("outcome", dataset, spec, owner="tab-a")
    logic.run("outcome", dataset, spec, owner="tab-a")
    logic.run("outcome", dataset, spec, owner="tab-b")
    logic.run("outcome", dataset, spec)  # no owner: counted in the totals only

    a, b = logic.analyses_of("tab-a"), logic.analyses_of("tab-b")
    assert (a.count - before.count, a.repeats - before.repeats) == (2, 1)
    assert a.recent[0].hit and a.recent[0].kind == "outcome"
    assert (b.count, b.repeats) == (1, 1) and len(b.recent) == 1
    assert logic.analyses_of(None).count == 0
    assert logic.analyses_of("tab-c").recent == ()


def test_naming_the_default_reference_is_the_same_request(cohort):
    """'A' is group's first level, the reference the model takes when none is chosen: the page
    sends it by name once its controls are filled in, and that must not be a second model."""
    dataset = data_io.dataset_from_frame(cohort, name="cohort")
    unset = logic.outcome_spec(dataset, "event", ["age", "group"])
    named = logic.outcome_spec(dataset, "event", ["age", "group"], reference={"group": "A"})
    other = logic.outcome_spec(dataset, "event", ["age", "group"], reference={"group": "B"})
    assert named == unset and other != unset
    first = logic.analyze_outcome(dataset, "event", ["age", "group"])
    hits0, misses0 = lookups()
    again = logic.analyze_outcome(dataset, "event", ["age", "group"], reference={"group": "A"})
    assert again is first and lookups() == (hits0 + 1, misses0)


def test_first_level_of_a_column_is_the_models_default_reference():
    """outcome_spec drops a reference equal to meta.levels[0]; that is only the same model if the
    encoder's default reference is that level, for text and numeric codes alike."""
    from analyses.encoding import encode_factor
    from utils.dataset_edits import with_kind

    frame = pd.DataFrame(
        {
            "stage": ["II", "IV", " I", "III", "II", None, "10", "2"],
            "asa": [3, 1, 2, 2, 4, 1, 3, None],
            "sex": ["male", "female ", "male", "", "female", "male", "male", "female"],
        }
    )
    dataset = with_kind(data_io.dataset_from_frame(frame, name="levels"), "asa", "categorical")
    for column in frame:
        meta = dataset.meta(column)
        factor, _ = encode_factor(dataset.df[column], None)
        assert meta.levels and factor.levels[0] == meta.levels[0], column


def test_memory_cleanup_keeps_a_small_cache(cohort):
    dataset = data_io.dataset_from_frame(cohort, name="cohort")
    logic.analyze_outcome(dataset, "event", ["age"])
    entries = logic.stats()["cache"]["entries"]
    assert entries >= 1
    logic._release_cache()  # what the memory manager runs at warn
    assert logic.stats()["cache"]["entries"] == entries


def test_stats_has_the_panel_fields():
    stats = logic.stats()
    for section, fields in {
        "cache": ("hits", "misses", "hit_rate", "entries", "bytes", "evictions", "saved_s"),
        "memory": ("rss_mb", "limit_mb", "used_pct", "peak_mb", "status", "cleanups", "refusals"),
        "retry": ("calls", "retried_calls", "attempts", "recovered", "failed", "success_rate"),
        "timings": ("analyses", "last_ms"),
    }.items():
        for field in fields:
            assert isinstance(stats[section][field], int | float), (section, field)
    assert "fallbacks" in stats["retry"]


def test_a_cached_result_is_found_without_a_worker(cohort):
    """logic.cached answers from memory only (the tabs ask it on the event loop)."""
    dataset = data_io.dataset_from_frame(cohort.assign(age=cohort["age"] + 1), name="cohort")
    spec = logic.outcome_spec(dataset, "event", ["age"])
    assert logic.cached("outcome", dataset, spec) is None  # never computes
    hits0, misses0 = lookups()
    first = logic.run("outcome", dataset, spec)
    assert logic.cached("outcome", dataset, spec, owner="tab-1") is first
    assert lookups() == (hits0 + 1, misses0 + 1)
    assert logic.analyses_of("tab-1")


def test_a_lookup_while_the_analysis_module_is_still_importing_finds_nothing(cohort, monkeypatch):
    """The warm-up thread imports the analyses when a session opens; a cache lookup meanwhile
    (the module in sys.modules, half initialised) goes to the worker path instead of failing."""
    import sys
    import types

    dataset = data_io.dataset_from_frame(cohort, name="cohort")
    spec = logic.outcome_spec(dataset, "event", ["age"])
    half = types.ModuleType(logic.ANALYSES["outcome"])  # no VERSION yet
    monkeypatch.setitem(sys.modules, logic.ANALYSES["outcome"], half)
    assert logic.cached("outcome", dataset, spec) is None


def test_a_small_analysis_is_short_work_and_a_big_one_is_not(monkeypatch):
    """logic.is_short: rows x columns used x passes against MEDSTAT_SHORT_WORK_CELLS."""
    import dataclasses as dc

    from analyses.specs import OutcomeSpec

    rng = np.random.default_rng(0)
    df = pd.DataFrame({"died": rng.choice(["Yes", "No"], 1000), "age": rng.normal(60, 9, 1000)})
    ds = data_io.dataset_from_frame(df, name="small.csv")
    spec = OutcomeSpec(outcome="died", event="Yes", covariates=("age",))
    monkeypatch.setattr(logic, "settings", dc.replace(logic.settings, short_work_cells=10_000))
    assert logic.is_short("outcome", ds, spec)  # 1,000 x 2
    assert not logic.is_short("outcome", ds, dc.replace(spec, bootstrap=200))  # x 201 passes
    assert not logic.is_short("codebook", ds, spec)  # pairs of labels: never short
