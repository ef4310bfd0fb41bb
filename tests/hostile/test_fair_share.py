"""Issue 17 case 6: run-and-cancel pile-ups of long fits from one user.

Three tabs of one address upload a 20,000-patient cohort and start Firth fits of every
covariate, cancelling and starting again. Their address runs at most its share of the pool (a
cancelled fit holds its place until its thread has stopped), the rest wait in line with their
position shown or are told to wait for their own work; another user's small analyses and cache
hits stay fast throughout.
"""

from __future__ import annotations

import asyncio
import time

from bench.cancel import bench_frame
from tests.hostile.conftest import (
    ATTACKER_ADDRESS,
    AddressedSession,
    RssSampler,
    assert_up,
    page_init,
)

LIMITS = {
    "worker_threads": "4",
    "session_analyses": "1",
    "session_queue": "1",
    "address_analyses": "2",
    "address_queue": "1",
}
FIRTH = {"outcome-outcome": "died", "outcome-method": "firth", "outcome-screen_mode": "all"}


async def _tab(url: str, init: dict, number: int, cohort, seconds: float) -> set[str]:
    """One attacker tab: upload, then Run / Cancel / Run ... for `seconds`; every status seen."""
    session = AddressedSession(url, init, number, 60, ATTACKER_ADDRESS)
    await session.open()
    seen: set[str] = set()
    try:
        await session.upload(cohort)
        await session.update(FIRTH)
        runs = cancels = 0
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            runs += 1
            await session.update(
                {"outcome-run:bslib.taskbutton": {"value": runs, "autoReset": True}}
            )
            for _ in range(8):
                await asyncio.sleep(0.1)
                seen.add(session.shown("outcome-status"))
            if runs % 2:
                cancels += 1
                await session.update({"outcome-cancel": cancels})
    finally:
        await session.close()  # the tab closes: its work is cancelled
    return seen


def test_one_user_cannot_hold_the_pool_with_long_fits(tmp_path, hostile_app, victim):
    cohort = tmp_path / "cohort.csv"
    bench_frame(20_000).to_csv(cohort, index=False)
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        init = page_init(app.url)
        with victim(app.url) as user:

            async def attack():
                tabs = [_tab(app.url, init, n, cohort, 12) for n in range(3)]
                return set().union(*await asyncio.gather(*tabs))

            seen = asyncio.run(attack())
        user.assert_unharmed()
        assert_up(app)
        log = app.log()
    rss.assert_under()
    waiting = [s for s in seen if "Waiting for a free worker" in s]
    told = [s for s in seen if "already has" in s]
    assert waiting or told, sorted(seen)[:5]
    assert "Traceback" not in log
