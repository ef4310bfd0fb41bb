"""A Shiny session without a browser, for the load test: the websocket protocol the browser
speaks (init with its inputs, update, uploadInit + HTTP POST + uploadEnd), a fraction of the
CPU of a chromium page. It does what a user does on the Data and Outcome tabs and the stats tab,
and times each step from the input it sends to the new output value the server sends back.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from pathlib import Path
from typing import Any

import httpx
import websockets

Step = Any  # bench.load.Step (not imported: load imports this module)
# Outputs a user looking at these tabs keeps visible; the rest stay suspended as in a browser.
SHOWN = ("data-summary", "data-upload_status", "outcome-status", "stats-cards")


class WsSession:
    """One Shiny session over a raw websocket; `init` is a browser's captured init inputs."""

    def __init__(
        self, url: str, init: dict[str, Any], number: int, timeout_s: float, cookie: str = ""
    ) -> None:
        self.url = url
        # A browser's medstat_browser cookie: behind nginx (bench/team_load.py) it picks the
        # worker, for the websocket and the uploads alike.
        self.headers = {"Cookie": f"medstat_browser={cookie}"} if cookie else {}
        self.init = init
        self.number = number
        self.timeout_s = timeout_s
        self.values: dict[str, tuple[int, Any]] = {}  # output id -> (sequence, value)
        self._seq = itertools.count(1)
        self._tags = itertools.count(0)
        self._responses: dict[int, asyncio.Future] = {}
        self._changed = asyncio.Event()
        self._runs = 0
        self.loaded = False  # a file of ours is the dataset (else the example: keep its columns)
        self._ws: Any = None
        self._reader: asyncio.Task | None = None
        self.closed_reason = ""

    async def open(self) -> None:
        ws_url = self.url.replace("http://", "ws://").rstrip("/") + "/websocket/"
        self._ws = await websockets.connect(
            ws_url, max_size=None, open_timeout=self.timeout_s, additional_headers=self.headers
        )
        data = dict(self.init)
        for output in SHOWN:
            data[f".clientdata_output_{output}_hidden"] = False
        await self._ws.send(json.dumps({"method": "init", "data": data}))
        self._reader = asyncio.create_task(self._read())
        await self.wait_value("data-summary", lambda v: True)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()

    async def _read(self) -> None:
        try:
            async for raw in self._ws:
                message = json.loads(raw)
                for output, value in (message.get("values") or {}).items():
                    self.values[output] = (next(self._seq), value)
                for output, error in (message.get("errors") or {}).items():
                    self.values[output] = (next(self._seq), {"error": error})
                response = message.get("response")
                if response is not None and response.get("tag") in self._responses:
                    self._responses.pop(response["tag"]).set_result(response)
                self._changed.set()
        except websockets.ConnectionClosed as exc:
            self.closed_reason = f"websocket closed: {exc}"
            self._changed.set()

    async def send(self, message: dict[str, Any]) -> None:
        await self._ws.send(json.dumps(message))

    async def update(self, data: dict[str, Any]) -> None:
        await self.send({"method": "update", "data": data})

    async def wait_value(self, output: str, accept, after: int = 0, also: str = "") -> Any:
        """The first value of output (or of `also`) newer than `after` that accept() takes."""
        deadline = time.monotonic() + self.timeout_s
        while True:
            for name in (output, also) if also else (output,):
                seq, value = self.values.get(name, (0, None))
                if seq > after and accept(value):
                    return value
            if self.closed_reason:
                raise ConnectionError(self.closed_reason)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no new value of {output} in {self.timeout_s:g} s")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    def seq(self) -> int:
        return next(self._seq)

    async def upload(self, path: Path) -> tuple[float, str]:
        """Upload like the browser: uploadInit, POST the bytes, uploadEnd; (seconds until the
        dataset or the refusal is on screen, '' or the refusal's text)."""
        started = time.perf_counter()
        body = path.read_bytes()
        tag = next(self._tags)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._responses[tag] = future
        files = [{"name": path.name, "size": len(body), "type": "text/csv"}]
        await self.send({"method": "uploadInit", "args": [files], "tag": tag})
        response = await asyncio.wait_for(future, self.timeout_s)
        value = response["value"]
        async with httpx.AsyncClient(base_url=self.url.rstrip("/") + "/") as client:
            posted = await client.post(
                value["uploadUrl"],
                content=body,
                headers={"Content-Type": "application/octet-stream", **self.headers},
                timeout=self.timeout_s,
            )
            posted.raise_for_status()
        mark = self.seq()
        tag = next(self._tags)
        await self.send(
            {"method": "uploadEnd", "args": [value["jobId"], "data-upload"], "tag": tag}
        )

        def shown(value: Any) -> bool:
            text = json.dumps(value)
            return path.name in text or "upload-error" in text

        value = await self.wait_value("data-summary", shown, after=mark, also="data-upload_status")
        text = json.dumps(value)
        refused = text[:300] if "upload-error" in text and path.name not in text else ""
        self.loaded = self.loaded or not refused
        return time.perf_counter() - started, refused

    async def run_outcome(self, covariates: list[str]) -> tuple[str, str]:
        """Choose covariates, press Run; ('done' | 'error', status text) once it is on screen."""
        if self.loaded:
            await self.update({"outcome-covariates": covariates})
        self._runs += 1
        mark = self.seq()
        await self.update(
            {"outcome-run:bslib.taskbutton": {"value": self._runs, "autoReset": True}}
        )

        def finished(value: Any) -> bool:
            html = json.dumps(value)
            return 'data-state=\\"done\\"' in html or 'data-state=\\"error\\"' in html

        value = await self.wait_value("outcome-status", finished, after=mark)
        html = json.dumps(value)
        return ("done" if 'data-state=\\"done\\"' in html else "error"), html[:300]

    async def look_at_stats(self) -> None:
        """Open the stats tab and wait for its boxes to be drawn, then leave it."""
        mark = self.seq()
        await self.update({"tabs": "stats"})
        await self.wait_value("stats-cards", lambda v: True, after=mark)
        await self.update({"tabs": "outcome"})


