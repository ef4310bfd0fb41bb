"""Fair shares of the worker pool: who may start work now, and who waits in which place.

The pool has `worker_threads` threads and threads cannot be killed, so a run holds its place
until its thread ends, not until its page stops waiting: a cancelled fit that is still
unwinding to its next checkpoint counts against its browser tab. Each browser tab may run
`session_analyses` pieces of work at once and each client address `address_analyses`, so one
user (or one address opening many tabs) never holds every thread; beyond that a tab may queue
`session_queue` more and an address `address_queue`, then it is told to wait for its own runs.
Waiting work starts in arrival order among those whose share allows it. State lives on the
event loop; threads report their end with call_soon_threadsafe.

Short work (a small analysis, by its size: logic.is_short) may also start in a lane of
`short_lane` threads of its own when every pool thread is taken, so a new small analysis never
waits behind other users' long fits, however many addresses run them. The lane is never given
to long work: a ticket says where it runs (`lane`).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from analyses.errors import AnalysisError
from utils.client_address import forwarded_address
from utils.config import settings
from utils.data_error import DataError


class ShareFull(AnalysisError, DataError):
    """A tab or an address has all the work it may have waiting; both an AnalysisError and a
    DataError, so the analysis tabs and the Data tab each show it as the sentence it is."""


@dataclass(eq=False)
class Ticket:
    """One piece of work's place: waiting, then running until its thread ends."""

    session: str
    address: str
    short: bool = False  # small enough for the short lane
    started: asyncio.Event = field(default_factory=asyncio.Event)
    running: bool = False
    lane: bool = False  # started in the short lane, not in the pool


class FairShare:
    """Places in a pool of `threads`, bounded per browser tab and per client address."""

    def __init__(
        self,
        threads: int,
        per_session: int,
        per_address: int,
        session_queue: int,
        address_queue: int,
        short_lane: int = 0,
    ) -> None:
        self.threads = max(1, threads)
        self.short_lane = max(0, short_lane)
        self.per_session = max(1, per_session)
        self.per_address = max(1, min(per_address, self.threads))
        self.session_queue = max(0, session_queue)
        self.address_queue = max(0, address_queue)
        self._waiting: list[Ticket] = []
        self._by_session: Counter[str] = Counter()
        self._by_address: Counter[str] = Counter()
        self._running = 0
        self._lane_running = 0

    @classmethod
    def from_settings(cls) -> FairShare:
        return cls(
            settings.worker_threads,
            settings.session_analyses,
            settings.address_analyses,
            settings.session_queue,
            settings.address_queue,
            settings.short_lane,
        )

    async def enter(
        self,
        session: str,
        address: str,
        on_place: Callable[[Ticket], None] | None = None,
        *,
        short: bool = False,
    ) -> Ticket:
        """Wait for this work's turn; ShareFull (a sentence) when its tab or its address
        already has as much waiting as it may. `on_place` gets the ticket before it waits;
        `short` work may start in the short lane when the pool is full."""
        self._refuse_if_full(session, address)
        ticket = Ticket(session, address, short=short)
        self._waiting.append(ticket)
        self._dispatch()
        if on_place is not None:
            on_place(ticket)
        try:
            await ticket.started.wait()
        except asyncio.CancelledError:
            if ticket.running:
                self.leave(ticket)  # started as it was cancelled: nothing was submitted
            else:
                self._waiting.remove(ticket)
                self._dispatch()
            raise
        return ticket

    def leave(self, ticket: Ticket) -> None:
        """The work's thread ended (or it never started): its place goes to the next in line."""
        if not ticket.running:
            return
        ticket.running = False
        if ticket.lane:
            self._lane_running -= 1
        else:
            self._running -= 1
        self._by_session[ticket.session] -= 1
        self._by_address[ticket.address] -= 1
        self._dispatch()

    def ahead(self, ticket: Ticket) -> int:
        """How many waiting pieces of work will start before this one (0 when it runs)."""
        if ticket.running or ticket not in self._waiting:
            return 0
        return self._waiting.index(ticket)

    def stats(self) -> dict[str, float]:
        return {
            "running": self._running,
            "short_lane_running": self._lane_running,
            "waiting": len(self._waiting),
        }

    def _refuse_if_full(self, session: str, address: str) -> None:
        mine = sum(t.session == session for t in self._waiting)
        if mine + self._by_session[session] >= self.per_session + self.session_queue:
            raise ShareFull(
                f"This browser tab already has {self.per_session + self.session_queue} "
                "analyses or uploads running or waiting. Wait for one to finish (or cancel "
                "one), then try again."
            )
        here = sum(t.address == address for t in self._waiting)
        if here + self._by_address[address] >= self.per_address + self.address_queue:
            raise ShareFull(
                "Your network address already has "
                f"{self.per_address + self.address_queue} analyses or uploads running or "
                "waiting (from all its browser tabs). Wait for some to finish, then try again."
            )

    def _dispatch(self) -> None:
        for ticket in list(self._waiting):
            pool_free = self._running < self.threads
            lane_free = ticket.short and self._lane_running < self.short_lane
            if not pool_free and self._lane_running >= self.short_lane:
                return  # nothing can start, short or long
            if not (pool_free or lane_free):
                continue  # long work waits; a short one behind it may take the lane
            if (
                self._by_session[ticket.session] < self.per_session
                and self._by_address[ticket.address] < self.per_address
            ):
                self._waiting.remove(ticket)
                ticket.running = True
                ticket.lane = not pool_free
                if ticket.lane:
                    self._lane_running += 1
                else:
                    self._running += 1
                self._by_session[ticket.session] += 1
                self._by_address[ticket.address] += 1
                ticket.started.set()


def client_address(session) -> str:
    """The address of a session's client (utils/client_address.py: MEDSTAT_PROXY_HOPS)."""
    conn = getattr(session, "http_conn", None)
    if conn is None:
        return "unknown"
    client = getattr(conn, "client", None)
    headers = ((k.lower(), v) for k, v in (getattr(conn, "headers", None) or {}).items())
    return forwarded_address(headers, client.host if client else "", settings.proxy_hops)
