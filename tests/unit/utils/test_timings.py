"""utils/timings: server-wide totals for the stats panel; each owner's runs kept apart and handed
only to that owner."""

from __future__ import annotations

from utils.timings import History, Timings


def test_totals_count_every_run_and_owners_see_only_their_own():
    t = Timings()
    t.record("outcome", 900.0, hit=False, owner="a")
    t.record("outcome", 0.4, hit=True, owner="a")
    t.record("survival", 120.0, hit=False, owner="b")
    t.record("table1", 50.0, hit=False)  # a run with no owner

    totals = t.stats()
    assert totals["analyses"] == 4 and totals["cache_served"] == 1 and totals["computed"] == 3
    assert totals["last_ms"] == 50.0 and totals["mean_hit_ms"] == 0.4
    assert totals["mean_cold_ms"] == (900 + 120 + 50) / 3

    a = t.history("a")
    assert (a.count, a.repeats) == (2, 1)
    assert [(r.kind, r.hit) for r in a.recent] == [("outcome", True), ("outcome", False)]
    b = t.history("b")
    assert (b.count, b.repeats) == (1, 0) and [r.kind for r in b.recent] == ["survival"]
    assert t.history(None) == History() and t.history("nobody") == History()


def test_an_owner_keeps_its_totals_beyond_the_runs_it_lists():
    t = Timings(keep=3)
    for i in range(5):
        t.record("outcome", 10.0, hit=i % 2 == 1, owner="a")
    a = t.history("a")
    assert (a.count, a.repeats, len(a.recent)) == (5, 2, 3)


def test_the_least_recently_active_owner_is_forgotten_first():
    t = Timings(max_owners=2)
    t.record("outcome", 1.0, hit=False, owner="a")
    t.record("outcome", 1.0, hit=False, owner="b")
    t.record("outcome", 1.0, hit=False, owner="a")  # a is active again
    t.record("outcome", 1.0, hit=False, owner="c")
    assert t.history("b") == History()
    assert t.history("a").count == 2 and t.history("c").count == 1
    assert t.stats()["analyses"] == 4  # the totals keep every run
