"""Issue 17 case 5: idle connections, to exhaust memory and evict other users' saved tabs.

One address opens more websockets than its cap (they never send a message: Shiny makes a
session for each all the same), others fill the server's cap; the ones over a cap are refused
with a reason that names it, a page request from the capped address gets a page that says so,
and memory stays in budget. (The reconnect store never evicting a live tab for room is tested
in tests/unit/utils/test_session_store.py.)
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.error
import urllib.request

import websockets

from tests.hostile.conftest import RssSampler, assert_up

LIMITS = {
    "address_sessions": "6",
    "max_sessions": "14",
    "session_open_burst": "3",
    "session_open_every_s": "0.1",
}


async def _idle_sockets(url: str, address: str, count: int) -> tuple[list, list[str]]:
    """`count` websockets that never say anything; (open ones, reasons of the refused)."""
    ws_url = url.replace("http://", "ws://") + "/websocket/"

    async def one():
        ws = await websockets.connect(
            ws_url, additional_headers={"X-Forwarded-For": address}, open_timeout=20
        )
        try:  # a refused socket is told why at once, then closed; an open one is not
            message = json.loads(await asyncio.wait_for(ws.recv(), 1.0))
        except TimeoutError:
            return ws
        except websockets.ConnectionClosed as exc:
            return f"closed {exc.rcvd.code if exc.rcvd else ''}"
        if "notification" not in message:
            return ws  # Shiny's own first message: an open session
        return message["notification"]["message"]["html"]

    results = await asyncio.gather(*(one() for _ in range(count)))
    return [r for r in results if not isinstance(r, str)], [
        r for r in results if isinstance(r, str)
    ]


def _page(url: str, address: str) -> tuple[int, str]:
    request = urllib.request.Request(url + "/", headers={"X-Forwarded-For": address})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_idle_connections_are_capped_and_never_evict_a_live_tab(hostile_app, victim):
    with hostile_app(**LIMITS) as app, RssSampler(app.pid) as rss:
        with victim(app.url) as user:

            async def attack():
                mine, refused = await _idle_sockets(app.url, "10.6.6.6", 9)
                others = []
                for k in range(3):  # other addresses up to the server's cap
                    opened, more = await _idle_sockets(app.url, f"10.7.0.{k}", 3)
                    others += opened
                    refused += more
                status, page = _page(app.url, "10.6.6.6")
                held = len(mine) + len(others)
                for ws in mine + others:
                    await ws.close()
                return held, refused, status, page

            started = time.monotonic()
            held, refused, status, page = asyncio.run(attack())
            took = time.monotonic() - started
        user.assert_unharmed()
        assert_up(app)
        log = app.log()
    rss.assert_under()
    # The victim and page_init's browser hold 1-2 of the 14: the attackers get the rest.
    assert 6 <= held <= 13, (held, refused)
    assert any("MEDSTAT_ADDRESS_SESSIONS" in r for r in refused), refused
    assert any("MEDSTAT_MAX_SESSIONS" in r for r in refused), refused
    assert status == 429 and "MEDSTAT_ADDRESS_SESSIONS" in page
    assert took < 30
    assert "Traceback" not in log
