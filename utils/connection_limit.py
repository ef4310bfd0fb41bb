"""An ASGI middleware that bounds Shiny sessions: how many are open per client address and in
all, and how fast one address may start new ones.

Every open session holds memory (its inputs, outputs and reactive graph: ~1.6 MB idle, issue 17
case 5) and starting one renders every tab on the shared event loop (~0.5 s on the 2-core
host), so 520 idle websockets took RSS from 198 to 1,037 MB and a burst of new tabs delays
everyone's results. Here a websocket over a cap is refused before it is accepted, and a page
request over a cap gets a page that says which cap and what to do; new sessions of one address
start at most `burst` at once and then one every `every_s` seconds (the others wait, unaccepted).

A full session (the example file and one analysis of each main tab) holds ~5.3 MB
(bench/session_memory.py --full), so the default 150 sessions could need ~800 MB, more than the
512 MB budget: `memory_full` (the memory manager's critical state) refuses new sessions with a
sentence while memory is critical, and the open ones carry on.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from utils.client_address import scope_address

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TRY_AGAIN = 1013  # websocket close code: "try again later"


class ConnectionLimit:
    """Wrap an ASGI app: at most `per_address` open websockets per client address and `total`
    in all; new ones of an address paced to `burst` then one per `every_s` seconds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        total: int,
        per_address: int,
        burst: int = 3,
        every_s: float = 1.0,
        proxy_hops: int = 0,
        memory_full: Callable[[], bool] = lambda: False,
    ) -> None:
        self.app = app
        self.memory_full = memory_full
        self.total = total
        self.per_address = per_address
        self.burst = max(1, burst)
        self.every_s = every_s
        self.proxy_hops = proxy_hops
        self._open: Counter[str] = Counter()
        self._tokens: dict[str, tuple[float, float]] = {}  # address -> (tokens, when)
        self._refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope.get("type")
        if kind == "websocket":
            await self._websocket(scope, receive, send)
            return
        if kind == "http" and scope.get("method") == "GET" and scope.get("path") == "/":
            problem = self._over(scope_address(scope, self.proxy_hops))
            if problem:
                await self._page(send, problem)
                return
        await self.app(scope, receive, send)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        address = scope_address(scope, self.proxy_hops)
        problem = self._over(address)
        if problem:
            self._refused += 1
            log.info("websocket refused: %s", problem)
            await self._refuse_socket(receive, send, problem)
            return
        self._open[address] += 1
        try:
            await asyncio.sleep(self._wait_s(address))  # unaccepted until its turn
            await self.app(scope, receive, send)
        finally:
            self._open[address] -= 1
            if not self._open[address]:
                del self._open[address]

    def _over(self, address: str) -> str:
        """Which cap a new session from this address would pass ('' when none)."""
        if self._open[address] >= self.per_address:
            return (
                f"Your network address already has {self._open[address]} MedStat tabs open; "
                f"the limit is {self.per_address} (MEDSTAT_ADDRESS_SESSIONS). Close tabs you do "
                "not use, then reload this page."
            )
        if sum(self._open.values()) >= self.total:
            return (
                f"MedStat has as many users as it can serve now ({self.total} open tabs, "
                "MEDSTAT_MAX_SESSIONS). Try again in a few minutes."
            )
        if self.memory_full():
            return (
                "MedStat's memory is full with other users' work now (MEDSTAT_MEMORY_LIMIT_MB), "
                "so it cannot open another tab. Try again in a few minutes."
            )
        return ""

    def _wait_s(self, address: str) -> float:
        """Seconds until this address may start another session (a token bucket)."""
        now = time.monotonic()
        tokens, when = self._tokens.get(address, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - when) / self.every_s) - 1.0
        self._tokens[address] = (tokens, now)
        if len(self._tokens) > 4 * max(self.total, 1):  # forget addresses long idle
            cutoff = now - self.burst * self.every_s
            self._tokens = {a: v for a, v in self._tokens.items() if v[1] > cutoff}
        return max(0.0, -tokens * self.every_s)

    def stats(self) -> dict[str, float]:
        return {
            "open": sum(self._open.values()),
            "addresses": len(self._open),
            "refused": self._refused,
        }

    @staticmethod
    async def _refuse_socket(receive: Receive, send: Send, text: str) -> None:
        """Accept, show the sentence as a Shiny notification (the page's own message type, so
        the user reads it where the app would be), then close with 'try again later'."""
        if (await receive()).get("type") != "websocket.connect":
            return
        await send({"type": "websocket.accept"})
        note = {
            "type": "show",
            "message": {
                "html": html.escape(text),
                "action": "",
                "deps": [],
                "duration": None,
                "closeButton": True,
                "id": "medstat-capacity",
                "type": "error",
            },
        }
        await send({"type": "websocket.send", "text": json.dumps({"notification": note})})
        await send({"type": "websocket.close", "code": TRY_AGAIN, "reason": text[:120]})

    @staticmethod
    async def _page(send: Send, text: str) -> None:
        body = (
            "<!doctype html><html><head><meta charset='utf-8'><title>MedStat</title></head>"
            f"<body><p>{text}</p></body></html>"  # our own sentence: no user data in it
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"text/html; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"60"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
