"""The victim of a hostile test, in a process of its own: a user who keeps running a small
analysis and asking /healthz during an attack, timing both. Its own process, so that the
attacker's client work in the test process (reading and posting big files) never slows the
measurement itself; imported by tests/hostile/conftest.py, which re-exports it.
"""

from __future__ import annotations

import asyncio
import html as htmllib
import itertools
import json
import multiprocessing
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load_ws import SHOWN, WsSession

ANALYSIS_S = 2.0  # what a victim's small analysis (or cache hit) may take during an attack
HEALTH_S = 1.0  # what /healthz may take during an attack
VICTIM_ADDRESS = "10.0.0.2"
# Small analyses on the example dataset: each set is new work once, then a cache hit.
VICTIM_COVARIATES = ("age", "sex", "bmi", "smoking", "diabetes", "hypertension", "albumin", "crp")


class AddressedSession(WsSession):
    """A websocket session whose client says (through the trusted proxy hop) it comes from
    `address`: the victim and the attackers are different users though all on loopback."""

    def __init__(self, url: str, init: dict[str, Any], number: int, timeout_s: float, address: str):
        super().__init__(url, init, number, timeout_s)
        self.address = address
        self.visible: tuple[str, ...] = ()  # outputs to draw beyond bench.load_ws.SHOWN

    async def open(self) -> None:
        import websockets

        ws_url = self.url.replace("http://", "ws://").rstrip("/") + "/websocket/"
        self._ws = await websockets.connect(
            ws_url,
            max_size=None,
            open_timeout=self.timeout_s,
            additional_headers={"X-Forwarded-For": self.address},
        )
        data = dict(self.init)
        for output in (*SHOWN, *self.visible):
            data[f".clientdata_output_{output}_hidden"] = False
        await self._ws.send(json.dumps({"method": "init", "data": data}))
        self._reader = asyncio.create_task(self._read())
        await self.wait_value("data-summary", lambda v: True)

    async def upload_to(self, path: Path, input_id: str) -> None:
        """Upload a file to any file input as the browser does (uploadInit, POST, uploadEnd);
        what the app shows for it is read with shown()."""
        body = path.read_bytes()
        tag = next(self._tags)
        answer: asyncio.Future = asyncio.get_running_loop().create_future()
        self._responses[tag] = answer
        files = [{"name": path.name, "size": len(body), "type": "text/csv"}]
        await self.send({"method": "uploadInit", "args": [files], "tag": tag})
        target = (await asyncio.wait_for(answer, self.timeout_s))["value"]
        async with httpx.AsyncClient(base_url=self.url.rstrip("/") + "/") as client:
            posted = await client.post(target["uploadUrl"], content=body, timeout=self.timeout_s)
            posted.raise_for_status()
        tag = next(self._tags)
        await self.send({"method": "uploadEnd", "args": [target["jobId"], input_id], "tag": tag})

    async def wait_text(self, output: str, *needles: str) -> str:
        """The output's text once it holds one of the needles (or TimeoutError)."""

        def has(_: Any) -> bool:
            return any(n in self.shown(output) for n in needles)

        await self.wait_value(output, has)
        return self.shown(output)

    def shown(self, output: str) -> str:
        """The text an output shows now (its HTML without tags)."""
        value = self.values.get(output, (0, None))[1]
        html = value.get("html", "") if isinstance(value, dict) else str(value or "")
        return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@dataclass(frozen=True)
class Timing:
    kind: str  # "analysis" (new work), "cached" (the same settings again) or "health"
    seconds: float
    ok: bool
    detail: str = ""
    at: float = 0.0  # when it started (time.time(), to read beside the server log)


