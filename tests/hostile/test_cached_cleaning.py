"""Issue 17, fair shares: a cache lookup never enters the long-work pool, on the cleaning tab too.

A user matches a codebook to the example data and compares the labels of a column (both
computed and cached). Then another user's long Firth fits take every worker thread (no short
lane here, so nothing of the pool is free). The first user uploads the same codebook again and
compares the same column again: both are answered from the cache on the event loop (a look-up
of a fraction of a millisecond, logged "no worker"), while the pool stays full; without that
they would wait for a fit to end.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bench.cancel import bench_frame
from tests.event_loop import run_apart
from tests.hostile.conftest import (
    ATTACKER_ADDRESS,
    VICTIM_ADDRESS,
    AddressedSession,
    assert_up,
    page_init,
)

DATA = Path(__file__).parents[2] / "data"
LIMITS = {
    "worker_threads": "2",
    "short_lane": "0",
    "session_analyses": "1",
    "address_analyses": "2",
    "embeddings": "false",  # rapidfuzz only: the model's process is not what is measured here
}
# A Firth fit of every covariate with a bootstrap validation: minutes of work on any host (a
# plain Firth fit took 10-20 s here, less than the hold)
FIRTH = {
    "outcome-outcome": "died",
    "outcome-method": "firth",
    "outcome-screen_mode": "all",
    "outcome-bootstrap": True,
    "outcome-samples": 200,
}
HIT_S = 1.0  # a comparison taken from the cache
UPLOAD_HIT_S = 2.0  # a codebook taken from the cache, its upload (a POST on the loop) included


async def _long_fit(url: str, init: dict, number: int, cohort, running: list[float], stop):
    """An attacker's tab: upload, start a Firth fit of every covariate, hold it until `stop`."""
    session = AddressedSession(url, init, number, 120, ATTACKER_ADDRESS)
    await session.open()
    try:
        await session.upload(cohort)
        await session.update(FIRTH)
        await session.update({"outcome-run:bslib.taskbutton": {"value": 1, "autoReset": True}})
        await session.wait_text("outcome-status", "Running the analysis")
        running.append(time.monotonic())
        await stop.wait()
        return session.shown("outcome-status")
    finally:
        await session.close()


class _Cleaner:
    """The user of the cleaning tab: a codebook match and a label comparison, timed."""

    def __init__(self, session: AddressedSession) -> None:
        self.session = session
        self.finds = 0

    async def codebook(self) -> float:
        after = self.session.values.get("cleaning-codebook-matches", (0, None))[0]
        started = time.monotonic()
        await self.session.upload_to(DATA / "example_codebook.csv", "cleaning-codebook-upload")
        await self.session.wait_value(
            "cleaning-codebook-matches", lambda v: "example_codebook.csv" in str(v), after=after
        )
        return time.monotonic() - started

    async def compare(self) -> float:
        after = self.session.values.get("cleaning-groups", (0, None))[0]
        self.finds += 1
        started = time.monotonic()
        await self.session.update(
            {"cleaning-find:bslib.taskbutton": {"value": self.finds, "autoReset": True}}
        )
        await self.session.wait_value(
            "cleaning-groups", lambda v: "No comparison yet" not in str(v), after=after
        )
        return time.monotonic() - started


def test_cleaning_cache_hits_never_wait_for_the_pool(tmp_path, hostile_app):
    cohort = tmp_path / "cohort.csv"
    bench_frame(20_000).to_csv(cohort, index=False)
    with hostile_app(**LIMITS) as app:
        init = page_init(app.url)

        async def scenario():
            user = AddressedSession(app.url, init, 0, 60, VICTIM_ADDRESS)
            user.visible = ("cleaning-codebook-matches", "cleaning-groups", "cleaning-status")
            await user.open()
            try:
                assert not (await user.upload(DATA / "example_clinical.csv"))[1]
                await user.update({"cleaning-column": "smoking"})
                cleaner = _Cleaner(user)
                first = await cleaner.codebook(), await cleaner.compare()
                running: list[float] = []
                stop = asyncio.Event()
                fits = [
                    asyncio.ensure_future(_long_fit(app.url, init, n, cohort, running, stop))
                    for n in (1, 2)
                ]
                while len(running) < 2:  # every worker thread holds a long fit
                    await asyncio.sleep(0.05)
                again = await cleaner.codebook(), await cleaner.compare()
                stop.set()
                shown = await asyncio.gather(*fits)
                return first, again, shown
            finally:
                await user.close()

        first, again, shown = run_apart(scenario(), timeout=400)
        assert_up(app)
        log = app.log()
    print(
        f"codebook, comparison: computed {first[0]:.2f}, {first[1]:.2f} s; "
        f"from the cache with the pool full {again[0]:.2f}, {again[1]:.2f} s"
    )
    # the fits still ran when the hits were answered: the pool was full all along
    assert all("Running the analysis" in text for text in shown), shown
    assert again[0] < UPLOAD_HIT_S and again[1] < HIT_S, again
    assert "codebook memory in" in log and "harmonize memory in" in log
    assert "Traceback" not in log
