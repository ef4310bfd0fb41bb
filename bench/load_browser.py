"""The load test's browser users: Playwright pages doing what a user does, timed per step."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from pathlib import Path
from typing import Any

from bench.load_report import KINDS, PRESETS, Step, step_of

STEP_TIMEOUT_MS = 120_000
RAMP_S = 1.0  # one new user a second
WEIGHTS = (0.55, 0.15, 0.1, 0.12, 0.08)  # of KINDS
TAB_VARIABLES = {"table1": "variables", "correlation": "columns"}


async def _status_step(page: Any, tab: str, session: int, kind: str) -> Step:
    """Click a tab's Run and time it until a NEW done/error status is on screen."""
    status = f"#{tab}-status"
    await page.evaluate(
        "s => document.querySelectorAll(s + ' [data-state]')"
        ".forEach(e => e.setAttribute('data-old', '1'))",
        status,
    )
    fresh = ":not([data-old])"
    started = time.perf_counter()
    await page.click(f"#{tab}-run")
    found = await page.wait_for_selector(
        f"{status} [data-state=done]{fresh}, {status} [data-state=error]{fresh}",
        timeout=STEP_TIMEOUT_MS,
    )
    ms = (time.perf_counter() - started) * 1000
    if await found.get_attribute("data-state") == "done":
        return Step(session, kind, ms, "done")
    text = (await found.inner_text()).strip()
    return step_of(session, kind, ms, "error", text[:200])


async def _open(page: Any, tab: str) -> None:
    await page.click(f"a[data-value='{tab}']")


async def _upload(page: Any, path: Path, session: int) -> Step:
    """Upload on the Data tab; done when the dataset shows, refused when the page says so."""
    await _open(page, "data")
    await page.evaluate("() => document.querySelector('#upload-error')?.remove()")
    started = time.perf_counter()
    await page.set_input_files("#data-upload", str(path))
    try:
        await page.wait_for_function(
            "name => (document.querySelector('#dataset-name') || {}).textContent === name"
            " || document.querySelector('#upload-error')",
            arg=path.name,
            timeout=STEP_TIMEOUT_MS,
        )
    except Exception:  # say what the page showed instead
        shown = await page.evaluate(
            "() => ['#data-upload_status', '#data-upload_progress', '#dataset-name']"
            ".map(s => s + ': ' + (document.querySelector(s)?.innerText || '').trim()).join(' | ')"
        )
        ms = (time.perf_counter() - started) * 1000
        return Step(session, "upload", ms, "timeout", shown[:300])
    ms = (time.perf_counter() - started) * 1000
    error = page.locator("#upload-error")
    if await error.count():
        return step_of(session, "upload", ms, "error", (await error.inner_text())[:200])
    return Step(session, "upload", ms, "done")


async def _outcome(page: Any, session: int, rng: random.Random) -> Step:
    await _open(page, "outcome")
    await page.wait_for_selector("#outcome-covariates", state="attached", timeout=STEP_TIMEOUT_MS)
    chosen = list(rng.choice(PRESETS))
    # What the selectize sends when a user edits it: the new list of covariates (only for our
    # files: after a refused upload the session is still on the example data and its columns).
    await page.evaluate(
        "v => document.querySelector('#dataset-name')?.textContent.startsWith('session')"
        " && Shiny.setInputValue('outcome-covariates', v)",
        chosen,
    )
    await page.wait_for_timeout(150)  # let the dependent controls settle like a user would
    return await _status_step(page, "outcome", session, "outcome")


async def _stats(page: Any, session: int) -> Step:
    started = time.perf_counter()
    await _open(page, "stats")
    await page.wait_for_selector("#stats-hit-rate", state="visible", timeout=STEP_TIMEOUT_MS)
    step = Step(session, "stats", (time.perf_counter() - started) * 1000, "done")
    await _open(page, "data")  # leave it, or its 3 s refresh keeps rendering for this session
    return step


