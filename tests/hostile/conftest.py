"""What every hostile test shares: a dedicated app with small limits, a victim who keeps using
it during the attack, and a sampler of the app's RSS.

    def test_attack(hostile_app, victim):
        with hostile_app(max_upload_mb="2") as app, RssSampler(app.pid) as rss:
            with victim(app.url) as user:
                ...  # the attack, bounded in time
            user.assert_unharmed()  # small analyses < 2 s, /healthz < 1 s, all of it answered
            assert_up(app)
        rss.assert_under(BUDGET_MB)

The victim speaks Shiny's websocket protocol (bench/load_ws.py) with the inputs a real page
sends at start, captured once per test run from Debian's chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import html as htmllib
import itertools
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from bench.load_ws import SHOWN, WsSession
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, AppProcess, running_app

MB = 2**20
BUDGET_MB = 512  # the memory budget every hostile app runs with unless a test says otherwise
ANALYSIS_S = 2.0  # what a victim's small analysis (or cache hit) may take during an attack
HEALTH_S = 1.0  # what /healthz may take during an attack
VICTIM_ADDRESS = "10.0.0.2"
ATTACKER_ADDRESS = "10.6.6.6"
# Small analyses on the example dataset: each set is new work once, then a cache hit.
VICTIM_COVARIATES = ("age", "sex", "bmi", "smoking", "diabetes", "hypertension", "albumin", "crp")


def assert_up(app: AppProcess) -> None:
    """The app process is alive and /healthz answers 200."""
    assert psutil.pid_exists(app.pid), "the app process is gone"
    with urllib.request.urlopen(app.url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200


@pytest.fixture
def hostile_app(tmp_path) -> Iterator[Callable[..., contextlib.AbstractContextManager[AppProcess]]]:
    """A factory of dedicated apps: `with hostile_app(max_upload_mb="2") as app:` starts the app
    as `make run` does with a BUDGET_MB budget and the given MEDSTAT_* settings. The apps' logs
    (without request lines) are printed at teardown: pytest shows them when the test failed."""
    counter = itertools.count()
    logs: list[Path] = []

    @contextlib.contextmanager
    def start(**settings: str) -> Iterator[AppProcess]:
        log_path = tmp_path / f"server{next(counter)}.log"
        logs.append(log_path)
        # One trusted proxy hop: each test client names its own address in X-Forwarded-For
        # (AddressedSession), as users behind a Space's proxy arrive, all on loopback here.
        settings = {"memory_limit_mb": str(BUDGET_MB), "proxy_hops": "1", **settings}
        with running_app(log_path, **settings) as app:
            yield app

    yield start
    for log_path in logs:
        lines = [line for line in log_path.read_text().splitlines() if '"GET /' not in line]
        print(f"--- {log_path.name} ---", *lines[-150:], sep="\n")


class RssSampler:
    """Samples the RSS of the app process and its children (the embedding worker) every
    `every_s` seconds in a thread; `peak_mb` and `samples` afterwards."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        self._process = psutil.Process(pid)
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True, name="hostile-rss")
        self.samples: list[tuple[float, float]] = []  # (seconds since start, MB)
        self.peak_mb = 0.0

    def now_mb(self) -> float:
        total = self._process.memory_info().rss
        for child in self._process.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                total += child.memory_info().rss
        return total / MB

    def _poll(self) -> None:
        start = time.monotonic()
        while not self._stop.is_set():
            try:
                mb = self.now_mb()
            except psutil.Error:
                return
            self.peak_mb = max(self.peak_mb, mb)
            self.samples.append((time.monotonic() - start, mb))
            self._stop.wait(self._every_s)

    def __enter__(self) -> RssSampler:
        self.peak_mb = self.now_mb()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def assert_under(self, budget_mb: float = BUDGET_MB) -> None:
        assert self.peak_mb < budget_mb, (
            f"app RSS peaked at {self.peak_mb:.0f} MB, over the {budget_mb:.0f} MB budget "
            f"({len(self.samples)} samples)"
        )


