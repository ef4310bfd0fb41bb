"""Issue 17, fair shares: long work from many addresses never makes a small analysis wait.

Four users at four addresses each upload a 20,000-patient cohort and start a Firth fit of every
covariate (minutes each): together they hold every thread of the pool, each within its own
address's share. Another user's new small analyses (not cached) start in the short lane
(MEDSTAT_SHORT_LANE) and finish in under 2 s throughout; /healthz stays under 1 s.
"""

from __future__ import annotations

import asyncio
import time

from bench.cancel import bench_frame
from tests.event_loop import run_apart
from tests.hostile.conftest import AddressedSession, RssSampler, assert_up, page_init

LIMITS = {"worker_threads": "4", "short_lane": "1"}
# A Firth fit of every covariate with a bootstrap validation: minutes of work on any host (a
# plain Firth fit took 10-20 s here, less than the hold)
FIRTH = {
    "outcome-outcome": "died",
    "outcome-method": "firth",
    "outcome-screen_mode": "all",
    "outcome-bootstrap": True,
    "outcome-samples": 200,
}
HOLD_S = 15  # how long the four fits hold the pool together while the victim works


async def _long_fit(
    url: str, init: dict, number: int, cohort, turn: asyncio.Lock, held: list[float]
) -> str:
    """One user at an address of their own: upload (one user at a time: the attack is the
    fits), start the long fit, hold it HOLD_S once all four run (`held` gets when that was);
    what its status shows at the end."""
    session = AddressedSession(url, init, number, 120, f"10.6.6.{number + 1}")
    await session.open()
    try:
        async with turn:
            await session.upload(cohort)
        await session.update(FIRTH)
        await session.update({"outcome-run:bslib.taskbutton": {"value": 1, "autoReset": True}})
        await session.wait_text("outcome-status", "Running the analysis")
        held.append(time.time())
        while len(held) < 4:  # all four fits run at once
            await asyncio.sleep(0.05)
        await asyncio.sleep(HOLD_S)
        return session.shown("outcome-status")
    finally:
        await session.close()  # the tab closes: its fit is cancelled


def test_long_fits_from_many_addresses_leave_small_analyses_a_lane(tmp_path, hostile_app, victim):
    cohort = tmp_path / "cohort.csv"
    bench_frame(20_000).to_csv(cohort, index=False)
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        init = page_init(app.url)
        with victim(app.url) as user:
            held: list[float] = []

            async def attack():
                turn = asyncio.Lock()
                fits = (_long_fit(app.url, init, n, cohort, turn, held) for n in range(4))
                return await asyncio.gather(*fits)

            shown = run_apart(attack(), timeout=400)
        during = [t for t in user.of("analysis") if t.at >= max(held)]
        print(
            f"victim's new analyses while the pool was full: {len(during)}, max "
            f"{max((t.seconds for t in during), default=0):.2f} s"
        )
        user.assert_unharmed()
        assert_up(app)
        log = app.log()
    rss.assert_under()
    # the four fits were still running when their users left: the pool was full all along
    assert all("Running the analysis" in text for text in shown), shown
    assert during, "the victim ran no new analysis during the attack"
    assert "Traceback" not in log