async def ws_user(
    number: int,
    url: str,
    init: dict[str, Any],
    files: list[Path],
    presets: tuple[tuple[str, ...], ...],
    deadline: float,
    steps: list,
    make_step,
    timeout_s: float,
    cookie: str = "",
) -> None:
    """A user over a raw websocket: upload its file, then outcome runs, stats looks, uploads."""
    rng = random.Random(1000 + number)
    session = WsSession(url, init, number, timeout_s, cookie)
    try:
        started = time.perf_counter()
        await session.open()
        steps.append(make_step(number, "open", (time.perf_counter() - started) * 1000, "done"))
        seconds, refused = await session.upload(files[number])
        state = "error" if refused else "done"
        steps.append(make_step(number, "upload", seconds * 1000, state, refused))
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.5, 2.0))  # think time
            kind = rng.choices(("outcome", "stats", "upload"), (0.8, 0.12, 0.08))[0]
            started = time.perf_counter()
            try:
                if kind == "outcome":
                    state, text = await session.run_outcome(list(rng.choice(presets)))
                    ms = (time.perf_counter() - started) * 1000
                    steps.append(make_step(number, kind, ms, state, text))
                    continue
                refused = ""
                if kind == "stats":
                    await session.look_at_stats()
                else:
                    refused = (await session.upload(rng.choice(files)))[1]
                ms = (time.perf_counter() - started) * 1000
                steps.append(make_step(number, kind, ms, "error" if refused else "done", refused))
            except (TimeoutError, ConnectionError) as exc:
                ms = (time.perf_counter() - started) * 1000
                steps.append(make_step(number, kind, ms, "timeout", str(exc)[:200]))
                if session.closed_reason:
                    steps.append(make_step(number, kind, 0.0, "disconnected"))
                    return
    except Exception as exc:  # the session could not go on: one error, the others carry on
        steps.append(make_step(number, "session", 0.0, "timeout", f"{type(exc).__name__}: {exc}"))
    finally:
        await session.close()