_INIT: dict[str, Any] = {}


def page_init(url: str) -> dict[str, Any]:
    """The inputs a fresh page sends in its websocket init (captured once per test run)."""
    if not _INIT:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            frames: list[str] = []
            page.on("websocket", lambda ws: ws.on("framesent", lambda f: frames.append(f)))
            page.goto(url)
            page.wait_for_selector(".shiny-bound-output", timeout=30_000)
            page.wait_for_function("() => window.Shiny?.shinyapp?.isConnected()")
            browser.close()
        first = next(f for f in frames if isinstance(f, str) and f.startswith('{"method":"init"'))
        _INIT.update(json.loads(first)["data"])
    return dict(_INIT)


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
    """Another user during the attack: over a websocket session of their own, runs a small
    outcome analysis on the example dataset (new covariates, then the same again: a cache hit)
    every `pause_s`, and asks /healthz every `health_every_s`, timing everything."""

    def __init__(self, url: str, init: dict[str, Any], pause_s: float = 0.3) -> None:
        self.url = url
        self._init = init
        self._pause_s = pause_s
        self.health_every_s = 0.25
        self.timings: list[Timing] = []
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._main, daemon=True, name="hostile-victim")

    def __enter__(self) -> Victim:
        self._thread.start()
        if not self._ready.wait(60) or self._failed:
            self._stop.set()
            raise RuntimeError(f"the victim could not start: {self._failed!r}")
        self.timings.clear()  # the warm-up before the attack does not count
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _main(self) -> None:
        try:
            asyncio.run(self._session())
        except BaseException as exc:  # reported by assert_unharmed or __enter__
            self._failed = exc
            self._ready.set()

    async def _session(self) -> None:
        session = AddressedSession(self.url, self._init, 0, timeout_s=20, address=VICTIM_ADDRESS)
        await session.open()
        try:
            await self._analysis(session, ["age", "sex"], "analysis")  # warm-up
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
                self.timings.append(Timing("health", time.perf_counter() - started, ok, detail))
                await asyncio.sleep(self.health_every_s)

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
        assert self._failed is None, f"the victim's session failed: {self._failed!r}"
        runs, health = self.of("analysis", "cached"), self.of("health")
        assert runs and health, f"the victim measured nothing ({self.summary()})"
        failed = [t for t in self.timings if not t.ok]
        assert not failed, f"the victim was refused or timed out: {failed[:3]}"
        slow = [t for t in runs if t.seconds > analysis_s]
        assert not slow, f"analyses over {analysis_s} s: {slow[:3]} ({self.summary()})"
        slow = [t for t in health if t.seconds > health_s]
        assert not slow, f"/healthz over {health_s} s: {slow[:3]} ({self.summary()})"


@pytest.fixture
def victim() -> Callable[[str], Victim]:
    """`with victim(app.url) as user:` a user who starts before the attack (one analysis run)
    and keeps working until the block ends; then `user.assert_unharmed()`."""

    def make(url: str) -> Victim:
        return Victim(url, page_init(url))

    return make


def wait_until(condition: Callable[[], Any], seconds: float, what: str, every_s: float = 0.1):
    """Poll `condition` until it is truthy (returned) or `seconds` pass (AssertionError)."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds:g} s")
        time.sleep(every_s)


def upload_as_users(
    url: str, paths: list[Path], timeout_s: float = 60, address: str = ATTACKER_ADDRESS
) -> list[str]:
    """Each file uploaded at once by a browser tab of its own (a websocket session each), all
    from `address`; the message each was shown ('' when the file was read)."""

    init = page_init(url)

    async def one(number: int, path: Path) -> str:
        session = AddressedSession(url, init, number, timeout_s=timeout_s, address=address)
        await session.open()
        try:
            refused = (await session.upload(path))[1]
            return session.shown("data-upload_status") if refused else ""
        finally:
            await session.close()

    async def every() -> list[str]:
        return await asyncio.gather(*(one(n, p) for n, p in enumerate(paths)))

    return asyncio.run(every())