class Victim:
    """Another user during the attack, in a spawned process: over a websocket session of its
    own, runs a small outcome analysis on the example dataset (new covariates, then the same
    again: a cache hit) every `pause_s`, and asks /healthz every 0.25 s, timing everything."""

    def __init__(self, url: str, init: dict[str, Any], pause_s: float = 0.3) -> None:
        context = multiprocessing.get_context("spawn")
        self.url = url
        self.timings: list[Timing] = []
        self._failed: str | None = None
        self._ready = context.Event()
        self._stop = context.Event()
        self._results = context.Queue()
        self._process = context.Process(
            target=run_victim,
            args=(url, init, pause_s, self._ready, self._stop, self._results),
            daemon=True,
            name="hostile-victim",
        )

    def __enter__(self) -> Victim:
        self._process.start()
        if not self._ready.wait(90) or not self._process.is_alive():
            self._stop.set()
            error = self._results.get(timeout=5)["error"] if not self._results.empty() else ""
            raise RuntimeError(f"the victim could not start: {error or 'no answer in 90 s'}")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        payload = self._results.get(timeout=60)
        self._process.join(timeout=10)
        self.timings = [Timing(*t) for t in payload["timings"]]
        self._failed = payload["error"]

    def of(self, *kinds: str) -> list[Timing]:
        return [t for t in self.timings if t.kind in kinds]

    def summary(self) -> str:
        parts = []
        for kind in ("analysis", "cached", "health"):
            times = [t.seconds for t in self.of(kind)]
            if times:
                parts.append(f"{kind}: {len(times)} max {max(times):.2f} s")
        return "; ".join(parts)

    def assert_unharmed(self, analysis_s: float = ANALYSIS_S, health_s: float = HEALTH_S) -> None:
        """Every analysis and health check during the attack answered, in time."""
        print(f"victim during the attack: {self.summary()}")  # shown with -s, or on failure
        assert self._failed is None, f"the victim's session failed: {self._failed}"
        runs, health = self.of("analysis", "cached"), self.of("health")
        assert runs and health, f"the victim measured nothing ({self.summary()})"
        failed = [t for t in self.timings if not t.ok]
        assert not failed, f"the victim was refused or timed out: {failed[:3]}"
        slow = [t for t in runs if t.seconds > analysis_s]
        assert not slow, f"analyses over {analysis_s} s: {slow[:3]} ({self.summary()})"
        slow = [t for t in health if t.seconds > health_s]
        assert not slow, f"/healthz over {health_s} s: {slow[:3]} ({self.summary()})"


def run_victim(url: str, init: dict, pause_s: float, ready, stop, results) -> None:
    """The victim process: warm up (not timed), signal ready, work until stopped, report."""
    run = _VictimRun(url, init, pause_s, ready, stop)
    error = None
    try:
        asyncio.run(run.session())
    except BaseException as exc:  # reported by assert_unharmed or __enter__
        error = f"{type(exc).__name__}: {exc}"
    results.put({"timings": [tuple(vars(t).values()) for t in run.timings], "error": error})
    ready.set()


class _VictimRun:
    def __init__(self, url: str, init: dict, pause_s: float, ready, stop) -> None:
        self.url, self._init, self._pause_s = url, init, pause_s
        self._ready, self._stop = ready, stop
        self.timings: list[Timing] = []

    async def session(self) -> None:
        session = AddressedSession(self.url, self._init, 0, timeout_s=20, address=VICTIM_ADDRESS)
        await session.open()
        try:
            await self._analysis(session, ["age", "sex"], "analysis")  # warm-up
            self.timings.clear()
            self._ready.set()
            await asyncio.gather(self._analyses(session), self._health())
        finally:
            await session.close()

    async def _analysis(self, session: WsSession, covariates: list[str], kind: str) -> None:
        started = time.perf_counter()
        try:
            await session.update({"outcome-covariates": covariates})
            state, text = await session.run_outcome(covariates)
            ok, detail = state == "done", "" if state == "done" else text
        except (TimeoutError, ConnectionError) as exc:
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        took = time.perf_counter() - started
        self.timings.append(Timing(kind, took, ok, detail, time.time() - took))

    async def _analyses(self, session: WsSession) -> None:
        sets = itertools.cycle(
            list(c) for k in (2, 3) for c in itertools.combinations(VICTIM_COVARIATES, k)
        )
        while not self._stop.is_set():
            covariates = next(sets)
            await self._analysis(session, covariates, "analysis")
            await asyncio.sleep(self._pause_s)
            await self._analysis(session, covariates, "cached")
            await asyncio.sleep(self._pause_s)

    async def _health(self) -> None:
        async with httpx.AsyncClient(timeout=20) as client:
            while not self._stop.is_set():
                started = time.perf_counter()
                try:
                    response = await client.get(self.url + "/healthz")
                    ok, detail = response.status_code == 200, str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, detail = False, f"{type(exc).__name__}: {exc}"
                took = time.perf_counter() - started
                self.timings.append(Timing("health", took, ok, detail, time.time() - took))
                await asyncio.sleep(0.25)