async def _step(page: Any, kind: str, session: int, rng: random.Random, files: list[Path]) -> Step:
    if kind == "outcome":
        return await _outcome(page, session, rng)
    if kind in ("table1", "correlation"):
        await _open(page, kind)
        # Run once the variable list of the current data is drawn, as a user would.
        chosen = f"#{kind}-{TAB_VARIABLES[kind]} + .selectize-control .item"
        await page.wait_for_selector(chosen, state="visible", timeout=STEP_TIMEOUT_MS)
        await page.wait_for_timeout(150)
        return await _status_step(page, kind, session, kind)
    if kind == "stats":
        return await _stats(page, session)
    return await _upload(page, rng.choice(files), session)


async def user(
    session: int,
    browser: Any,
    url: str,
    files: list[Path],
    deadline: float,
    steps: list[Step],
    init: asyncio.Future,
) -> None:
    """One user: arrive (staggered), upload a file, then mixed interactions until the deadline."""
    rng = random.Random(session)
    await asyncio.sleep(session * RAMP_S)  # users arrive one by one, not in one instant
    context = await browser.new_context(viewport={"width": 1300, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    page = await context.new_page()
    page.on("pageerror", lambda e: steps.append(Step(session, "js", 0.0, "error", str(e)[:200])))
    sockets = [0, 1]  # websockets this page opened; how many are accounted for

    def on_websocket(ws: Any) -> None:
        sockets[0] += 1
        ws.on("framesent", lambda frame: keep_init(frame, init))

    def note_reconnect(kind: str) -> None:
        # Shiny reconnects a dropped websocket without the disconnected overlay (the app asks
        # for "force"), so a drop is only visible as a new websocket of the same page.
        if sockets[0] > sockets[1]:
            steps.append(Step(session, kind, 0.0, "reconnected", f"websocket #{sockets[0]}"))
            sockets[1] = sockets[0]

    page.on("websocket", on_websocket)
    try:
        started = time.perf_counter()
        await page.goto(url)
        await page.wait_for_selector(".shiny-bound-output")
        steps.append(Step(session, "open", (time.perf_counter() - started) * 1000, "done"))
        steps.append(await _upload(page, files[session], session))  # records its own timeout
        note_reconnect("upload")
        while time.monotonic() < deadline:
            await asyncio.sleep(rng.uniform(0.5, 2.0))  # think time
            kind = rng.choices(KINDS, WEIGHTS)[0]
            started = time.perf_counter()
            try:
                steps.append(await _step(page, kind, session, rng, files))
            except Exception as exc:  # a timeout or a closed page is an error of this run
                ms = (time.perf_counter() - started) * 1000
                steps.append(Step(session, kind, ms, "timeout", f"{type(exc).__name__}: {exc}"))
            note_reconnect(kind)
            if await page.locator("#shiny-disconnected-overlay").count():
                steps.append(Step(session, kind, 0.0, "disconnected"))
                await page.reload()
                await page.wait_for_selector(".shiny-bound-output")
    except Exception as exc:  # the session could not go on: one error, the others carry on
        steps.append(Step(session, "session", 0.0, "timeout", f"{type(exc).__name__}: {exc}"[:300]))
    finally:
        await context.close()


def keep_init(frame: Any, init: asyncio.Future) -> None:
    """The first init message a browser sends: the inputs the websocket users start with."""
    if not init.done() and isinstance(frame, str) and frame.startswith('{"method":"init"'):
        init.set_result(json.loads(frame)["data"])


async def read_cache_counts(browser: Any, url: str) -> tuple[int, int]:
    """(hits, misses) as the Server stats tab shows them."""
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(url)
    await _open(page, "stats")
    box = page.locator(".bslib-value-box", has=page.locator("#stats-hit-rate"))
    await box.locator("text=/\\d+ hits/").wait_for(timeout=30_000)
    found = re.search(r"(\d+) hits · (\d+) misses", await box.inner_text())
    await context.close()
    return (int(found[1]), int(found[2])) if found else (0, 0)
