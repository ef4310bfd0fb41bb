"""Fair shares of the worker pool: per tab, per address, in order, places held until threads end."""

from __future__ import annotations

import asyncio
import threading

import pytest

from modules.shared import background
from modules.shared.fair_share import FairShare, ShareFull
from tests.event_loop import run_apart


def _share(**kw) -> FairShare:
    args = dict(threads=4, per_session=2, per_address=3, session_queue=2, address_queue=4)
    args.update(kw)
    return FairShare(**args)


def test_a_tab_runs_its_share_and_queues_the_rest():
    async def go():
        fair = _share()
        a1 = await fair.enter("a", "ip1")
        a2 = await fair.enter("a", "ip1")
        third = asyncio.ensure_future(fair.enter("a", "ip1"))
        other = await asyncio.wait_for(fair.enter("b", "ip2"), 1)  # not behind a's queue
        await asyncio.sleep(0)
        assert not third.done() and other.running
        fair.leave(a1)
        a3 = await asyncio.wait_for(third, 1)
        return a2.running, a3.running, fair.stats()

    a2_running, a3_running, stats = run_apart(go())
    assert a2_running and a3_running
    assert stats == {"running": 3, "short_lane_running": 0, "waiting": 0}


def test_an_address_with_many_tabs_never_holds_every_thread():
    async def go():
        fair = _share(per_session=4)
        held = [await fair.enter(f"tab{k}", "attacker") for k in range(3)]
        late = asyncio.ensure_future(fair.enter("tab9", "attacker"))
        victim = await asyncio.wait_for(fair.enter("victim", "ip2"), 1)
        await asyncio.sleep(0)
        return len(held), late.done(), victim.running

    held, late_started, victim_started = run_apart(go())
    assert held == 3 and not late_started and victim_started


def test_too_much_waiting_is_refused_with_a_sentence():
    async def go():
        fair = _share(per_session=1, session_queue=1)
        await fair.enter("a", "ip1")
        waiting = asyncio.ensure_future(fair.enter("a", "ip1"))
        await asyncio.sleep(0)
        with pytest.raises(ShareFull, match="already has 2 analyses"):
            await fair.enter("a", "ip1")
        waiting.cancel()

    run_apart(go())


def test_a_cancelled_wait_gives_its_place_up():
    async def go():
        fair = _share(per_session=1)
        first = await fair.enter("a", "ip1")
        second = asyncio.ensure_future(fair.enter("a", "ip1"))
        await asyncio.sleep(0)
        second.cancel()
        await asyncio.sleep(0)
        third = asyncio.ensure_future(fair.enter("a", "ip1"))
        fair.leave(first)
        return (await asyncio.wait_for(third, 1)).running, fair.stats()

    running, stats = run_apart(go())
    assert running and stats == {"running": 1, "short_lane_running": 0, "waiting": 0}


def test_the_place_is_held_until_the_thread_ends_not_until_the_page_stops_waiting(monkeypatch):
    """Cancel stops the page waiting at once; the thread still unwinds, and until it has, the
    tab's share is taken (issue 17 case 6: eight run-and-cancel cycles held every thread)."""
    release = threading.Event()

    async def go():
        fair = _share(per_session=1)
        monkeypatch.setattr(background, "_shares", fair)
        run = asyncio.ensure_future(background.run_in_worker(release.wait, 5, share=("a", "ip1")))
        await asyncio.sleep(0.05)
        run.cancel()  # Cancel: the page stops waiting, the thread goes on
        await asyncio.sleep(0.05)
        busy = fair.stats()["running"]
        again = asyncio.ensure_future(fair.enter("a", "ip1"))
        await asyncio.sleep(0.05)
        blocked = not again.done()
        release.set()
        ticket = await asyncio.wait_for(again, 2)
        return busy, blocked, ticket.running

    busy, blocked, started = run_apart(go())
    assert busy == 1 and blocked and started


def test_short_work_starts_in_its_lane_when_every_thread_runs_long_work():
    """Four addresses hold the four threads with long fits: a victim's small analysis starts at
    once in the short lane; a long one of the victim's waits, and the lane is never given to it."""

    async def go():
        fair = _share(per_session=1, per_address=1, short_lane=1)
        long_fits = [await fair.enter(f"tab{k}", f"ip{k}") for k in range(4)]
        victim_long = asyncio.ensure_future(fair.enter("victim", "ip9"))
        small = await asyncio.wait_for(fair.enter("other", "ip8", short=True), 1)
        await asyncio.sleep(0)
        long_waits = not victim_long.done()
        second_small = asyncio.ensure_future(fair.enter("third", "ip7", short=True))
        await asyncio.sleep(0)
        lane_full = not second_small.done()
        fair.leave(small)  # the lane is free again: the next short work takes it
        third = await asyncio.wait_for(second_small, 1)
        fair.leave(long_fits[0])  # a pool thread is free: the long work in line starts there
        started = await asyncio.wait_for(victim_long, 1)
        return small.lane, long_waits, lane_full, third.lane, started.lane, fair.stats()

    small_lane, long_waits, lane_full, third_lane, long_lane, stats = run_apart(go())
    assert small_lane and long_waits and lane_full and third_lane and not long_lane
    assert stats == {"running": 4, "short_lane_running": 1, "waiting": 0}


def test_short_work_takes_a_pool_thread_first():
    async def go():
        fair = _share(short_lane=1)
        ticket = await fair.enter("a", "ip1", short=True)
        return ticket.lane, fair.stats()

    lane, stats = run_apart(go())
    assert not lane and stats["running"] == 1


def test_without_a_lane_short_work_waits_like_any_other():
    async def go():
        fair = _share(per_address=1, short_lane=0)
        held = [await fair.enter(f"tab{k}", f"ip{k}") for k in range(4)]
        small = asyncio.ensure_future(fair.enter("victim", "ip9", short=True))
        await asyncio.sleep(0)
        waited = not small.done()
        fair.leave(held[0])
        return waited, (await asyncio.wait_for(small, 1)).lane

    waited, lane = run_apart(go())
    assert waited and not lane


def test_the_lane_runs_short_work_in_its_own_thread(monkeypatch):
    """Every pool thread blocked: a short call still runs, in a thread named for the lane."""
    release = threading.Event()

    async def go():
        fair = _share(threads=1, short_lane=1)
        monkeypatch.setattr(background, "_shares", fair)
        blocked = asyncio.ensure_future(
            background.run_in_worker(release.wait, 5, share=("a", "ip1"))
        )
        await asyncio.sleep(0.05)
        name = await asyncio.wait_for(
            background.run_in_worker(
                lambda: threading.current_thread().name, share=("b", "ip2"), short=True
            ),
            2,
        )
        release.set()
        await blocked
        return name

    assert run_apart(go()).startswith("medstat-short")
