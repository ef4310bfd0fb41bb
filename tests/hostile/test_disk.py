"""Issue 17 case 3: upload bodies started and never finished, to fill the disk.

Three attacker tabs each start four bodies at once and stop sending half-way. The tab bound and
the server bound refuse what is over them with a sentence saying which limit (never a bare 500),
the stalled bodies are dropped after the body timeout and their files removed at once, and then
another user's upload is stored and read.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading

import httpx

from tests.event_loop import run_apart
from tests.hostile.conftest import (
    MB,
    AddressedSession,
    RssSampler,
    assert_up,
    page_init,
    upload_as_users,
    wait_until,
)

LIMITS = {
    "max_upload_mb": "2",
    "upload_session_mb": "3",
    "upload_total_mb": "5",
    "upload_body_timeout_s": "2",
}
DECLARED = int(1.5 * MB)


class Turns:
    """The bodies start one after another, each once the one before was admitted or refused,
    and every admitted body keeps trickling a byte every 0.5 s until the last was answered:
    then all stop together. So the bounds meet the twelve at once on any host; a loaded host
    that took longer than the 2 s body timeout to start them all would otherwise see the first
    ones dropped before the last arrived (and fewer refusals, more stalls)."""

    def __init__(self, count: int) -> None:
        self.events = [asyncio.Event() for _ in range(count)]

    async def wait_for_turn(self, i: int) -> None:
        if i:
            await asyncio.wait_for(self.events[i - 1].wait(), 60)

    def arrived(self, i: int) -> None:
        self.events[i].set()

    async def keep_alive_until_all_arrived(self):
        deadline = asyncio.get_running_loop().time() + 60
        while not self.events[-1].is_set() and asyncio.get_running_loop().time() < deadline:
            try:
                await asyncio.wait_for(self.events[-1].wait(), 0.5)
            except TimeoutError:
                yield b"x"


async def _stalled_body(
    url: str, session: AddressedSession, turns: Turns, i: int
) -> tuple[int, str]:
    """uploadInit, then a POST that declares 1.5 MB, sends 1 MB and stops (once all started)."""
    await turns.wait_for_turn(i)
    files = [{"name": "big.csv", "size": DECLARED, "type": "text/csv"}]
    tag = next(session._tags)
    answer = asyncio.get_running_loop().create_future()
    session._responses[tag] = answer
    await session.send({"method": "uploadInit", "args": [files], "tag": tag})
    target = (await asyncio.wait_for(answer, 20))["value"]["uploadUrl"]

    async def body():
        yield b"x" * MB
        turns.arrived(i)  # admitted: the next body may start
        async for byte in turns.keep_alive_until_all_arrived():
            yield byte
        await asyncio.sleep(4)  # the client stops sending; the server must not wait for it

    try:
        async with httpx.AsyncClient(base_url=url + "/", timeout=90) as client:
            response = await client.post(
                target, content=body(), headers={"Content-Length": str(DECLARED)}
            )
            return response.status_code, response.text
    except Exception as exc:  # the client gives up sending: h11 says the body is short
        return 0, type(exc).__name__
    finally:
        turns.arrived(i)  # refused (or failed): the next body may start


async def _attack(url: str, init: dict, tabs: int, bodies: int) -> list[tuple[int, str]]:
    sessions = [AddressedSession(url, init, n, 30, "10.6.6.6") for n in range(tabs)]
    await asyncio.gather(*(s.open() for s in sessions))
    turns = Turns(tabs * bodies)
    try:
        order = [s for s in sessions for _ in range(bodies)]  # a tab's four, then the next tab's
        posts = [_stalled_body(url, s, turns, i) for i, s in enumerate(order)]
        return await asyncio.gather(*posts)
    finally:
        await asyncio.gather(*(s.close() for s in sessions))


def _stored_bytes(folder) -> int:
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(FileNotFoundError):  # removed since it was listed
                total += os.path.getsize(os.path.join(root, name))
    return total


class DiskPeak:
    """The most bytes the upload folders held at once, sampled every 10 ms while it runs."""

    def __init__(self, folder) -> None:
        self.folder, self.peak = folder, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _stored_bytes(self.folder))

    def __enter__(self) -> DiskPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def test_unfinished_bodies_cannot_fill_the_disk(tmp_path, monkeypatch, hostile_app, victim):
    temp = tmp_path / "app-tmp"
    temp.mkdir()
    small = tmp_path / "cohort.csv"
    small.write_text("age,event\n" + "".join(f"{40 + i % 30},{i % 2}\n" for i in range(200)))
    monkeypatch.setenv("TMPDIR", str(temp))  # the app's upload folders, where we can see them
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        monkeypatch.delenv("TMPDIR")  # (the browser that reads the page's inputs keeps its own)
        init = page_init(app.url)
        with victim(app.url) as user, DiskPeak(temp) as disk:
            answers = run_apart(_attack(app.url, init, tabs=3, bodies=4), timeout=300)
            # Every body is gone from disk once dropped (the timeout), not at session end.
            wait_until(lambda: _stored_bytes(temp) < MB, 10, "unfinished bodies removed")
        user.assert_unharmed()
        assert upload_as_users(app.url, [small], address="10.0.0.9") == [""]
        assert_up(app)
        log = app.log()
    rss.assert_under()
    statuses = sorted(status for status, _ in answers)
    assert 500 not in statuses, answers
    assert "MEDSTAT_UPLOAD_SESSION_MB" in log  # a tab over its 3 MB
    assert "MEDSTAT_UPLOAD_TOTAL_MB" in log  # the server over its 5 MB
    # The bound held: never more than the server's 5 MB on disk at once; with all twelve held
    # open together (Turns), exactly three 1.5 MB bodies were let in: the first tab's two (its
    # 3 MB), then one of the second tab's (the server's 5 MB).
    assert disk.peak <= 5 * MB, disk.peak
    assert log.count("upload body stalled") == 3
    assert "Traceback" not in log
