"""Open sessions bounded per address and in all, with a sentence; new ones paced per address."""

from __future__ import annotations

import asyncio
import time

from tests.event_loop import run_apart
from utils.client_address import forwarded_address
from utils.connection_limit import TRY_AGAIN, ConnectionLimit


class HeldSocket:
    """An app that keeps every websocket open until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started: list[float] = []

    async def __call__(self, scope, receive, send) -> None:
        self.started.append(time.monotonic())
        if scope["type"] == "websocket":
            await self.release.wait()
        else:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"page"})


def _scope(kind: str, address: str) -> dict:
    path = "/websocket/" if kind == "websocket" else "/"
    return {"type": kind, "method": "GET", "path": path, "client": (address, 1), "headers": []}


async def _open(limit, address: str) -> list[dict]:
    sent: list[dict] = []
    said = []

    async def receive():
        if not said:  # the ASGI server's first event
            said.append(1)
            return {"type": "websocket.connect"}
        await asyncio.sleep(3600)

    async def send(message):
        sent.append(message)

    asyncio.ensure_future(limit(_scope("websocket", address), receive, send))
    await asyncio.sleep(0.01)  # a refusal is sent at once; an accepted socket stays open
    return sent


def test_an_address_over_its_cap_is_refused_and_told_why_others_are_not():
    async def go():
        app = HeldSocket()
        limit = ConnectionLimit(app, total=10, per_address=2, burst=5, every_s=0.01)
        for _ in range(2):
            assert await _open(limit, "1.1.1.1") == []
        refused = await _open(limit, "1.1.1.1")
        other = await _open(limit, "2.2.2.2")
        page: list[dict] = []

        async def send(message):
            page.append(message)

        await limit(_scope("http", "1.1.1.1"), None, send)
        app.release.set()
        return refused, other, page

    refused, other, page = run_apart(go())
    assert [m["type"] for m in refused] == ["websocket.accept", "websocket.send", "websocket.close"]
    assert "MEDSTAT_ADDRESS_SESSIONS" in refused[1]["text"]  # shown as a Shiny notification
    assert refused[2]["code"] == TRY_AGAIN
    assert other == []
    assert page[0]["status"] == 429 and b"MEDSTAT_ADDRESS_SESSIONS" in page[1]["body"]


def test_the_server_has_a_total_cap():
    async def go():
        limit = ConnectionLimit(HeldSocket(), total=2, per_address=5, burst=5, every_s=0.01)
        await _open(limit, "1.1.1.1")
        await _open(limit, "2.2.2.2")
        return await _open(limit, "3.3.3.3")

    refused = run_apart(go())
    assert refused and "MEDSTAT_MAX_SESSIONS" in refused[2]["reason"]


def test_no_new_session_while_memory_is_full_and_the_open_ones_carry_on():
    full = [False]

    async def go():
        app = HeldSocket()
        limit = ConnectionLimit(
            app, total=10, per_address=5, burst=5, every_s=0.01, memory_full=lambda: full[0]
        )
        first = await _open(limit, "1.1.1.1")
        full[0] = True
        refused = await _open(limit, "2.2.2.2")
        full[0] = False
        later = await _open(limit, "2.2.2.2")
        app.release.set()
        return first, refused, later, len(app.started)

    first, refused, later, started = run_apart(go())
    assert first == [] and later == [] and started == 2
    assert refused[2]["code"] == TRY_AGAIN and "MEDSTAT_MEMORY_LIMIT_MB" in refused[1]["text"]


def test_new_sessions_of_one_address_are_paced_after_a_burst():
    async def go():
        app = HeldSocket()
        limit = ConnectionLimit(app, total=10, per_address=10, burst=2, every_s=0.2)
        started = time.monotonic()
        for _ in range(4):
            await _open(limit, "1.1.1.1")
        await asyncio.sleep(0.5)
        app.release.set()
        return [round(t - started, 1) for t in app.started]

    starts = run_apart(go())
    assert starts[:2] == [0.0, 0.0]  # the burst
    assert 0.15 <= starts[2] <= 0.3 and 0.35 <= starts[3] <= 0.5  # then one per 0.2 s


def test_forwarded_for_is_read_only_from_trusted_hops():
    headers = [("x-forwarded-for", "6.6.6.6, 10.0.0.7")]  # the client's claim, then our proxy's
    assert forwarded_address(headers, "127.0.0.1", 0) == "127.0.0.1"
    assert forwarded_address(headers, "127.0.0.1", 1) == "10.0.0.7"
    assert forwarded_address([], "127.0.0.1", 1) == "127.0.0.1"
